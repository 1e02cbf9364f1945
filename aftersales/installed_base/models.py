"""The installed base: products customers own, with serial/IMEI and warranty.

A product's warranty end is computed once when the product is registered (purchase date +
the warranty months, taken from the model unless the sale said otherwise) and stored, so
"in warranty on date D?" is a comparison, and a changed model default does not silently
rewrite past sales. An extended warranty adds a later end date."""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.scoping import ScopedQuerySet

_SERIAL_NOISE = re.compile(r"[\s\-_./]+")


def normalise_serial(raw: str) -> str:
    """Serials and IMEIs are matched without spaces, dashes, dots or slashes, in upper case:
    "35-209900-176148-1" and "352099001761481" are the same handset."""
    return _SERIAL_NOISE.sub("", raw or "").upper()


class InstalledProductQuerySet(ScopedQuerySet):
    scope_field = "customer__unit"


class InstalledProduct(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    model = models.ForeignKey(
        "catalog.ProductModel",
        verbose_name=_("model"),
        on_delete=models.PROTECT,
        related_name="installed",
    )
    batch = models.ForeignKey(
        "catalog.ProductionBatch",
        verbose_name=_("production batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="installed",
    )
    serial = models.CharField(
        _("serial number / IMEI"),
        max_length=64,
        db_index=True,
        help_text=_("Unique per model; spaces and dashes are ignored."),
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    dealer = models.CharField(_("dealer"), max_length=200, blank=True)
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty, months"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the model's standard warranty."),
    )
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    extended_warranty_end = models.DateField(_("extended warranty end"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    history = HistoricalRecords()

    objects = InstalledProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("installed product")
        verbose_name_plural = _("installed products")
        ordering = ["-purchase_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["model", "serial"], name="installed_serial_per_model"),
            models.CheckConstraint(
                condition=models.Q(warranty_end__isnull=True)
                | models.Q(purchase_date__isnull=True)
                | models.Q(warranty_end__gte=models.F("purchase_date")),
                name="installed_warranty_after_purchase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model.code} · {self.serial}"


class OwnershipChangeQuerySet(ScopedQuerySet):
    # Both the old and the new owner's units may see the change; scoping follows the product's
    # current owner, which is what the card shows.
    scope_field = "product__customer__unit"


class OwnershipChange(models.Model):
    """A product passed from one customer to another (sold on, gifted, a company reorganised)."""

    product = models.ForeignKey(
        InstalledProduct,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="ownership_changes",
    )
    previous_owner = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("previous owner"),
        on_delete=models.PROTECT,
        related_name="products_given",
    )
    new_owner = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("new owner"),
        on_delete=models.PROTECT,
        related_name="products_received",
    )
    changed_on = models.DateField(_("date of change"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = OwnershipChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")
        ordering = ["-changed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.product}: {self.previous_owner} → {self.new_owner}"
