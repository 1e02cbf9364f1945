"""Work orders: the job done on a customer's product, in the store or at the customer's place.

A work order is of one kind (in-store repair, on-site visit, installation, maintenance) and
walks a lifecycle whose allowed steps depend on the kind (`TRANSITIONS`). It collects labour
lines and parts lines (each part line is backed by stock ledger movements, so the order's parts
cost is the ledger's own figure), a quote the customer approves or declines, photos and
signatures, and custody events that say where the device is. "Where is the device" is one
query: the order keeps its current custody state and holder, updated in the same transaction
as the custody event that changed them.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.files import private_storage
from aftersales.core.scoping import ScopedQuerySet, scope_paths, subtree_q

NUMBER_PREFIX = "W"
MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 3}


class Kind(models.TextChoices):
    REPAIR = "repair", _("In-store repair")
    VISIT = "visit", _("On-site visit")
    INSTALLATION = "installation", _("Installation")
    MAINTENANCE = "maintenance", _("Maintenance")


FIELD_KINDS = frozenset({Kind.VISIT, Kind.INSTALLATION, Kind.MAINTENANCE})


class Status(models.TextChoices):
    NEW = "new", _("New")
    SCHEDULED = "scheduled", _("Scheduled")
    ON_SITE = "on_site", _("On site")
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting the customer's approval")
    IN_REPAIR = "in_repair", _("In repair")
    TESTING = "testing", _("Testing")
    READY = "ready", _("Ready for collection")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED_STATUSES = frozenset({Status.COMPLETED, Status.CANCELLED})

# Allowed steps per kind. In the store: intake → diagnosis → (quote → approval) → repair →
# test → ready → handed back. In the field: dispatched (scheduled with an engineer) → on site →
# completed with the signed service record, or back to scheduled when another visit is needed.
# Some steps are taken only by their own service function (quote sent/approved, arrival,
# hand-back); `AUTOMATIC` lists them so the generic "change status" action does not offer them.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Kind.REPAIR: {
        Status.NEW: frozenset({Status.DIAGNOSIS, Status.CANCELLED}),
        Status.DIAGNOSIS: frozenset(
            {Status.AWAITING_APPROVAL, Status.IN_REPAIR, Status.READY, Status.CANCELLED}
        ),
        Status.AWAITING_APPROVAL: frozenset({Status.IN_REPAIR, Status.READY, Status.CANCELLED}),
        Status.IN_REPAIR: frozenset({Status.TESTING, Status.AWAITING_APPROVAL, Status.READY}),
        Status.TESTING: frozenset({Status.READY, Status.IN_REPAIR}),
        Status.READY: frozenset({Status.COMPLETED, Status.IN_REPAIR}),
    },
    **{
        kind: {
            Status.NEW: frozenset({Status.SCHEDULED, Status.CANCELLED}),
            Status.SCHEDULED: frozenset({Status.ON_SITE, Status.NEW, Status.CANCELLED}),
            Status.ON_SITE: frozenset(
                {Status.COMPLETED, Status.SCHEDULED, Status.AWAITING_APPROVAL}
            ),
            Status.AWAITING_APPROVAL: frozenset(
                {Status.SCHEDULED, Status.ON_SITE, Status.CANCELLED}
            ),
        }
        for kind in FIELD_KINDS
    },
}
# Reached only through their own services (quote, approval, arrival, hand-back, signature).
AUTOMATIC = frozenset({Status.AWAITING_APPROVAL, Status.ON_SITE, Status.COMPLETED})


class Custody(models.TextChoices):
    """Where the device is. Field kinds leave the device with the customer throughout."""

    CUSTOMER = "customer", _("With the customer")
    OUTLET = "outlet", _("At the service unit")
    TO_FACTORY = "to_factory", _("Sent to the factory")
    FACTORY = "factory", _("At the factory")
    FROM_FACTORY = "from_factory", _("On the way back from the factory")
    IN_TRANSIT = "in_transit", _("In transit to another unit")


# Custody states in which the order may not be closed: the device is away from the unit.
AWAY = frozenset({Custody.TO_FACTORY, Custody.FACTORY, Custody.FROM_FACTORY, Custody.IN_TRANSIT})


class Warranty(models.TextChoices):
    UNKNOWN = "unknown", _("Not determined")
    IN_WARRANTY = "in", _("In warranty")
    EXTENDED = "extended", _("Extended warranty")
    OUT_OF_WARRANTY = "out", _("Out of warranty")


class QuoteStatus(models.TextChoices):
    NONE = "", _("No quote")
    SENT = "sent", _("Sent to the customer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class OrderScopedQuerySet(ScopedQuerySet):
    """Rows of the orders of the user's units, and of the orders handed off to them that are
    still on the way: the receiving unit must find the order to record its arrival (it then
    becomes the order's unit). `order` is the path to the work order ("" for the order)."""

    order = ""

    def visible_to(self, user):  # type: ignore[no-untyped-def]
        paths = scope_paths(user)
        if paths is None:
            return self.all()
        incoming = Q(**{f"{self.order}custody": Custody.IN_TRANSIT}) & subtree_q(
            f"{self.order}custody_unit", paths
        )
        return self.filter(subtree_q(f"{self.order}unit", paths) | incoming)


class WorkOrderQuerySet(OrderScopedQuerySet):
    scope_field = "unit"

    def open(self):  # type: ignore[no-untyped-def]
        return self.exclude(status__in=CLOSED_STATUSES)


class WorkOrder(models.Model):
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("service unit"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    product = models.ForeignKey(
        "installed_base.InstalledProduct",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    service_request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician / engineer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    # The language the customer reads: printed receipts, quote links, signature pages.
    customer_language = models.CharField(
        _("customer's language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    # Intake, as the customer tells it and as reception sees it.
    reported_fault = models.TextField(_("fault as the customer describes it"), blank=True)
    accessories = models.CharField(_("accessories handed over"), max_length=500, blank=True)
    condition = models.TextField(_("visible condition and damage"), blank=True)
    address = models.CharField(_("address of the work"), max_length=400, blank=True)
    # Diagnosis and work.
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    fault_codes = models.ManyToManyField(
        "catalog.FaultCode", verbose_name=_("fault codes"), blank=True, related_name="+"
    )
    repair_codes = models.ManyToManyField(
        "catalog.RepairCode", verbose_name=_("repair codes"), blank=True, related_name="+"
    )
    work_done = models.TextField(_("work done"), blank=True)
    warranty = models.CharField(
        _("warranty"), max_length=10, choices=Warranty.choices, default=Warranty.UNKNOWN
    )
    warranty_checked_on = models.DateField(_("warranty checked on"), null=True, blank=True)
    # Quote and the customer's answer.
    quote_amount = models.DecimalField(_("quoted price"), null=True, blank=True, **MONEY)
    quote_note = models.TextField(_("quote note"), blank=True)
    quote_status = models.CharField(
        _("quote"), max_length=10, choices=QuoteStatus.choices, blank=True, default=""
    )
    quote_sent_at = models.DateTimeField(_("quote sent"), null=True, blank=True)
    quote_decided_at = models.DateTimeField(_("quote answered"), null=True, blank=True)
    # Money: costs follow from the lines (parts at the ledger's cost); the customer's price is
    # what the customer pays (zero for warranty work unless something outside it was agreed).
    labour_cost = models.DecimalField(_("labour"), default=Decimal("0"), **MONEY)
    parts_cost = models.DecimalField(_("parts cost"), default=Decimal("0"), **MONEY)
    customer_price = models.DecimalField(_("customer's price"), default=Decimal("0"), **MONEY)
    # Custody: the current state and who holds the device, kept with every custody event.
    custody = models.CharField(
        _("device is"), max_length=15, choices=Custody.choices, default=Custody.CUSTOMER
    )
    custody_unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("customer's rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    history = HistoricalRecords()

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("work_workorder", _("Can work on work orders")),
            ("dispatch_workorder", _("Can dispatch work orders")),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "-created_at"], name="workorder_unit_status"),
            models.Index(fields=["technician", "status"], name="workorder_technician"),
            models.Index(fields=["customer", "-created_at"], name="workorder_by_customer"),
            models.Index(fields=["product", "-created_at"], name="workorder_by_product"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__range=(1, 5)),
                name="workorder_rating_one_to_five",
            ),
            models.CheckConstraint(
                condition=models.Q(quote_amount__isnull=True) | models.Q(quote_amount__gte=0),
                name="workorder_quote_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return format_number(self.pk)

    @property
    def is_field(self) -> bool:
        return self.kind in FIELD_KINDS

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def total_cost(self) -> Decimal:
        return self.labour_cost + self.parts_cost

    def allowed_statuses(self) -> frozenset[str]:
        return TRANSITIONS.get(self.kind, {}).get(self.status, frozenset())


def format_number(pk: int | None) -> str:
    return f"{NUMBER_PREFIX}{pk:08d}" if pk else ""


def parse_number(text: str) -> int | None:
    text = (text or "").strip().upper()
    if text.startswith(NUMBER_PREFIX) and text[1:].isdigit() and 0 < len(text) - 1 <= 12:
        return int(text[1:])
    return None


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    WARRANTY = "warranty", _("Warranty determined")
    QUOTE_SENT = "quote_sent", _("Quote sent")
    QUOTE_APPROVED = "quote_ok", _("Quote approved")
    QUOTE_DECLINED = "quote_no", _("Quote declined")
    PART_ISSUED = "part_issued", _("Part issued")
    PART_RETURNED = "part_back", _("Part returned")
    LABOUR = "labour", _("Labour recorded")
    CUSTODY = "custody", _("Custody changed")
    SIGNED = "signed", _("Signed by the customer")
    RATED = "rated", _("Rated by the customer")
    NOTE = "note", _("Note")


class WorkOrderEventQuerySet(OrderScopedQuerySet):
    scope_field = "work_order__unit"
    order = "work_order__"


class WorkOrderEvent(models.Model):
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("work order")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    text = models.TextField(_("details"), blank=True)

    objects = WorkOrderEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["work_order", "created_at"], name="workorder_event_log")]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind}"


class LineQuerySet(OrderScopedQuerySet):
    scope_field = "work_order__unit"
    order = "work_order__"


class LabourLine(models.Model):
    work_order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="labour_lines",
        verbose_name=_("work order"),
    )
    labour_item = models.ForeignKey(
        "catalog.LabourItem",
        verbose_name=_("labour item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=300)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    amount = models.DecimalField(_("amount"), **MONEY)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = LineQuerySet.as_manager()

    class Meta:
        verbose_name = _("labour line")
        verbose_name_plural = _("labour lines")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="labour_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.description


class PartLine(models.Model):
    """A part used on the order. Issued from a warehouse through the stock ledger: `unit_cost`
    is the ledger's moving-average cost at the issue, so the order's parts cost equals the
    ledger's. Unused quantity goes back to stock at the same cost (`returned_quantity`)."""

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="part_lines", verbose_name=_("work order")
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "stock.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    returned_quantity = models.DecimalField(_("returned"), default=Decimal("0"), **QUANTITY)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=16, decimal_places=4)
    unit_price = models.DecimalField(_("price to the customer"), default=Decimal("0"), **MONEY)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now)

    objects = LineQuerySet.as_manager()

    class Meta:
        verbose_name = _("part line")
        verbose_name_plural = _("part lines")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="part_line_positive"),
            models.CheckConstraint(
                condition=models.Q(returned_quantity__gte=0)
                & models.Q(returned_quantity__lte=models.F("quantity")),
                name="part_line_returned_within_issued",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part} × {self.quantity}"

    @property
    def used_quantity(self) -> Decimal:
        return self.quantity - self.returned_quantity


