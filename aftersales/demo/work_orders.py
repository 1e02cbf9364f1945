"""Demo in-store repairs, for seed_demo (after the stock): at the Pudong outlet, taken in by the
demo "reception" and worked on by the demo "technician",

- one in repair with a part taken from the outlet's store and a labour line,
- one sent to the factory (diagnosed, the device on its way under an RMA number),
- one waiting for the customer to approve the quote (the link is not shown: it is one-time),
- one completed and handed back, rated by the customer.

Field visits are seeded by demo.field_service. Written through the services; found again by
their fault text on a second run, so seeding twice adds nothing."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from aftersales.accounts.models import User
from aftersales.catalog.models import Part
from aftersales.customers.models import Customer
from aftersales.installed_base.models import InstalledProduct
from aftersales.organisation.models import Unit
from aftersales.stock.models import StockBalance
from aftersales.stock.selectors import warehouse_for_unit
from aftersales.work_orders import services
from aftersales.work_orders.models import CustodyKind, Kind, Status, WorkOrder

DEMO_MARK = "[demo repair]"
OUTLET = "sh-pudong"
REPAIRS = [
    ("屏幕不亮 · The screen stays black", "充电器 · charger", "背面划痕 · scratched back"),
    ("主板故障 · The device does not start", "", "无 · none"),
    ("电池鼓包 · The battery is swollen", "保护套 · case", "后盖翘起 · back cover lifted"),
    ("无法充电 · It does not charge", "数据线 · cable", ""),
]


def seed_work_orders(admin: User) -> int:
    outlet = Unit.objects.filter(code=OUTLET).first()
    if outlet is None or WorkOrder.objects.filter(reported_fault__startswith=DEMO_MARK).exists():
        return 0
    reception = User.objects.filter(username="reception").first() or admin
    technician = User.objects.filter(username="technician").first() or admin
    products = _products(outlet, len(REPAIRS))
    if len(products) < len(REPAIRS):
        return 0
    orders = []
    for product, (fault, accessories, condition) in zip(products, REPAIRS, strict=True):
        order = services.work_order_create(
            kind=Kind.REPAIR,
            customer=product.customer,
            product=product,
            unit=outlet,
            user=reception,
            technician=technician,
            reported_fault=f"{DEMO_MARK} {fault}",
            accessories=accessories,
            condition=condition,
        )
        orders.append(
            services.work_order_transition(order=order, to_status=Status.DIAGNOSIS, user=technician)
        )
    in_repair, to_factory, awaiting, done = orders

    services.work_order_update_diagnosis(
        order=in_repair, user=technician, diagnosis="屏幕排线松脱 · Display cable loose"
    )
    services.work_order_transition(order=in_repair, to_status=Status.IN_REPAIR, user=technician)
    part = _part_in_stock(outlet, in_repair.product)
    if part is not None:
        services.part_issue(order=in_repair, part=part, quantity=Decimal("1"), user=technician)
    services.labour_add(
        order=in_repair,
        user=technician,
        description="更换屏幕排线 · Display cable replaced",
        minutes=40,
        amount=Decimal("60.00"),
    )

    services.work_order_update_diagnosis(
        order=to_factory, user=technician, diagnosis="主板损坏 · Main board failure, factory repair"
    )
    services.custody_record(
        order=to_factory,
        kind=CustodyKind.SENT_TO_FACTORY,
        reference="RMA-2026-0042",
        note="SF Express",
        user=technician,
    )

    services.work_order_update_diagnosis(
        order=awaiting, user=technician, diagnosis="电池需更换 · The battery must be replaced"
    )
    services.quote_send(
        order=awaiting,
        amount=Decimal("280.00"),
        note="更换电池 · New battery, fitted",
        user=technician,
    )

    services.work_order_transition(order=done, to_status=Status.READY, user=technician)
    services.work_order_complete(order=done, user=reception, note="客户已取机 · Collected")
    services.rating_record(order=done, rating=5, comment="很快 · Quick", user=reception)
    return len(orders)


def _products(outlet: Unit, count: int) -> list[InstalledProduct]:
    """Products of the outlet's customers, one a customer, phones first (the store repairs
    handsets), then whatever they own."""
    customers = Customer.objects.filter(unit=outlet).order_by("pk")
    chosen: list[InstalledProduct] = []
    seen: set[int] = set()
    for product in (
        InstalledProduct.objects.filter(customer__in=customers)
        .select_related("customer", "model")
        .order_by("-model__code", "pk")
    ):
        if product.customer_id in seen:
            continue
        seen.add(product.customer_id)
        chosen.append(product)
        if len(chosen) == count:
            break
    return chosen


def _part_in_stock(outlet: Unit, product: InstalledProduct | None) -> Part | None:
    """A part the outlet's store holds that fits the product (or fits every model)."""
    warehouse = warehouse_for_unit(outlet)
    if warehouse is None:
        return None
    fits = Q(part__compatible_models__isnull=True)
    if product is not None:
        fits |= Q(part__compatible_models=product.model)
    balance = (
        StockBalance.objects.filter(
            fits, warehouse=warehouse, quantity__gte=1, part__serial_tracked=False
        )
        .select_related("part")
        .order_by("part__part_number")
        .first()
    )
    return balance.part if balance else None
