"""Field service: engineers, the response clocks of field work orders, and visits.

Seed 001: within 16 hours of receiving the dispatch order the unit contacts the customer by
phone and agrees the visit time; the engineer is on site within 24 hours. A `FieldJob` is the
unit's receipt of one field work order (visit, installation, maintenance) and carries both
clocks as stored instants; a `ClockBreach` records a clock that ran out (once per clock), and
when it was met late. A `Visit` is one trip of one engineer to the customer in a window agreed
with the customer; an order gets another visit when one was not enough.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.scoping import ScopedQuerySet, SharedQuerySet
from aftersales.work_orders.models import FIELD_KINDS, Kind

DEFAULT_CONTACT_HOURS = 16
DEFAULT_ONSITE_HOURS = 24
DEFAULT_WARN_MINUTES = 60


class EngineerQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def active(self):  # type: ignore[no-untyped-def]
        return self.filter(is_active=True, user__is_active=True)


class Engineer(models.Model):
    """A field engineer of a unit: the regions served, the product categories handled, and the
    working calendar (the unit's when empty). Skills are the person's `service_requests.Skill`
    memberships, the same skills that route requests."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="engineer_profile",
    )
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit (dispatch board)"),
        on_delete=models.PROTECT,
        related_name="engineers",
    )
    regions = models.ManyToManyField(
        "organisation.Unit",
        verbose_name=_("regions served"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "region"},
    )
    categories = models.ManyToManyField(
        "catalog.ProductCategory",
        verbose_name=_("product categories"),
        blank=True,
        related_name="+",
    )
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("working calendar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty to use the unit's calendar."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = EngineerQuerySet.as_manager()

    class Meta:
        verbose_name = _("field engineer")
        verbose_name_plural = _("field engineers")
        ordering = ["unit", "user__last_name", "user__first_name", "pk"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class ResponsePolicy(models.Model):
    """How long a unit has to contact the customer and to be on site, counted from the receipt
    of the field work order, in calendar hours or in business hours of the unit's calendar.
    The policy of the nearest unit up the tree applies (one for the order's kind before a
    general one); without any, 16 h / 24 h calendar hours with a warning an hour before."""

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("for the units under"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every unit."),
    )
    kind = models.CharField(
        _("kind of work"),
        max_length=15,
        blank=True,
        choices=[(kind.value, kind.label) for kind in Kind if kind in FIELD_KINDS],
        help_text=_("Empty: every kind of field work."),
    )
    contact_hours = models.PositiveIntegerField(
        _("contact the customer within (hours)"), default=DEFAULT_CONTACT_HOURS
    )
    onsite_hours = models.PositiveIntegerField(
        _("on site within (hours)"), default=DEFAULT_ONSITE_HOURS
    )
    business_hours = models.BooleanField(
        _("count business hours"),
        default=False,
        help_text=_("Count only the working hours of the unit's calendar (else every hour)."),
    )
    warn_minutes = models.PositiveIntegerField(
        _("warn this many minutes before"), default=DEFAULT_WARN_MINUTES
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("response policy")
        verbose_name_plural = _("response policies")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact_hours__gt=0) & models.Q(onsite_hours__gt=0),
                name="field_policy_positive_hours",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Clock(models.TextChoices):
    CONTACT = "contact", _("Contact the customer")
    ONSITE = "onsite", _("Be on site")


class FieldJobQuerySet(ScopedQuerySet):
    scope_field = "work_order__unit"


class FieldJob(models.Model):
    """The unit's receipt of a field work order and its two clocks. The contact clock stops
    when the customer is contacted (and the visit time agreed), the on-site clock at the first
    arrival. `next_check_at` is the next instant the sweep has something to do (a warning or a
    breach), empty when both clocks have stopped: the sweep reads a range of one index."""

    work_order = models.OneToOneField(
        "work_orders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="field_job",
    )
    policy = models.ForeignKey(
        ResponsePolicy,
        verbose_name=_("response policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    business_hours = models.BooleanField(_("business hours"), default=False)
    received_at = models.DateTimeField(_("received"))
    contact_due_at = models.DateTimeField(_("contact due"))
    onsite_due_at = models.DateTimeField(_("on site due"))
    contact_warn_at = models.DateTimeField(_("contact warning at"))
    onsite_warn_at = models.DateTimeField(_("on-site warning at"))
    contacted_at = models.DateTimeField(_("customer contacted"), null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contacted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_note = models.TextField(_("contact note"), blank=True)
    # The visit time agreed with the customer on the call.
    appointment_start = models.DateTimeField(_("agreed from"), null=True, blank=True)
    appointment_end = models.DateTimeField(_("agreed until"), null=True, blank=True)
    first_arrival_at = models.DateTimeField(_("first arrival"), null=True, blank=True)
    contact_warned = models.BooleanField(_("contact warning sent"), default=False)
    onsite_warned = models.BooleanField(_("on-site warning sent"), default=False)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)

    objects = FieldJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("field job")
        verbose_name_plural = _("field jobs")
        ordering = ["contact_due_at", "pk"]
        permissions = [("contact_fieldjob", _("Can record the contact with the customer"))]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="fieldjob_next_check",
                condition=models.Q(next_check_at__isnull=False),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(appointment_end__isnull=True)
                | models.Q(appointment_end__gt=models.F("appointment_start")),
                name="fieldjob_appointment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return str(self.work_order)

    def clock_state(self, clock: str, now: object = None) -> str:
        """ "met", "met_late", "breached", "warned" or "running" for one clock."""
        now = now or timezone.now()
        if clock == Clock.CONTACT:
            stopped, due, warn_at = self.contacted_at, self.contact_due_at, self.contact_warn_at
        else:
            stopped, due, warn_at = self.first_arrival_at, self.onsite_due_at, self.onsite_warn_at
        if stopped is not None:
            return "met" if stopped <= due else "met_late"
        if now >= due:  # type: ignore[operator]
            return "breached"
        if now >= warn_at:  # type: ignore[operator]
            return "warned"
        return "running"


class ClockBreachQuerySet(ScopedQuerySet):
    scope_field = "field_job__work_order__unit"


class ClockBreach(models.Model):
    """A clock that ran out: which, when it was due, when the breach was recorded, and when
    the customer was contacted or the engineer arrived after all."""

    field_job = models.ForeignKey(
        FieldJob, verbose_name=_("field job"), on_delete=models.CASCADE, related_name="breaches"
    )
    clock = models.CharField(_("clock"), max_length=10, choices=Clock.choices)
    due_at = models.DateTimeField(_("was due"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    met_at = models.DateTimeField(_("met late at"), null=True, blank=True)

    objects = ClockBreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("clock breach")
        verbose_name_plural = _("clock breaches")
        ordering = ["-due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["field_job", "clock"], name="one_breach_per_clock")
        ]

    def __str__(self) -> str:
        return f"{self.field_job_id} {self.clock}"


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    EN_ROUTE = "en_route", _("On the way")
    ON_SITE = "on_site", _("On site")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# A visit in one of these holds the order: no second visit is planned beside it.
ACTIVE_VISIT = frozenset({VisitStatus.PLANNED, VisitStatus.EN_ROUTE, VisitStatus.ON_SITE})

VISIT_TRANSITIONS: dict[str, frozenset[str]] = {
    VisitStatus.PLANNED: frozenset(
        {VisitStatus.EN_ROUTE, VisitStatus.ON_SITE, VisitStatus.CANCELLED}
    ),
    VisitStatus.EN_ROUTE: frozenset({VisitStatus.ON_SITE, VisitStatus.CANCELLED}),
    VisitStatus.ON_SITE: frozenset({VisitStatus.DONE}),
}


class Outcome(models.TextChoices):
    FINISHED = "finished", _("Work finished")
    REVISIT = "revisit", _("Another visit needed")


class VisitQuerySet(ScopedQuerySet):
    scope_field = "work_order__unit"

    def active(self):  # type: ignore[no-untyped-def]
        return self.filter(status__in=ACTIVE_VISIT)


class Visit(models.Model):
    work_order = models.ForeignKey(
        "work_orders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    engineer = models.ForeignKey(
        Engineer, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="visits"
    )
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["window_start", "pk"]
        permissions = [
            ("work_visit", _("Can record own visits (arrival, departure, work done)")),
            ("dispatch_visit", _("Can dispatch visits (board, assignment, reassignment)")),
        ]
        indexes = [
            models.Index(fields=["engineer", "window_start"], name="visit_board"),
            models.Index(fields=["work_order", "status"], name="visit_by_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="visit_window_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(departed_at__isnull=True)
                | models.Q(arrived_at__isnull=False, departed_at__gte=models.F("arrived_at")),
                name="visit_departs_after_arrival",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_order} {self.window_start:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_VISIT
