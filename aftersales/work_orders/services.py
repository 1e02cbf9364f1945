"""Writes to work orders: creation (from a request or directly), intake, the lifecycle,
diagnosis and warranty, the quote and the customer's answer, parts and labour, custody,
photos, signatures and the rating.

Every function is one transaction and locks the order's row first, so two people (or a person
and a link the customer opens) never overwrite each other's step. Parts move through the stock
ledger's services inside the same transaction: a refused issue leaves no part line behind.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.catalog.models import FaultCode, LabourItem, Part, RepairCode
from aftersales.core.files import guess_content_type
from aftersales.customers.models import Customer
from aftersales.installed_base.models import InstalledProduct, normalise_serial
from aftersales.installed_base.selectors import WarrantyState, warranty_status
from aftersales.notifications.services import notify
from aftersales.organisation.models import Unit
from aftersales.stock import selectors as stock_selectors
from aftersales.stock import services as stock
from aftersales.stock.models import Warehouse
from aftersales.work_orders.models import (
    AUTOMATIC,
    AWAY,
    FIELD_KINDS,
    Custody,
    CustodyEvent,
    CustodyKind,
    CustomerLink,
    EventKind,
    Kind,
    LabourLine,
    PartLine,
    Photo,
    QuoteStatus,
    Signature,
    SignatureKind,
    Status,
    Warranty,
    WorkOrder,
    WorkOrderEvent,
)

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.service_requests.models import ServiceRequest

# A drawn signature is a small PNG; anything bigger is not one.
SIGNATURE_MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LINK_DAYS = 7
ZERO = Decimal("0")
CENT = Decimal("0.01")


def _url(order: WorkOrder) -> str:
    return reverse("work_orders:order_detail", args=[order.pk])


def _event(order: WorkOrder, kind: str, actor: User | None, **fields: object) -> None:
    WorkOrderEvent.objects.create(work_order=order, kind=kind, actor=actor, **fields)


def _locked(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("unit", "customer", "product", "product__model")
        .get(pk=order.pk)
    )


def _open(order: WorkOrder) -> None:
    if order.is_closed:
        raise ValidationError(
            _("Work order %(number)s is %(status)s; it can no longer be changed.")
            % {"number": order.number, "status": Status(order.status).label.lower()}
        )


def _money(value: Decimal | None, field: str) -> Decimal:
    if value is None:
        raise ValidationError({field: _("Enter an amount.")})
    value = Decimal(value)
    if value < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return value.quantize(CENT)


# --- Creation and intake ---------------------------------------------------------------------


def _check_customer_product(customer: Customer, product: InstalledProduct | None) -> None:
    if product is not None and product.customer_id != customer.pk:
        raise ValidationError({"product": _("This product belongs to another customer.")})


@transaction.atomic
def work_order_create(
    *,
    kind: str,
    customer: Customer,
    user: User | None,
    unit: Unit | None = None,
    product: InstalledProduct | None = None,
    service_request: ServiceRequest | None = None,
    reported_fault: str = "",
    accessories: str = "",
    condition: str = "",
    address: str = "",
    technician: User | None = None,
    customer_language: str = "",
) -> WorkOrder:
    """A new work order. In-store repairs start with the device received at `unit` (reception
    hands it over); field work starts "new", waiting to be scheduled with an engineer. The
    order's unit defaults to the request's handling unit, else the creating user's unit."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose the kind of work.")})
    _check_customer_product(customer, product)
    if service_request is not None and service_request.customer_id != customer.pk:
        raise ValidationError({"service_request": _("The request is of another customer.")})
    unit = (
        unit
        or (service_request.unit if service_request else None)
        or (user.unit if user is not None else None)
    )
    if unit is None:
        raise ValidationError({"unit": _("Choose the service unit.")})
    if kind in FIELD_KINDS and not address.strip():
        address = _customer_address(customer)
    order = WorkOrder.objects.create(
        kind=kind,
        unit=unit,
        customer=customer,
        product=product,
        service_request=service_request,
        reported_fault=reported_fault.strip(),
        accessories=accessories.strip(),
        condition=condition.strip(),
        address=address.strip(),
        technician=technician,
        customer_language=customer_language or customer.language or "",
        created_by=user,
    )
    _event(order, EventKind.CREATED, user, to_status=order.status)
    if kind == Kind.REPAIR:
        _custody(order, CustodyKind.RECEIVED, Custody.OUTLET, user=user, to_unit=unit)
    if product is not None:
        _determine_warranty(order, user)
    order.save()
    if technician is not None and (user is None or technician.pk != user.pk):
        _tell_assigned(order, technician)
    return order


