"""The catalog every unit shares: what the company services (categories, models, production
batches), what it fits (parts), how faults and repairs are coded, what labour costs, and the
price lists. Catalog records belong to no unit (SharedQuerySet): everyone with the permission
reads the same catalog; only its keepers change it."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.scoping import SharedQuerySet

CODE_HELP = _("Letters, digits, dots, dashes and underscores; unique.")
# ASCII only, so codes read and sort the same in every language and on every system they go to.
CODE_VALIDATOR = RegexValidator(
    r"\A[-A-Za-z0-9_.]+\Z",
    _("Use only Latin letters, digits, dots, dashes and underscores."),
)
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class ProductCategory(models.Model):
    """A product line, e.g. washing machines; categories may nest (appliances → laundry)."""

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=CODE_HELP, validators=[CODE_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category_detail", args=[self.pk])


class ProductModel(models.Model):
    """A model the company sells and services (型号); the default warranty comes from here."""

    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="models"
    )
    code = models.CharField(
        _("model number"),
        max_length=60,
        unique=True,
        help_text=CODE_HELP,
        validators=[CODE_VALIDATOR],
    )
    name = models.CharField(_("name"), max_length=200)
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty, months"), default=12, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:model_detail", args=[self.pk])


class ProductionBatch(models.Model):
    """A production batch of a model: quality statistics and recalls group products by it."""

    model = models.ForeignKey(
        ProductModel, verbose_name=_("model"), on_delete=models.CASCADE, related_name="batches"
    )
    code = models.CharField(_("batch"), max_length=60)
    produced_on = models.DateField(_("production date"), null=True, blank=True)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("production batch")
        verbose_name_plural = _("production batches")
        ordering = ["model", "-produced_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="catalog_batch_unique_code")
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("catalog:model_detail", args=[self.model_id])


class UnitOfMeasure(models.TextChoices):
    PIECE = "pcs", _("piece")
    SET = "set", _("set")
    METRE = "m", _("metre")
    KILOGRAM = "kg", _("kilogram")
    LITRE = "l", _("litre")


class Part(models.Model):
    """A spare part (备件). Its name exists in each interface language because storekeepers,
    engineers and customers read it on forms and statements in their own."""

    part_number = models.CharField(_("part number"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=200, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    unit_of_measure = models.CharField(
        _("unit of measure"),
        max_length=8,
        choices=UnitOfMeasure.choices,
        default=UnitOfMeasure.PIECE,
    )
    price = models.DecimalField(_("price"), default=Decimal("0"), **MONEY)
    serial_tracked = models.BooleanField(
        _("serial-tracked"),
        default=False,
        help_text=_("Each unit of the part carries its own serial number."),
    )
    compatible_models = models.ManyToManyField(
        ProductModel, verbose_name=_("compatible models"), blank=True, related_name="parts"
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[compatible_models])

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["part_number"]

    def __str__(self) -> str:
        return f"{self.part_number} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:part_detail", args=[self.pk])

    @property
    def name(self) -> str:
        """The name in the current language, else the first one given."""
        names = {
            "en": self.name_en,
            "zh-hans": self.name_zh_hans,
            "zh-hant": self.name_zh_hant,
            "ru": self.name_ru,
        }
        preferred = names.get((get_language() or "en").lower(), "")
        fallback = (self.name_en, self.name_zh_hans, self.name_zh_hant, self.name_ru)
        return preferred or next((name for name in fallback if name), "")


class CodeDirectory(models.Model):
    """Fault codes and repair codes: a hierarchy of codes per product category, so a washer's
    codes do not crowd a phone's. Codes without a category apply to every category."""

    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[CODE_VALIDATOR],
        help_text=_("Letters, digits, dots, dashes and underscores; unique in its category."),
    )
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SharedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, args=[self.pk])  # type: ignore[attr-defined]


class FaultCode(CodeDirectory):
    history = HistoricalRecords()
    url_name = "catalog:faultcode_detail"

    class Meta(CodeDirectory.Meta):
        verbose_name = _("fault code")
        verbose_name_plural = _("fault codes")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="catalog_fault_code_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(category__isnull=True),
                name="catalog_fault_code_unique_general",
            ),
        ]


class RepairCode(CodeDirectory):
    history = HistoricalRecords()
    url_name = "catalog:repaircode_detail"

    class Meta(CodeDirectory.Meta):
        verbose_name = _("repair code")
        verbose_name_plural = _("repair codes")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="catalog_repair_code_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(category__isnull=True),
                name="catalog_repair_code_unique_general",
            ),
        ]


class LabourItem(models.Model):
    """A unit of work that is paid for: its standard time and price (warranty settlement pays
    outlets by these)."""

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=CODE_HELP, validators=[CODE_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="labour_items",
    )
    standard_minutes = models.PositiveIntegerField(_("standard time, minutes"), default=0)
    price = models.DecimalField(_("price"), default=Decimal("0"), **MONEY)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("labour item")
        verbose_name_plural = _("labour items")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:labour_detail", args=[self.pk])


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan")
    RUB = "RUB", _("Russian rouble")
    HKD = "HKD", _("Hong Kong dollar")
    TWD = "TWD", _("New Taiwan dollar")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")


class PriceList(models.Model):
    """Prices of parts and labour in one currency for a period (e.g. the 2027 dealer prices)."""

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=CODE_HELP, validators=[CODE_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-valid_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="catalog_price_list_period",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:pricelist_detail", args=[self.pk])


class PriceListItem(models.Model):
    """One price on a price list: for a part or for a labour item, never both."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    part = models.ForeignKey(
        Part, verbose_name=_("part"), on_delete=models.PROTECT, null=True, blank=True
    )
    labour_item = models.ForeignKey(
        LabourItem,
        verbose_name=_("labour item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    price = models.DecimalField(_("price"), **MONEY)
    # Price changes are what a settlement dispute asks about: who changed a price, and when.
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(part__isnull=False, labour_item__isnull=True)
                | models.Q(part__isnull=True, labour_item__isnull=False),
                name="catalog_price_item_part_or_labour",
            ),
            models.UniqueConstraint(fields=["price_list", "part"], name="catalog_price_part"),
            models.UniqueConstraint(
                fields=["price_list", "labour_item"], name="catalog_price_labour"
            ),
        ]

    def __str__(self) -> str:
        return str(self.part or self.labour_item)

    def get_absolute_url(self) -> str:
        return reverse("catalog:pricelist_detail", args=[self.price_list_id])
