"""The spare-parts stock ledger. Warehouses belong to units of the organisation tree; every
movement of a part into or out of a warehouse is an immutable ledger entry (`StockMovement`),
and the balance of each part in each warehouse (`StockBalance`, per condition: good stock and
defective parts taken out of devices) follows from the ledger, updated in the same
transaction. Serial-tracked parts also have one `SerialNumber` row per unit of the part, which
says where that unit is. Writes go through `aftersales.stock.services` only."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.catalog.models import CODE_HELP, CODE_VALIDATOR
from aftersales.core.scoping import ScopedQuerySet, scope_paths, subtree_q

QUANTITY = {"max_digits": 14, "decimal_places": 3}
UNIT_COST = {"max_digits": 14, "decimal_places": 4}
MONEY = {"max_digits": 16, "decimal_places": 2}


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    DEFECTIVE = "defective", _("Defective")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue to a work order")
    RETURN = "return", _("Return from a work order")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    DEFECTIVE_RETURN = "defective_return", _("Defective part returned")
    WRITE_OFF = "write_off", _("Write-off")
    ADJUSTMENT = "adjustment", _("Stock-take adjustment")


INFLOWS = {
    MovementKind.RECEIPT,
    MovementKind.RETURN,
    MovementKind.TRANSFER_IN,
    MovementKind.DEFECTIVE_RETURN,
}
OUTFLOWS = {MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.WRITE_OFF}


class SerialStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    IN_TRANSIT = "in_transit", _("In transit")
    ISSUED = "issued", _("Issued")
    DEFECTIVE = "defective", _("Defective, in stock")
    WRITTEN_OFF = "written_off", _("Written off")


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")


class WarehouseQuerySet(ScopedQuerySet):
    scope_field = "unit"


class Warehouse(models.Model):
    """A store of spare parts kept by a unit (a centre's central store, an outlet's shelf).
    A unit may keep several; its defective parts are a condition of the balance, not a
    warehouse of their own."""

    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="warehouses",
    )
    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=CODE_HELP, validators=[CODE_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive warehouses take no new movements.")
    )
    history = HistoricalRecords()

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("stock:warehouse_detail", args=[self.pk])


class StockBalanceQuerySet(ScopedQuerySet):
    scope_field = "warehouse__unit"


class StockBalance(models.Model):
    """How much of a part a warehouse holds in one condition, and what it is worth. One row
    per (warehouse, part, condition), changed only together with a ledger entry: `quantity`
    is the sum of the entries' quantities and `value` the sum of their total costs.
    `average_cost` is value / quantity (4 places), kept when the quantity reaches zero so that
    a stock-take surplus found later is valued at the last known cost."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="balances"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD
    )
    quantity = models.DecimalField(_("quantity"), default=Decimal("0"), **QUANTITY)
    average_cost = models.DecimalField(_("average cost"), default=Decimal("0"), **UNIT_COST)
    value = models.DecimalField(_("value"), default=Decimal("0"), **MONEY)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StockBalanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["warehouse", "part", "condition"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "part", "condition"], name="stock_balance_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="stock_balance_value_not_negative"
            ),
        ]
        indexes = [
            # "Where is part P in stock?": the part's balances across warehouses.
            models.Index(fields=["part", "warehouse"], name="stock_balance_by_part"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code} {self.part.part_number}: {self.quantity}"


class SerialNumberQuerySet(ScopedQuerySet):
    scope_field = "warehouse__unit"


class SerialNumber(models.Model):
    """One unit of a serial-tracked part, and where it is: in a warehouse's stock (good or
    defective), travelling to a warehouse (in transit; `warehouse` is the destination), issued
    to a work order or written off (`warehouse` is where it left from)."""

    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    serial = models.CharField(_("serial number"), max_length=100)
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="serials",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SerialStatus.choices, default=SerialStatus.IN_STOCK
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SerialNumberQuerySet.as_manager()

    class Meta:
        verbose_name = _("serial number")
        verbose_name_plural = _("serial numbers")
        ordering = ["part", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["part", "serial"], name="stock_serial_unique"),
        ]
        indexes = [models.Index(fields=["serial"], name="stock_serial_lookup")]

    def __str__(self) -> str:
        return self.serial


class TransferQuerySet(ScopedQuerySet):
    def visible_to(self, user):  # type: ignore[no-untyped-def]
        """Both ends see a transfer: the sender's people and the receiver's."""
        paths = scope_paths(user)
        if paths is None:
            return self.all()
        return self.filter(subtree_q("source__unit", paths) | subtree_q("destination__unit", paths))


class Transfer(models.Model):
    """A shipment of parts from one warehouse to another: sent (the parts leave the source
    and are in transit), then received (they enter the destination at the cost they left
    with). Its lines are its transfer-out ledger entries."""

    number = models.CharField(_("number"), max_length=20, unique=True, blank=True)
    source = models.ForeignKey(
        Warehouse, verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    destination = models.ForeignKey(
        Warehouse, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransferStatus.choices,
        default=TransferStatus.IN_TRANSIT,
    )
    note = models.TextField(_("note"), blank=True)
    sent_at = models.DateTimeField(_("sent"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("destination")), name="stock_transfer_two_warehouses"
            ),
            models.CheckConstraint(
                condition=Q(status="in_transit", received_at__isnull=True)
                | Q(status="received", received_at__isnull=False),
                name="stock_transfer_received_when_received",
            ),
        ]
        indexes = [
            # The transfers still on their way.
            models.Index(
                fields=["sent_at"],
                name="stock_transfer_in_transit",
                condition=Q(status="in_transit"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("stock:transfer_detail", args=[self.pk])


class StockMovementQuerySet(ScopedQuerySet):
    scope_field = "warehouse__unit"


class StockMovement(models.Model):
    """One ledger entry: a signed quantity of a part entering (+) or leaving (−) a warehouse's
    stock in one condition, at a unit cost, with the balance it left behind. Entries are
    never changed or deleted: a mistake is corrected by a new entry (a return, an
    adjustment)."""

    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    part = models.ForeignKey(
        "catalog.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), **UNIT_COST)
    total_cost = models.DecimalField(
        _("total cost"), help_text=_("Signed: what left the stock is negative."), **MONEY
    )
    balance_after = models.DecimalField(_("balance after"), **QUANTITY)
    value_after = models.DecimalField(_("value after"), **MONEY)
    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_("The document behind the movement, e.g. a work order or delivery number."),
    )
    note = models.CharField(_("note / reason"), max_length=500, blank=True)
    transfer = models.ForeignKey(
        Transfer,
        verbose_name=_("transfer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
    )
    serials = models.ManyToManyField(
        SerialNumber, verbose_name=_("serial numbers"), blank=True, related_name="movements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"))

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_movement_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0, value_after__gte=0),
                name="stock_movement_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(INFLOWS), quantity__gt=0)
                | Q(kind__in=sorted(OUTFLOWS), quantity__lt=0)
                | Q(kind=MovementKind.ADJUSTMENT),
                name="stock_movement_sign_follows_kind",
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="stock_movement_cost"),
        ]
        indexes = [
            # A warehouse's journal, newest first; a part's in one warehouse.
            models.Index(fields=["warehouse", "-created_at"], name="stock_move_by_warehouse"),
            models.Index(fields=["part", "warehouse", "-created_at"], name="stock_move_by_part"),
            # A work order's parts: its entries by reference.
            models.Index(
                fields=["reference"], name="stock_move_by_reference", condition=~Q(reference="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.part_id} @ {self.warehouse_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("Ledger entries cannot be changed; record a new movement."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError(_("Ledger entries cannot be deleted; record a new movement."))