def _customer_address(customer: Customer) -> str:
    address = customer.addresses.order_by("-is_default", "pk").first()
    return address.text if address else ""


def _tell_assigned(order: WorkOrder, user: User) -> None:
    notify(
        [user],
        kind="work_order_assigned",
        title=lambda: _("Work order %(number)s is assigned to you") % {"number": order.number},
        body=lambda: f"{order.customer.name}: {Kind(order.kind).label}",
        url=_url(order),
    )


# --- Lifecycle -------------------------------------------------------------------------------


def _move(order: WorkOrder, to_status: str, user: User | None, note: str = "") -> None:
    from_status = order.status
    if _quote_waiting(order):
        # Left without the customer's answer (a visit rescheduled, the order cancelled): the
        # customer's link can no longer answer, and a new quote may be sent later.
        order.links.filter(purpose=CustomerLink.Purpose.QUOTE, used_at__isnull=True).update(
            used_at=timezone.now()
        )
    order.status = to_status
    if to_status in (Status.COMPLETED, Status.CANCELLED):
        order.completed_at = timezone.now()
    _event(order, EventKind.STATUS, user, from_status=from_status, to_status=to_status, text=note)


def _check_step(order: WorkOrder, to_status: str) -> None:
    if to_status not in Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if to_status not in order.allowed_statuses():
        raise ValidationError(
            {
                "status": _(
                    "A work order of kind “%(kind)s” cannot go from “%(from)s” to “%(to)s”."
                )
                % {
                    "kind": Kind(order.kind).label,
                    "from": Status(order.status).label,
                    "to": Status(to_status).label,
                }
            }
        )


def manual_statuses(order: WorkOrder) -> list[str]:
    """The statuses the "change status" action offers: the allowed ones that no dedicated step
    (quote, arrival, hand-back with signature) owns."""
    if _quote_waiting(order):
        return [Status.CANCELLED] if Status.CANCELLED in order.allowed_statuses() else []
    return [s for s in Status.values if s in order.allowed_statuses() and s not in AUTOMATIC]


def _quote_waiting(order: WorkOrder) -> bool:
    return order.status == Status.AWAITING_APPROVAL and order.quote_status == QuoteStatus.SENT


@transaction.atomic
def work_order_transition(
    *, order: WorkOrder, to_status: str, user: User | None, note: str = ""
) -> WorkOrder:
    """A plain step of the lifecycle. Cancelling needs a reason and the device back in the
    unit's hands (it is then handed back to the customer)."""
    order = _locked(order)
    _open(order)
    if to_status in AUTOMATIC:
        raise ValidationError(
            {
                "status": _("“%(to)s” is reached by its own step, not by changing the status.")
                % {"to": Status(to_status).label}
            }
        )
    _check_step(order, to_status)
    if _quote_waiting(order) and to_status != Status.CANCELLED:
        # Moving on by hand would leave the customer's link able to answer a quote the order
        # has left behind (and no new quote could be sent while this one waits).
        raise ValidationError(
            {
                "status": _(
                    "The quote is waiting for the customer's answer; record the answer first."
                )
            }
        )
    note = note.strip()
    if to_status == Status.CANCELLED:
        if not note:
            raise ValidationError({"note": _("Say why the work order is cancelled.")})
        _check_custody_home(order)
        _return_unused_parts(order, user)
        # Links the customer still holds die with the order.
        order.links.filter(used_at__isnull=True).update(used_at=timezone.now())
        if order.custody == Custody.OUTLET:
            _custody(order, CustodyKind.RETURNED, Custody.CUSTOMER, user=user, note=note)
    _move(order, to_status, user, note)
    order.save()
    return order