class CustodyKind(models.TextChoices):
    RECEIVED = "received", _("Received from the customer")
    SENT_TO_FACTORY = "to_factory", _("Sent to the factory")
    AT_FACTORY = "at_factory", _("Arrived at the factory")
    BACK_FROM_FACTORY_SENT = "factory_sent", _("Shipped back by the factory")
    BACK_FROM_FACTORY = "from_factory", _("Back from the factory")
    HANDOFF_SENT = "handoff_sent", _("Handed off to another unit")
    HANDOFF_RECEIVED = "handoff_in", _("Received from another unit")
    SWAPPED = "swapped", _("Device swapped")
    RETURNED = "returned", _("Handed back to the customer")


class CustodyEventQuerySet(OrderScopedQuerySet):
    scope_field = "work_order__unit"
    order = "work_order__"


class CustodyEvent(models.Model):
    """One step of the device's journey. The order's `custody`/`custody_unit` are the last
    step's result, written in the same transaction."""

    work_order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="custody_events",
        verbose_name=_("work order"),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=CustodyKind.choices)
    custody = models.CharField(_("device is"), max_length=15, choices=Custody.choices)
    from_unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A carrier's tracking number, the factory's RMA number, the swapped-in device's serial.
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = CustodyEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["work_order", "created_at"], name="custody_log")]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind}"


