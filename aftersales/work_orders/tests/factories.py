"""Work orders made the way people make them: through the services, so every record has its
events, custody log and costs as the real thing would.

- `make_work_order(unit, kind=…)`: an order of `unit` for a new customer of that unit with a
  product in warranty (pass `customer`/`product`, or `product=None` for none).
- `stocked_warehouse(unit)`: a warehouse of `unit` holding a part at a known cost; returns both.
- `make_repair_in_diagnosis`, `make_quoted_repair`: orders a few steps along.
- Scoped makers for the access matrix: every work-order model.
"""

import base64
import itertools
import struct
import zlib
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.models import User
from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import scoped_factory
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.organisation.models import Unit
from aftersales.stock.models import Warehouse
from aftersales.stock.tests.factories import make_warehouse, stocked
from aftersales.work_orders import services
from aftersales.work_orders.models import (
    CustodyEvent,
    CustomerLink,
    Kind,
    LabourLine,
    PartLine,
    Photo,
    Signature,
    SignatureKind,
    Status,
    WorkOrder,
    WorkOrderEvent,
)

_numbers = itertools.count(1)
_DEFAULT = object()


def _png(width: int = 2, height: int = 2) -> bytes:
    """A valid, tiny black-and-white PNG (what a signature pad sends, only smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png()
SIGNATURE_DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


def worker(unit: Unit, position: str = "technician") -> User:
    """Someone of `unit` who works on orders (technician by default)."""
    return make_user(position, unit)


def make_work_order(  # type: ignore[no-untyped-def]
    unit: Unit,
    kind: str = Kind.REPAIR,
    *,
    customer=None,
    product=_DEFAULT,
    user: User | None = None,
    **fields,
) -> WorkOrder:
    """An order of `kind` at `unit`, created through `work_order_create` (a repair starts with
    the device received at the unit; field work starts new)."""
    customer = customer or make_customer(unit)
    if product is _DEFAULT:
        product = make_installed_product(customer)
    fields.setdefault("reported_fault", f"Does not switch on ({next(_numbers)})")
    if kind != Kind.REPAIR:
        fields.setdefault("address", "上海市浦东新区世纪大道 100 号")
    return services.work_order_create(
        kind=kind,
        customer=customer,
        product=product,
        unit=unit,
        user=user or worker(unit, "outlet_reception"),
        **fields,
    )


def make_field_order(unit: Unit, kind: str = Kind.VISIT, **fields) -> WorkOrder:  # type: ignore[no-untyped-def]
    return make_work_order(unit, kind, **fields)


def make_repair_in_diagnosis(unit: Unit, **fields) -> WorkOrder:  # type: ignore[no-untyped-def]
    order = make_work_order(unit, Kind.REPAIR, **fields)
    return services.work_order_transition(
        order=order, to_status=Status.DIAGNOSIS, user=worker(unit)
    )


def make_quoted_repair(unit: Unit, amount: str = "350.00", **fields) -> tuple[WorkOrder, str]:  # type: ignore[no-untyped-def]
    """A repair whose quote waits for the customer's answer; returns the order and link token."""
    order = make_repair_in_diagnosis(unit, **fields)
    return services.quote_send(order=order, amount=Decimal(amount), user=worker(unit))


def stocked_warehouse(  # type: ignore[no-untyped-def]
    unit: Unit, quantity: str = "5", cost: str = "10.00", **part_fields
) -> tuple[Warehouse, object]:
    """A warehouse of `unit` with `quantity` of a new part received at `cost` each."""
    warehouse = make_warehouse(unit)
    return warehouse, stocked(warehouse, quantity, cost, **part_fields)


def make_part_line(unit: Unit, quantity: str = "1", **fields) -> PartLine:  # type: ignore[no-untyped-def]
    order = make_repair_in_diagnosis(unit)
    warehouse, part = stocked_warehouse(unit)
    return services.part_issue(
        order=order,
        part=part,
        quantity=Decimal(quantity),
        warehouse=warehouse,
        user=worker(unit),
        **fields,
    )


def signature_upload_name() -> str:
    return f"photo-{next(_numbers)}.png"


@scoped_factory(WorkOrder)
def work_order_in(unit: Unit) -> WorkOrder:
    return make_work_order(unit)


@scoped_factory(WorkOrderEvent)
def work_order_event_in(unit: Unit) -> WorkOrderEvent:
    return make_work_order(unit).events.first()  # type: ignore[return-value]


@scoped_factory(PartLine)
def part_line_in(unit: Unit) -> PartLine:
    return make_part_line(unit)


@scoped_factory(LabourLine)
def labour_line_in(unit: Unit) -> LabourLine:
    order = make_work_order(unit)
    return services.labour_add(
        order=order, user=worker(unit), description="Diagnosis", amount=Decimal("50")
    )


@scoped_factory(CustodyEvent)
def custody_event_in(unit: Unit) -> CustodyEvent:
    return make_work_order(unit).custody_events.first()  # type: ignore[return-value]


@scoped_factory(Photo)
def photo_in(unit: Unit) -> Photo:
    name = signature_upload_name()
    return services.photo_add(
        order=make_work_order(unit),
        stage=Photo.Stage.INTAKE,
        upload=SimpleUploadedFile(name, PNG, content_type="image/png"),
        user=worker(unit),
    )


@scoped_factory(Signature)
def signature_in(unit: Unit) -> Signature:
    return services.signature_record(
        order=make_work_order(unit),
        kind=SignatureKind.INTAKE,
        signer_name="张伟",
        image_data_url=SIGNATURE_DATA_URL,
        user=worker(unit),
    )


@scoped_factory(CustomerLink)
def customer_link_in(unit: Unit) -> CustomerLink:
    order, _token = make_quoted_repair(unit)
    return order.links.get()