@transaction.atomic
def work_order_assign(
    *, order: WorkOrder, technician: User | None, user: User | None, reason: str = ""
) -> WorkOrder:
    """Give the order to a technician or engineer of a unit the assigning user sees."""
    order = _locked(order)
    _open(order)
    if technician is not None:
        if not technician.is_active:
            raise ValidationError({"technician": _("This employee is no longer active.")})
        if (
            user is not None
            and not Unit.objects.visible_to(user).filter(pk=technician.unit_id).exists()
        ):
            raise ValidationError({"technician": _("Choose an employee of your units.")})
    if (technician.pk if technician else None) == order.technician_id:
        return order
    if order.technician_id is not None and not reason.strip():
        raise ValidationError({"reason": _("Say why the work order is reassigned.")})
    order.technician = technician
    _event(
        order,
        EventKind.ASSIGNED,
        user,
        text=(f"{technician}" if technician else _("nobody"))
        + (f" — {reason.strip()}" if reason.strip() else ""),
    )
    order.save()
    if technician is not None and (user is None or technician.pk != user.pk):
        _tell_assigned(order, technician)
    return order


# --- Diagnosis and warranty ------------------------------------------------------------------

_WARRANTY_OF_STATE = {
    WarrantyState.IN_WARRANTY: Warranty.IN_WARRANTY,
    WarrantyState.EXTENDED: Warranty.EXTENDED,
    WarrantyState.EXPIRED: Warranty.OUT_OF_WARRANTY,
    WarrantyState.BEFORE_PURCHASE: Warranty.OUT_OF_WARRANTY,
}


def _determine_warranty(order: WorkOrder, user: User | None) -> None:
    """The installed base decides (installed_base.selectors.warranty_status) on the day the
    order was created: a repair taken in on the warranty's last day is a warranty repair."""
    if order.product is None:
        return
    on = timezone.localdate(order.created_at)
    status = warranty_status(order.product, on)
    warranty = _WARRANTY_OF_STATE.get(status.state, Warranty.UNKNOWN)
    if warranty != order.warranty or order.warranty_checked_on != on:
        order.warranty = warranty
        order.warranty_checked_on = on
        _event(order, EventKind.WARRANTY, user, text=str(Warranty(warranty).label))


@transaction.atomic
def work_order_update_diagnosis(
    *,
    order: WorkOrder,
    user: User | None,
    diagnosis: str | None = None,
    work_done: str | None = None,
    fault_codes: Iterable[FaultCode] | None = None,
    repair_codes: Iterable[RepairCode] | None = None,
    product: InstalledProduct | None = None,
) -> WorkOrder:
    """The technician's findings: text, fault and repair codes, and the product when it was
    not known at intake (the warranty is then determined)."""
    order = _locked(order)
    _open(order)
    if diagnosis is not None:
        order.diagnosis = diagnosis.strip()
    if work_done is not None:
        order.work_done = work_done.strip()
    if product is not None and product.pk != order.product_id:
        _check_customer_product(order.customer, product)
        order.product = product
        _determine_warranty(order, user)
        _recompute_costs(order)
    order.save()
    if fault_codes is not None:
        order.fault_codes.set(list(fault_codes))
    if repair_codes is not None:
        order.repair_codes.set(list(repair_codes))
    return order


# --- Quote and approval ----------------------------------------------------------------------


def _new_link(order: WorkOrder, purpose: str) -> str:
    token = secrets.token_urlsafe(32)
    CustomerLink.objects.create(
        work_order=order,
        purpose=purpose,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + datetime.timedelta(days=LINK_DAYS),
    )
    return token


def link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("work_orders:customer_link", args=[token])


