"""Service contracts: what a customer has bought beyond the warranty, and at which service
level. A request from a customer with a contract in force is served by the contract's level
(the SLA policies of aftersales.service_requests match on it)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.scoping import ScopedQuerySet


class ServiceLevel(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PRIORITY = "priority", _("Priority")
    PREMIUM = "premium", _("Premium")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class ServiceContractQuerySet(ScopedQuerySet):
    scope_field = "customer__unit"

    def in_force(self, on_date: datetime.date):  # type: ignore[no-untyped-def]
        return self.filter(status=ContractStatus.ACTIVE, valid_from__lte=on_date).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on_date)
        )


class ServiceContract(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    title = models.CharField(_("subject"), max_length=200)
    service_level = models.CharField(
        _("service level"),
        max_length=10,
        choices=ServiceLevel.choices,
        default=ServiceLevel.STANDARD,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The request the contract was drawn up from, when it was ("create contract from this
    # request"); a string reference: requests are downstream of contracts.
    source_request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("source request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts_drawn_up",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ServiceContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="contract_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
