"""The customer portal's accounts: customers who follow their requests on the web.

A portal account is not a staff user: it has its own table, its own password hash and its own
session key (see aftersales.portal.auth), so no staff page can ever be opened with it and no
staff login opens a portal page. An account belongs to one customer once its e-mail address is
verified; until then it has no customer and cannot sign in.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.scoping import ScopedQuerySet


class PortalAccountQuerySet(ScopedQuerySet):
    # Staff see the accounts of the customers they serve; pending ones (no customer) nobody.
    scope_field = "customer__unit"


class PortalAccount(models.Model):
    """A customer's own sign-in to the portal: an e-mail address, a password and a language."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_accounts",
    )
    # Stored lowercased; unique whatever the case it was typed in.
    email = models.EmailField(_("e-mail"), max_length=254)
    name = models.CharField(_("name"), max_length=200)
    # Kept until verification: the new customer card gets it.
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    password = models.CharField(_("password"), max_length=128)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    # When we last mailed this account a link (verification or password reset): another one
    # waits a while, so the portal cannot be used to flood someone's mailbox.
    last_email_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login_at", "last_email_at"])

    objects = PortalAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_account_email_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