@transaction.atomic
def quote_send(
    *, order: WorkOrder, amount: Decimal, note: str = "", user: User | None
) -> tuple[WorkOrder, str]:
    """Put a price to the customer. Returns the order and the one-time link token the customer
    answers through (also shown to the employee to send by SMS or read out); the customer may
    as well answer at the counter (`quote_answer` with the employee as the actor)."""
    order = _locked(order)
    _open(order)
    amount = _money(amount, "amount")
    if _quote_waiting(order):
        raise ValidationError(_("A quote is already waiting for the customer's answer."))
    _check_step(order, Status.AWAITING_APPROVAL)
    order.quote_amount = amount
    order.quote_note = note.strip()
    order.quote_status = QuoteStatus.SENT
    order.quote_sent_at = timezone.now()
    order.quote_decided_at = None
    # An earlier quote's links die with it.
    order.links.filter(purpose=CustomerLink.Purpose.QUOTE, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    token = _new_link(order, CustomerLink.Purpose.QUOTE)
    _event(order, EventKind.QUOTE_SENT, user, text=f"{amount}")
    _move(order, Status.AWAITING_APPROVAL, user)
    order.save()
    return order, token


@transaction.atomic
def quote_answer(
    *, order: WorkOrder, approve: bool, user: User | None, via_link: bool = False
) -> WorkOrder:
    """The customer approves or declines the quote. Approved: the repair goes on (field work
    back to the visit) and the quoted amount becomes the customer's price. Declined: the
    device is made ready to be collected unrepaired. A second answer is refused."""
    order = _locked(order)
    _open(order)
    if order.quote_status != QuoteStatus.SENT or order.status != Status.AWAITING_APPROVAL:
        if order.quote_status in (QuoteStatus.APPROVED, QuoteStatus.DECLINED):
            raise ValidationError(_("The customer has already answered this quote."))
        raise ValidationError(_("No quote is waiting for the customer's answer."))
    order.quote_status = QuoteStatus.APPROVED if approve else QuoteStatus.DECLINED
    order.quote_decided_at = timezone.now()
    order.links.filter(purpose=CustomerLink.Purpose.QUOTE, used_at__isnull=True).update(
        used_at=order.quote_decided_at
    )
    how = _("through the link") if via_link else _("at the counter")
    if approve:
        order.customer_price = order.quote_amount or ZERO
        _event(order, EventKind.QUOTE_APPROVED, user, text=f"{order.quote_amount} ({how})")
        target = Status.IN_REPAIR if order.kind == Kind.REPAIR else Status.SCHEDULED
    else:
        _event(order, EventKind.QUOTE_DECLINED, user, text=how)
        target = Status.READY if order.kind == Kind.REPAIR else Status.SCHEDULED
    _move(order, target, user)
    order.save()
    if order.technician is not None and order.technician != user:
        notify(
            [order.technician],
            kind="work_order_quote",
            title=lambda: (
                (
                    _("Quote for %(number)s approved")
                    if approve
                    else _("Quote for %(number)s declined")
                )
                % {"number": order.number}
            ),
            url=_url(order),
        )
    return order


def link_for_token(token: str) -> CustomerLink | None:
    """The link behind a token, whatever its state (the page says expired or used)."""
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return (
        CustomerLink.objects.select_related("work_order", "work_order__customer")
        .filter(token_hash=digest)
        .first()
    )


def _use_link(token: str, purpose: str) -> CustomerLink:
    link = link_for_token(token)
    if link is None or link.purpose != purpose:
        raise ValidationError(_("This link is not valid."))
    link = CustomerLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None:
        raise ValidationError(_("This link has already been used."))
    if link.expires_at <= timezone.now():
        raise ValidationError(
            _("This link has expired. Please ask the service centre for a new one.")
        )
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link


@transaction.atomic
def quote_answer_by_link(*, token: str, approve: bool) -> WorkOrder:
    link = _use_link(token, CustomerLink.Purpose.QUOTE)
    return quote_answer(order=link.work_order, approve=approve, user=None, via_link=True)


@transaction.atomic
def signature_link_create(*, order: WorkOrder, user: User | None) -> str:
    """A one-time link for the customer to sign the service record on their own phone."""
    order = _locked(order)
    _open(order)
    if not order.is_field:
        raise ValidationError(_("Only field work has a service record sheet to sign."))
    return _new_link(order, CustomerLink.Purpose.SIGN)


@transaction.atomic
def sign_by_link(
    *,
    token: str,
    signer_name: str,
    image_data_url: str,
    rating: int | None = None,
    comment: str = "",
) -> Signature:
    link = _use_link(token, CustomerLink.Purpose.SIGN)
    # The rating first: the signature's file is written last, so a refused rating leaves no
    # orphan image behind.
    if rating is not None:
        rating_record(order=link.work_order, rating=rating, comment=comment, user=None)
    return signature_record(
        order=link.work_order,
        kind=SignatureKind.SERVICE_RECORD,
        signer_name=signer_name,
        image_data_url=image_data_url,
        user=None,
        through_link=True,
    )


# --- Parts and labour ------------------------------------------------------------------------


def _recompute_costs(order: WorkOrder) -> None:
    """Costs and the customer's price from the lines.

    The parts cost is the ledger's own figure for this order (issues minus returns, each at the
    movement's total), so the two cannot disagree by a rounding. A labour line's amount is the
    price of that work (the catalog's labour price by default); the labour cost is their sum.
    The customer pays nothing for warranty work, the approved quote when there is one, else
    the parts used at their prices plus the labour."""
    order.parts_cost = stock_selectors.parts_cost(order.number)
    order.labour_cost = order.labour_lines.aggregate(total=Sum("amount"))["total"] or ZERO
    order.customer_price = _customer_price(order)


def _customer_price(order: WorkOrder) -> Decimal:
    if order.quote_status == QuoteStatus.APPROVED:
        return order.quote_amount or ZERO
    if order.warranty in (Warranty.IN_WARRANTY, Warranty.EXTENDED):
        return ZERO
    parts = ZERO
    for quantity, returned, price in order.part_lines.values_list(
        "quantity", "returned_quantity", "unit_price"
    ):
        parts += ((quantity - returned) * price).quantize(CENT)
    return parts + order.labour_cost


def default_warehouse(order: WorkOrder) -> Warehouse | None:
    return stock_selectors.warehouse_for_unit(order.unit)


@transaction.atomic
def part_issue(
    *,
    order: WorkOrder,
    part: Part,
    quantity: Decimal,
    user: User | None,
    warehouse: Warehouse | None = None,
    serial: str = "",
    unit_price: Decimal | None = None,
) -> PartLine:
    """Take a part from stock for this order. The ledger refuses what is not there (the last
    unit goes to exactly one of two technicians who try at once), a part that does not fit the
    product's model, a serial that is not in that warehouse."""
    order = _locked(order)
    _open(order)
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    warehouse = warehouse or default_warehouse(order)
    if warehouse is None:
        raise ValidationError({"warehouse": _("The unit has no warehouse to take parts from.")})
    movement = stock.stock_issue(
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        user=user,
        reference=order.number,
        serials=[serial] if serial else (),
        for_model=order.product.model if order.product else None,
    )
    line = PartLine.objects.create(
        work_order=order,
        part=part,
        warehouse=warehouse,
        quantity=quantity,
        serial=serial,
        unit_cost=movement.unit_cost,
        unit_price=_money(part.price if unit_price is None else unit_price, "unit_price"),
        issued_by=user,
    )
    _event(order, EventKind.PART_ISSUED, user, text=f"{part.part_number} × {quantity}")
    _recompute_costs(order)
    order.save()
    return line


@transaction.atomic
def part_return(*, line: PartLine, quantity: Decimal, user: User | None) -> PartLine:
    """Give back to stock what was not used, at the cost it was issued at."""
    order = _locked(line.work_order)
    _open(order)
    line = PartLine.objects.select_for_update().get(pk=line.pk)
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    if quantity > line.used_quantity:
        raise ValidationError(
            {
                "quantity": _("Only %(count)s of this part can be returned.")
                % {"count": line.used_quantity}
            }
        )
    _give_back(line, quantity, user)
    _recompute_costs(order)
    order.save()
    return line


def _give_back(line: PartLine, quantity: Decimal, user: User | None) -> None:
    stock.stock_return(
        warehouse=line.warehouse,
        part=line.part,
        quantity=quantity,
        unit_cost=line.unit_cost,
        user=user,
        reference=line.work_order.number,
        serials=[line.serial] if line.serial else (),
    )
    PartLine.objects.filter(pk=line.pk).update(returned_quantity=F("returned_quantity") + quantity)
    line.refresh_from_db(fields=["returned_quantity"])
    _event(
        line.work_order,
        EventKind.PART_RETURNED,
        user,
        text=f"{line.part.part_number} × {quantity}",
    )


def _return_unused_parts(order: WorkOrder, user: User | None) -> None:
    """A cancelled order gives every part it still holds back to stock."""
    for line in order.part_lines.select_for_update(of=("self",)).select_related(
        "part", "warehouse"
    ):
        if line.used_quantity > 0:
            _give_back(line, line.used_quantity, user)
    _recompute_costs(order)


@transaction.atomic
def labour_add(
    *,
    order: WorkOrder,
    user: User | None,
    description: str = "",
    minutes: int = 0,
    amount: Decimal | None = None,
    labour_item: LabourItem | None = None,
) -> LabourLine:
    """Record work: a catalog labour item (its name, standard time and price by default) or a
    free description with an amount."""
    order = _locked(order)
    _open(order)
    description = (description or (labour_item.name if labour_item else "")).strip()
    if not description:
        raise ValidationError({"description": _("Describe the work or choose a labour item.")})
    if minutes is not None and int(minutes) < 0:
        raise ValidationError({"minutes": _("The time cannot be negative.")})
    if amount is None and labour_item is not None:
        amount = labour_item.price
    line = LabourLine.objects.create(
        work_order=order,
        labour_item=labour_item,
        description=description[:300],
        minutes=int(minutes or (labour_item.standard_minutes if labour_item else 0)),
        amount=_money(amount, "amount"),
        performed_by=user,
    )
    _event(order, EventKind.LABOUR, user, text=f"{line.description}: {line.amount}")
    _recompute_costs(order)
    order.save()
    return line


# --- Custody ---------------------------------------------------------------------------------


def _custody(
    order: WorkOrder,
    kind: str,
    custody: str,
    *,
    user: User | None,
    to_unit: Unit | None = None,
    reference: str = "",
    note: str = "",
) -> CustodyEvent:
    from_unit = order.custody_unit
    event = CustodyEvent.objects.create(
        work_order=order,
        kind=kind,
        custody=custody,
        from_unit=from_unit,
        to_unit=to_unit,
        reference=reference.strip(),
        note=note.strip(),
        actor=user,
    )
    order.custody = custody
    order.custody_unit = (
        to_unit
        if custody in (Custody.OUTLET, Custody.IN_TRANSIT)
        else (None if custody == Custody.CUSTOMER else from_unit)
    )
    _event(order, EventKind.CUSTODY, user, text=str(CustodyKind(kind).label))
    return event


def _check_custody_home(order: WorkOrder) -> None:
    if order.custody in AWAY:
        raise ValidationError(
            _("The device is not back yet (%(where)s); record its return first.")
            % {"where": Custody(order.custody).label.lower()}
        )


# The custody steps a user may record, each allowed from the listed states, to the new state.
CUSTODY_STEPS: dict[str, tuple[frozenset[str], str]] = {
    CustodyKind.SENT_TO_FACTORY: (frozenset({Custody.OUTLET}), Custody.TO_FACTORY),
    CustodyKind.AT_FACTORY: (frozenset({Custody.TO_FACTORY}), Custody.FACTORY),
    CustodyKind.BACK_FROM_FACTORY_SENT: (frozenset({Custody.FACTORY}), Custody.FROM_FACTORY),
    CustodyKind.BACK_FROM_FACTORY: (
        frozenset({Custody.FROM_FACTORY, Custody.FACTORY}),
        Custody.OUTLET,
    ),
    CustodyKind.HANDOFF_SENT: (frozenset({Custody.OUTLET}), Custody.IN_TRANSIT),
    CustodyKind.HANDOFF_RECEIVED: (frozenset({Custody.IN_TRANSIT}), Custody.OUTLET),
}


def custody_steps_for(order: WorkOrder) -> list[str]:
    if order.is_closed or order.kind != Kind.REPAIR:
        return []
    return [kind for kind, (sources, _target) in CUSTODY_STEPS.items() if order.custody in sources]


@transaction.atomic
def custody_record(
    *,
    order: WorkOrder,
    kind: str,
    user: User | None,
    to_unit: Unit | None = None,
    reference: str = "",
    note: str = "",
) -> CustodyEvent:
    """Record a step of the device's journey: to the factory and back, or a hand-off to another
    unit (which then holds the device and takes over the order when it receives it)."""
    order = _locked(order)
    _open(order)
    if kind not in CUSTODY_STEPS:
        raise ValidationError({"kind": _("Choose what happened to the device.")})
    sources, target = CUSTODY_STEPS[kind]
    if order.kind != Kind.REPAIR or order.custody not in sources:
        raise ValidationError(
            {
                "kind": _("“%(step)s” cannot be recorded while the device is %(where)s.")
                % {"step": CustodyKind(kind).label, "where": Custody(order.custody).label.lower()}
            }
        )
    if kind == CustodyKind.HANDOFF_SENT:
        if to_unit is None:
            raise ValidationError({"to_unit": _("Choose the unit the device goes to.")})
        if to_unit.pk == order.custody_unit_id:
            raise ValidationError({"to_unit": _("The device is already at this unit.")})
    elif kind == CustodyKind.HANDOFF_RECEIVED:
        to_unit = order.custody_unit
    elif kind == CustodyKind.BACK_FROM_FACTORY:
        to_unit = _last_home(order)
    else:
        to_unit = None
    event = _custody(
        order, kind, target, user=user, to_unit=to_unit, reference=reference, note=note
    )
    if kind == CustodyKind.HANDOFF_RECEIVED and to_unit is not None:
        # The receiving unit now does the work: the order moves into its subtree.
        order.unit = to_unit
    order.save()
    return event


def _last_home(order: WorkOrder) -> Unit:
    last = (
        order.custody_events.filter(custody=Custody.OUTLET, to_unit__isnull=False)
        .order_by("-created_at", "-pk")
        .select_related("to_unit")
        .first()
    )
    return last.to_unit if last else order.unit


@transaction.atomic
def device_swap(*, order: WorkOrder, new_serial: str, user: User, note: str = "") -> CustodyEvent:
    """Give the customer a replacement device instead of repairing theirs. The installed-base
    record takes the new serial (its warranty carries on); the old serial stays in the log."""
    order = _locked(order)
    _open(order)
    new_serial = new_serial.strip()
    if not new_serial:
        raise ValidationError({"new_serial": _("Enter the serial number of the replacement.")})
    if order.product is None:
        raise ValidationError(_("Record which product this is before swapping it."))
    _check_custody_home(order)
    product = order.product
    old_serial = product.serial
    # Same model, same purchase: the replacement inherits the warranty of the device it replaces.
    if normalise_serial(new_serial) == old_serial:
        raise ValidationError(
            {"new_serial": _("The replacement must have another serial number than the device.")}
        )
    try:
        product = _swap_serial(product, new_serial, user)
    except ValidationError as error:
        raise _renamed(error, "serial", "new_serial") from None
    event = _custody(
        order,
        CustodyKind.SWAPPED,
        order.custody,
        user=user,
        to_unit=order.custody_unit,
        reference=product.serial,
        note=(note.strip() + " " if note.strip() else "")
        + _("(was %(serial)s)") % {"serial": old_serial},
    )
    order.save()
    return event


def _renamed(error: ValidationError, old: str, new: str) -> ValidationError:
    if not hasattr(error, "error_dict") or old not in error.error_dict:
        return error
    errors = dict(error.error_dict)
    errors[new] = errors.pop(old)
    return ValidationError(errors)


def _swap_serial(product: InstalledProduct, new_serial: str, user: User) -> InstalledProduct:
    from aftersales.installed_base.services import product_update

    return product_update(
        product=product,
        model=product.model,
        serial=new_serial,
        purchase_date=product.purchase_date,
        dealer=product.dealer,
        warranty_months=product.warranty_months,
        extended_warranty_end=product.extended_warranty_end,
        batch=product.batch,
        notes=product.notes,
        user=user,
    )


# --- Photos, signatures, rating --------------------------------------------------------------


@transaction.atomic
def photo_add(
    *, order: WorkOrder, stage: str, upload: UploadedFile, user: User | None, caption: str = ""
) -> Photo:
    if stage not in Photo.Stage.values:
        raise ValidationError({"stage": _("Choose when the photo was taken.")})
    limit = settings.ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            {
                "file": _("The photo is too large; files of up to %(limit)s MB are accepted.")
                % {"limit": f"{limit / 1048576:.0f}"}
            }
        )
    content_type = guess_content_type(upload.name or "", getattr(upload, "content_type", ""))
    if not content_type.startswith("image/"):
        raise ValidationError({"file": _("Only images can be added as photos.")})
    order = _locked(order)
    photo = Photo(
        work_order=order,
        stage=stage,
        original_name=(upload.name or "photo")[:255],
        content_type=content_type,
        size=upload.size or 0,
        caption=caption.strip()[:200],
        uploaded_by=user,
    )
    photo.file.save(upload.name or "photo", upload, save=False)
    photo.save()
    return photo


