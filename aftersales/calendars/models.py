from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.scoping import ScopedQuerySet, ancestor_paths, scope_paths, subtree_q


class BusinessCalendarQuerySet(ScopedQuerySet):
    scope_field = "owner"

    def visible_to(self, user):  # type: ignore[no-untyped-def]
        """A calendar is visible to the owner's subtree, and also to users below the owner:
        units inherit calendars from their ancestors and must be able to read what applies."""
        paths = scope_paths(user)
        if paths is None:
            return self.all()
        above = {p for path in paths for p in ancestor_paths(path)}
        return self.filter(subtree_q("owner", paths) | models.Q(owner__path__in=above))

    def editable_by(self, user):  # type: ignore[no-untyped-def]
        return ScopedQuerySet.visible_to(self, user)


class BusinessCalendar(models.Model):
    """A business calendar: the weekly working hours of a unit and the dates that break the
    week (public holidays, make-up working days such as China's 调休 Saturdays). Units use the
    calendar set on them or inherited from their nearest ancestor."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="owned_calendars",
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("Used to load public holidays.")
    )
    history = HistoricalRecords()

    objects = BusinessCalendarQuerySet.as_manager()

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingInterval(models.Model):
    """One stretch of working time on a weekday, e.g. Monday 08:30–12:00."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="interval_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A date that departs from the weekly pattern: a holiday (no work) or a make-up working
    day (work on a day that is normally off, with the hours of a regular working day)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_calendar_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
