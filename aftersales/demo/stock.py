"""Demo stock: a warehouse for every service centre and outlet, the demo catalog's parts
received at plausible costs (centres hold more), and one transfer on its way from a centre to
an outlet. Running it again adds nothing."""

from __future__ import annotations

from decimal import Decimal

from aftersales.accounts.models import User
from aftersales.catalog.models import Part
from aftersales.organisation.models import Unit
from aftersales.stock import services
from aftersales.stock.models import Transfer, TransferStatus, Warehouse

# Purchase cost as a share of the list price.
COST_SHARE = Decimal("0.62")
CENTRE_QUANTITY, OUTLET_QUANTITY = 20, 4


def seed_stock(admin: User) -> int:
    created = 0
    parts = list(Part.objects.filter(is_active=True).order_by("part_number"))
    units = Unit.objects.filter(kind__in=["centre", "outlet"]).order_by("path")
    for unit in units:
        warehouse, made = Warehouse.objects.get_or_create(
            code=f"WH-{unit.code}".upper()[:40],
            defaults={"unit": unit, "name": f"{unit.name} · store"},
        )
        if not made:
            continue
        created += 1
        quantity = CENTRE_QUANTITY if unit.kind == "centre" else OUTLET_QUANTITY
        for index, part in enumerate(parts):
            # Outlets stock the fast movers only; every other part at a centre.
            if unit.kind == "outlet" and index % 2:
                continue
            cost = (part.price * COST_SHARE).quantize(Decimal("0.01")) or Decimal("1.00")
            serials = (
                [f"{warehouse.code}-{part.part_number}-{n:03d}" for n in range(1, quantity + 1)]
                if part.serial_tracked
                else ()
            )
            services.stock_receive(
                warehouse=warehouse,
                part=part,
                quantity=Decimal(quantity),
                unit_cost=cost,
                user=admin,
                reference="DEMO-OPENING",
                serials=serials,
                note="Opening stock",
            )
            created += 1
    if not Transfer.objects.filter(status=TransferStatus.IN_TRANSIT).exists():
        created += _transfer(admin, parts)
    return created


def _transfer(admin: User, parts: list[Part]) -> int:
    centre = Warehouse.objects.filter(unit__kind="centre").order_by("code").first()
    if centre is None:
        return 0
    outlet = (
        Warehouse.objects.filter(unit__kind="outlet", unit__path__startswith=centre.unit.path)
        .order_by("code")
        .first()
    )
    lines = [(p, Decimal("2")) for p in parts if not p.serial_tracked][:2]
    if outlet is None or not lines:
        return 0
    services.transfer_send(
        source=centre, destination=outlet, lines=lines, user=admin, note="Weekly replenishment"
    )
    return 1
