"""The phone channel: the lines customers call, the calls the phone exchange reports, and which
agents are on duty to take them.

The exchange posts each call to the API (`POST /api/v1/telephony/calls`); the caller is
identified by phone (an exact E.164 match against the customers' phones), an agent on duty in
the line's unit is chosen, and that agent's open pages show the caller's card within a few
seconds (the pop-up polls, see views.CallPopView)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.scoping import ScopedQuerySet


class PhoneLineQuerySet(ScopedQuerySet):
    scope_field = "unit"


class PhoneLine(models.Model):
    """A number customers call (the hotline 400-…, an outlet's own number). Calls to it go to
    the agents of `unit`."""

    number = models.CharField(
        _("number"),
        max_length=20,
        unique=True,
        help_text=_("The number customers dial, in any format; stored in international form."),
    )
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("answering unit"),
        on_delete=models.PROTECT,
        related_name="phone_lines",
        help_text=_("Calls to this number go to the agents on duty in this unit."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = PhoneLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("phone line")
        verbose_name_plural = _("phone lines")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class CallQuerySet(ScopedQuerySet):
    scope_field = "unit"


class Call(models.Model):
    """An incoming call as the phone exchange reported it, who it was (when the number is on a
    card), which agent it went to, and the request registered from it.

    A call is itself a log record written by a machine, at the rate calls arrive; it changes
    only by gaining `answered_at` and `request`, both self-describing, so it keeps no history
    table of its own."""

    call_id = models.CharField(_("call id"), max_length=100, unique=True)
    # As the exchange sent it (it may be anything: "anonymous", an internal extension), and
    # its E.164 reading when it is a valid number.
    caller = models.CharField(_("caller"), max_length=64, blank=True)
    caller_number = models.CharField(_("caller's number"), max_length=20, blank=True)
    withheld = models.BooleanField(_("number withheld"), default=False)
    called = models.CharField(_("number called"), max_length=64, blank=True)
    line = models.ForeignKey(
        PhoneLine,
        verbose_name=_("line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    # The unit whose agents answer: the line's, or TELEPHONY_DEFAULT_UNIT for an unknown line.
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("answering unit"),
        on_delete=models.PROTECT,
        related_name="calls",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The pop-up's poll: this agent's unanswered calls, newest first (every 3 s).
            models.Index(
                fields=["agent", "-received_at"],
                name="call_waiting_for_agent",
                condition=models.Q(answered_at__isnull=True),
            ),
            # The calls page: a unit's calls, newest first.
            models.Index(fields=["unit", "-received_at"], name="call_by_unit"),
            models.Index(fields=["received_at"], name="call_received"),
        ]

    def __str__(self) -> str:
        return self.call_id

    @property
    def first_contact(self) -> bool:
        """The caller's number is on no card: the agent is offered a new one. A withheld
        number says nothing either way."""
        return not self.withheld and self.customer_id is None


class AgentPresenceQuerySet(ScopedQuerySet):
    scope_field = "user__unit"


class AgentPresence(models.Model):
    """Whether an agent takes calls now ("on duty"), and when they last got one: calls go
    round-robin to the agent on duty whose last call is the oldest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="presence",
    )
    on_duty = models.BooleanField(_("on duty"), default=False)
    since = models.DateTimeField(_("since"), default=timezone.now)
    last_call_at = models.DateTimeField(_("last call"), null=True, blank=True)

    objects = AgentPresenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("agent on duty")
        verbose_name_plural = _("agents on duty")
        ordering = ["user"]
        indexes = [
            models.Index(
                fields=["last_call_at"], name="presence_on_duty", condition=models.Q(on_duty=True)
            )
        ]

    def __str__(self) -> str:
        return str(self.user)