def decode_signature(image_data_url: str) -> bytes:
    """The PNG bytes of a signature pad's `data:image/png;base64,…` value, or a clear error."""
    prefix = "data:image/png;base64,"
    if not image_data_url or not image_data_url.startswith(prefix):
        raise ValidationError({"signature": _("Please sign in the box.")})
    try:
        data = base64.b64decode(image_data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            {"signature": _("The signature could not be read; please sign again.")}
        ) from None
    if not data.startswith(PNG_MAGIC) or len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationError(
            {"signature": _("The signature could not be read; please sign again.")}
        )
    return data


@transaction.atomic
def signature_record(
    *,
    order: WorkOrder,
    kind: str,
    signer_name: str,
    image_data_url: str,
    user: User | None,
    through_link: bool = False,
) -> Signature:
    """The customer's signature on one of the order's documents, kept as a PNG with the
    signer's name and the time. Each document is signed once."""
    if kind not in SignatureKind.values:
        raise ValidationError({"kind": _("Choose the document being signed.")})
    signer_name = signer_name.strip()
    if not signer_name:
        raise ValidationError({"signer_name": _("Enter the name of the person signing.")})
    data = decode_signature(image_data_url)
    order = _locked(order)
    if kind != SignatureKind.HANDBACK:
        _open(order)
    if order.signatures.filter(kind=kind).exists():
        raise ValidationError(
            _("The %(document)s is already signed.")
            % {"document": SignatureKind(kind).label.lower()}
        )
    signature = Signature(
        work_order=order,
        kind=kind,
        signer_name=signer_name[:200],
        witnessed_by=user,
        through_link=through_link,
    )
    signature.image.save("signature.png", ContentFile(data), save=False)
    signature.save()
    _event(
        order, EventKind.SIGNED, user, text=f"{SignatureKind(kind).label}: {signature.signer_name}"
    )
    return signature


