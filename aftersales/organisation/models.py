import zoneinfo

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from aftersales.core.scoping import ScopedQuerySet, ancestor_paths
from aftersales.organisation.choices import Ownership, UnitKind

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_field = ""


class UnitManager(MP_NodeManager):
    """treebeard's manager (tree operations) returning our scoped queryset."""

    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user) -> UnitQuerySet:  # type: ignore[no-untyped-def]
        return self.get_queryset().visible_to(user)


class Unit(MP_Node):
    """An organisational unit: headquarters, a region, a service centre or a service outlet
    (服务网点), own or an authorised third party. Units form one tree; a user's data scope is
    the subtree of their unit. Time zone and business calendar are inherited down the tree
    where a unit leaves them empty."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=UnitKind.choices)
    ownership = models.CharField(
        _("ownership"), max_length=12, choices=Ownership.choices, default=Ownership.OWN
    )
    address = models.CharField(_("address"), max_length=400, blank=True)
    phones = models.CharField(_("phones"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        choices=TIMEZONE_CHOICES,
        help_text=_("Leave empty to use the parent unit's time zone."),
    )
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("business calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        help_text=_("Leave empty to use the parent unit's calendar."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    objects = UnitManager()

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        # No extra index for the subtree filter `path LIKE 'prefix%'`: on PostgreSQL Django
        # already adds a varchar_pattern_ops index beside the unique one on `path` (bench/).

    def __str__(self) -> str:
        return self.name

    def lineage(self) -> list["Unit"]:
        """This unit and its ancestors, root first, in one query."""
        return list(Unit.objects.filter(path__in=ancestor_paths(self.path)).order_by("depth"))

    def effective_settings(self) -> tuple[str, int | None]:
        """(time zone, business calendar id) in force here: the unit's own, else the nearest
        ancestor's; the server's time zone and no calendar when nobody up the tree sets one.
        One query."""
        from django.conf import settings

        zone, calendar_id = "", None
        for unit in reversed(self.lineage()):
            zone = zone or unit.timezone
            calendar_id = calendar_id or unit.calendar_id
        return zone or settings.TIME_ZONE, calendar_id

    def effective_timezone(self) -> str:
        return self.effective_settings()[0]

    def effective_calendar_id(self) -> int | None:
        return self.effective_settings()[1]