def work_order_file_path(instance: models.Model, filename: str) -> str:
    return f"work-orders/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class FileQuerySet(OrderScopedQuerySet):
    scope_field = "work_order__unit"
    order = "work_order__"


class Photo(models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", _("At intake")
        DIAGNOSIS = "diagnosis", _("Diagnosis")
        ON_SITE = "on_site", _("On site")
        RESULT = "result", _("Result")

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="photos", verbose_name=_("work order")
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    file = models.FileField(
        _("file"), upload_to=work_order_file_path, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=150)
    size = models.PositiveBigIntegerField(_("size"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class SignatureKind(models.TextChoices):
    INTAKE = "intake", _("Intake receipt")
    QUOTE = "quote", _("Quote approval")
    SERVICE_RECORD = "service_record", _("Service record sheet")
    HANDBACK = "handback", _("Device collected")


class Signature(models.Model):
    """The customer's signature drawn on a screen: a PNG image with the signer's name and the
    time, on one document of the order. One signature per document and order."""

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("work order")
    )
    kind = models.CharField(_("document"), max_length=15, choices=SignatureKind.choices)
    signer_name = models.CharField(_("signed by"), max_length=200)
    image = models.FileField(
        _("signature"), upload_to=work_order_file_path, storage=private_storage, max_length=200
    )
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)
    # The employee who held the screen, or empty when the customer signed through a link.
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("presented by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    through_link = models.BooleanField(_("signed through a link"), default=False)

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "kind"], name="one_signature_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.kind} {self.signer_name}"


class CustomerLinkQuerySet(OrderScopedQuerySet):
    scope_field = "work_order__unit"
    order = "work_order__"


class CustomerLink(models.Model):
    """A link sent to the customer to approve a quote or sign a document away from the counter.
    The token is random and kept only as its SHA-256; the link works once and until it
    expires."""

    class Purpose(models.TextChoices):
        QUOTE = "quote", _("Approve the quote")
        SIGN = "sign", _("Sign the service record")

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="links", verbose_name=_("work order")
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    objects = CustomerLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer link")
        verbose_name_plural = _("customer links")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.purpose}"
