"""Reads of work orders for the pages: the list, the order page's parts (lines, log, custody,
photos, signatures) in a fixed number of queries, the people an order may be given to, the
customer card's rows and what a customer link may show."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.catalog.models import FaultCode, LabourItem, RepairCode
from aftersales.installed_base.models import InstalledProduct, normalise_serial
from aftersales.organisation.models import Unit
from aftersales.work_orders.models import (
    CustodyEvent,
    CustomerLink,
    LabourLine,
    PartLine,
    Photo,
    Signature,
    SignatureKind,
    WorkOrder,
    WorkOrderEvent,
)

if TYPE_CHECKING:
    from aftersales.customers.models import Customer


def orders_visible(user: User) -> QuerySet[WorkOrder]:
    """The list page's rows: everything a row shows joined in (no query per row)."""
    return WorkOrder.objects.visible_to(user).select_related(
        "unit", "customer", "product__model", "technician", "custody_unit"
    )


def order_for_page(user: User) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.visible_to(user).select_related(
        "unit",
        "customer",
        "product__model__category",
        "technician",
        "custody_unit",
        "service_request",
        "created_by",
    )


def order_page(order: WorkOrder, user: User) -> dict[str, Any]:
    """The order page's lists, each one query however many rows it holds."""
    return {
        "fault_codes": list(order.fault_codes.all()),
        "repair_codes": list(order.repair_codes.all()),
        "part_lines": list(
            PartLine.objects.visible_to(user)
            .filter(work_order=order)
            .select_related("part", "warehouse", "issued_by")
        ),
        "labour_lines": list(
            LabourLine.objects.visible_to(user)
            .filter(work_order=order)
            .select_related("labour_item", "performed_by")
        ),
        "events": list(
            WorkOrderEvent.objects.visible_to(user).filter(work_order=order).select_related("actor")
        ),
        "custody_events": list(
            CustodyEvent.objects.visible_to(user)
            .filter(work_order=order)
            .select_related("from_unit", "to_unit", "actor")
        ),
        "photos": list(
            Photo.objects.visible_to(user).filter(work_order=order).select_related("uploaded_by")
        ),
        "signatures": list(
            Signature.objects.visible_to(user)
            .filter(work_order=order)
            .select_related("witnessed_by")
        ),
    }


def technicians_for(user: User) -> QuerySet[User]:
    """Who an order may be given to: active people of the units the assigning user sees."""
    return (
        User.objects.filter(is_active=True, unit__in=Unit.objects.visible_to(user))
        .select_related("unit")
        .order_by("last_name", "first_name", "username")
    )


def codes_for(order: WorkOrder) -> tuple[QuerySet[FaultCode], QuerySet[RepairCode]]:
    """Fault and repair codes of the product's category and the general ones."""
    category_id = order.product.model.category_id if order.product else None
    fits = Q(category__isnull=True) | Q(category_id=category_id) if category_id else Q()
    return (
        FaultCode.objects.filter(fits, is_active=True).order_by("code"),
        RepairCode.objects.filter(fits, is_active=True).order_by("code"),
    )


def labour_items() -> QuerySet[LabourItem]:
    return LabourItem.objects.filter(is_active=True).order_by("code")


def orders_of_customer(customer: Customer, user: User) -> QuerySet[WorkOrder]:
    return (
        WorkOrder.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("product__model", "technician")
        .order_by("-created_at", "-pk")
    )


def products_of(customer: Customer, user: User) -> QuerySet[InstalledProduct]:
    return (
        InstalledProduct.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("model")
        .order_by("model__code", "serial")
    )


def product_by_serial(
    customer: Customer, user: User, serial: str, model_id: int | None = None
) -> list[InstalledProduct]:
    """The customer's products whose serial/IMEI is `serial` (normalised as stored)."""
    products = products_of(customer, user).filter(serial=normalise_serial(serial))
    if model_id is not None:
        products = products.filter(model_id=model_id)
    return list(products[:5])


CUSTOMER_CANDIDATES = 20


def customer_candidates(user: User, query: str) -> list[Customer]:
    """The customers a new order may be for: the user's customers matching a name, number,
    phone or e-mail (the customer list's search)."""
    from aftersales.customers.models import Customer
    from aftersales.customers.selectors import customers_matching

    if not query.strip():
        return []
    visible = Customer.objects.visible_to(user)
    return list(
        customers_matching(visible, query)
        .select_related("unit")
        .order_by("name", "pk")[:CUSTOMER_CANDIDATES]
    )


def order_for_link(link: CustomerLink) -> WorkOrder:
    """The order behind a customer link, with what its page shows (unscoped: the token is the
    authority, and it opens this one order only)."""
    return WorkOrder.objects.select_related("customer", "product__model", "unit").get(
        pk=link.work_order_id
    )


def customer_view_of(order: WorkOrder) -> dict[str, Any]:
    """What the customer's link page shows of their order: the parts and the work, never the
    costs or anything of another order. Unscoped: the link's token is the authority."""
    return {
        "part_lines": list(PartLine.objects.filter(work_order=order).select_related("part")),
        "labour_lines": list(LabourLine.objects.filter(work_order=order)),
    }


def signature_data_uri(signature: Signature) -> str:
    """The signature's PNG inline, for a printed page that must not fetch it again."""
    try:
        with signature.image.open("rb") as image:
            data = image.read()
    except FileNotFoundError:
        return ""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def print_signature(order: WorkOrder, kind: str) -> Signature | None:
    return order.signatures.filter(kind=kind).first()


DOCUMENT_SIGNATURE = {
    "intake": SignatureKind.INTAKE,
    "order": SignatureKind.HANDBACK,
    "service_record": SignatureKind.SERVICE_RECORD,
}