@transaction.atomic
def rating_record(
    *, order: WorkOrder, rating: int, comment: str = "", user: User | None
) -> WorkOrder:
    order = _locked(order)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    if order.rating is not None:
        raise ValidationError({"rating": _("The customer has already rated this work.")})
    order.rating = rating
    order.rating_comment = comment.strip()
    _event(order, EventKind.RATED, user, text=f"{rating}")
    order.save()
    return order


# --- Completion ------------------------------------------------------------------------------


@transaction.atomic
def work_order_complete(*, order: WorkOrder, user: User | None, note: str = "") -> WorkOrder:
    """Close the work. In the store: the customer collects the device (it must be back at the
    unit, not at the factory or in transit). In the field: the service record sheet must be
    signed by the customer."""
    order = _locked(order)
    _open(order)
    _check_step(order, Status.COMPLETED)
    if order.kind == Kind.REPAIR:
        _check_custody_home(order)
        if order.custody == Custody.OUTLET:
            _custody(order, CustodyKind.RETURNED, Custody.CUSTOMER, user=user, note=note)
    elif not order.signatures.filter(kind=SignatureKind.SERVICE_RECORD).exists():
        raise ValidationError(_("The customer has not signed the service record sheet yet."))
    _move(order, Status.COMPLETED, user, note.strip())
    order.save()
    return order


def mark_on_site(order: WorkOrder, user: User | None) -> None:
    """Field service: the engineer arrived. Called inside the visit's own transaction."""
    order = _locked(order)
    _open(order)
    if order.status == Status.ON_SITE:
        return
    _check_step(order, Status.ON_SITE)
    _move(order, Status.ON_SITE, user)
    order.save()


def mark_scheduled(order: WorkOrder, user: User | None, note: str = "") -> None:
    """Field service: a visit is planned (first one, or another after a visit that could not
    finish). Called inside the dispatch's own transaction."""
    order = _locked(order)
    _open(order)
    if order.status == Status.SCHEDULED:
        return
    _check_step(order, Status.SCHEDULED)
    _move(order, Status.SCHEDULED, user, note)
    order.save()
