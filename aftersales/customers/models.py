"""Counterparties (客户 / контрагенты): the customer card and what hangs off it.

A customer belongs to the unit that serves it (scoping: a user sees the customers of their
subtree). Phones are stored in E.164 and e-mails lowercased in their own indexed tables, so a
caller-ID lookup or an e-mail match is one index probe whatever way the number was typed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.scoping import ScopedQuerySet, SharedQuerySet


class CustomerQuerySet(ScopedQuerySet):
    scope_field = "unit"


class CustomerPartQuerySet(ScopedQuerySet):
    scope_field = "customer__unit"


class CustomerMergeQuerySet(ScopedQuerySet):
    scope_field = "survivor__unit"


class Tag(models.Model):
    """A label on customers (VIP, dealer, government …), shared by the whole organisation."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Customer(models.Model):
    # Null, not empty, when not given: the unique index must allow many customers without one.
    code = models.CharField(
        _("customer number"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The number from the previous system; assigned when left empty."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    name = models.CharField(_("name"), max_length=300)
    tax_number = models.CharField(
        _("tax number"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("Unified social credit code (统一社会信用代码), INN or another tax number."),
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("serving unit"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible specialist"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    # db_default: bulk loaders (imports' COPY) write rows without naming this column.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        db_default="",
        help_text=_("The language of e-mails and the portal; empty: the site's language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Tokens of the name, contacts and addresses (customers.search_text); indexed per database
    # by the migrations (PostgreSQL full-text GIN, SQLite FTS5).
    search_text = models.TextField(editable=False, blank=True, default="")
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"], m2m_fields=[tags])

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "pk"]
        permissions = [("merge_customer", _("Can merge duplicate customers"))]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person who speaks for the customer: for a company its staff, for a person themself
    or a relative."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)
    history = HistoricalRecords()

    objects = CustomerPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    WORK = "work", _("Work")
    HOME = "home", _("Home")
    FAX = "fax", _("Fax")


class Phone(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="phones",
    )
    number = models.CharField(_("phone"), max_length=20, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PhoneKind.choices, default=PhoneKind.MOBILE
    )

    objects = CustomerPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="customers_phone_once")
        ]

    def __str__(self) -> str:
        from aftersales.customers.phones import display

        return display(self.number)


class Email(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="emails"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
    )
    address = models.EmailField(_("e-mail"), max_length=254, db_index=True)

    objects = CustomerPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "address"], name="customers_email_once")
        ]

    def __str__(self) -> str:
        return self.address


class Address(models.Model):
    """Where the customer is. The region (a unit of kind region) routes requests and visits."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses"
    )
    region = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "region"},
    )
    text = models.CharField(_("address"), max_length=500)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    is_default = models.BooleanField(_("main address"), default=False)
    history = HistoricalRecords()

    objects = CustomerPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "pk"]

    def __str__(self) -> str:
        return self.text


class CustomerMerge(models.Model):
    """The audit record of a merge: which card was folded into which, by whom, and what the
    removed card held (its own history stays in the history table under its old id)."""

    survivor = models.ForeignKey(
        Customer, verbose_name=_("kept customer"), on_delete=models.CASCADE, related_name="merges"
    )
    merged_id = models.PositiveBigIntegerField(_("merged customer id"))
    merged_code = models.CharField(_("merged customer number"), max_length=40, blank=True)
    merged_name = models.CharField(_("merged customer"), max_length=300)
    snapshot = models.JSONField(_("merged card"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    objects = CustomerMergeQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_name} → {self.survivor}"
