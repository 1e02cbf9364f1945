"""Service requests: what a customer asks for, on any channel, and everything that happens to
it until it is closed.

A request's type says which questions to ask, which statuses and transitions are allowed and
which decisions fit; an SLA policy gives its response and resolution targets in business
minutes of the handling unit's calendar. Deadlines are stored as instants, so "what is due"
and "what is overdue" are index range scans; `due_at` is the next deadline that matters (the
response deadline until the first response, then the resolution deadline; empty while the
clock is paused or the request is no longer open), and the queues sort on it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.contracts.models import ServiceLevel
from aftersales.core.files import private_storage
from aftersales.core.scoping import ScopedQuerySet, SharedQuerySet

NUMBER_PREFIX = "R"


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    IN_WORK = "in_work", _("In work")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    DONE = "done", _("Done")
    DISPUTED = "disputed", _("Disputed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# The request still needs work from us: it sits in queues, its deadlines run, it escalates.
OPEN_STATUSES = frozenset(
    {Status.REGISTERED, Status.IN_WORK, Status.WAITING_CUSTOMER, Status.DISPUTED}
)
# Every type allows these; an administrator may add more (e.g. registered → done).
DEFAULT_TRANSITIONS = (
    (Status.REGISTERED, Status.IN_WORK),
    (Status.REGISTERED, Status.CANCELLED),
    (Status.IN_WORK, Status.WAITING_CUSTOMER),
    (Status.WAITING_CUSTOMER, Status.IN_WORK),
    (Status.IN_WORK, Status.DONE),
    (Status.IN_WORK, Status.CANCELLED),
    (Status.WAITING_CUSTOMER, Status.CANCELLED),
    (Status.DONE, Status.CLOSED),
    (Status.DONE, Status.DISPUTED),
    (Status.DISPUTED, Status.IN_WORK),
    (Status.DISPUTED, Status.DONE),
    (Status.CLOSED, Status.IN_WORK),
)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Customer portal")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    LETTER = "letter", _("Letter")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")


class Skill(models.Model):
    """What an employee can handle ("air conditioners", "1C implementation"); request types
    ask for one, and assignment by skill picks among the employees who have it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("employees"), related_name="skills", blank=True
    )

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RequestType(models.Model):
    """A kind of request (repair, installation, consultation, complaint, purchase enquiry…),
    configured by administrators: its questions, transitions and decisions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    skill = models.ForeignKey(
        Skill,
        verbose_name=_("skill"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="request_types",
    )
    reopen_days = models.PositiveSmallIntegerField(
        _("reopen within (days)"),
        default=14,
        help_text=_("How long after closure the request may still be reopened."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    FILE = "file", _("File")


class RequestTypeField(models.Model):
    """One question a request type asks. A conditional question is shown (and validated) only
    when the answer to `show_if_field` is one of `show_if_values`."""

    request_type = models.ForeignKey(
        RequestType, verbose_name=_("request type"), on_delete=models.CASCADE, related_name="fields"
    )
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line."))
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    show_if_field = models.ForeignKey(
        "self",
        verbose_name=_("shown when the answer to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependent_fields",
    )
    show_if_values = models.TextField(
        _("is one of"), blank=True, help_text=_("One answer per line.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request_type", "key"], name="one_key_per_type")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def show_if_list(self) -> list[str]:
        return [line.strip() for line in self.show_if_values.splitlines() if line.strip()]


class RequestTypeTransition(models.Model):
    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("request type"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)

    class Meta:
        verbose_name = _("allowed transition")
        verbose_name_plural = _("allowed transitions")
        constraints = [
            models.UniqueConstraint(
                fields=["request_type", "from_status", "to_status"], name="one_transition"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")),
                name="transition_changes_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class DecisionOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    INFORMATION = "information", _("Information given")


class Decision(models.Model):
    """A typed decision from the directory ("in work", "declined: new product needed"…);
    general (no type) or for one request type."""

    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("request type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decisions",
    )
    name = models.CharField(_("name"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=12, choices=DecisionOutcome.choices)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Response and resolution targets, in business minutes of the handling unit's calendar.
    The most specific active policy matching type, priority and the customer's contract level
    applies (an empty condition matches anything)."""

    name = models.CharField(_("name"), max_length=200)
    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("request type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, null=True, blank=True
    )
    service_level = models.CharField(
        _("contract service level"),
        max_length=10,
        choices=ServiceLevel.choices,
        blank=True,
        help_text=_("Empty: whether or not the customer has a contract."),
    )
    response_minutes = models.PositiveIntegerField(_("response within (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolve within (business minutes)"))
    escalation_step_minutes = models.PositiveIntegerField(
        _("next escalation after (minutes)"),
        default=60,
        help_text=_("After a breach, how long each level has before the next one is told."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolution_minutes__gte=models.F("response_minutes")),
                name="resolution_after_response",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRuleQuerySet(ScopedQuerySet):
    scope_field = "handling_unit"


class RoutingRule(models.Model):
    """Requests of customers in `region` (and, when given, needing `skill`) go to
    `handling_unit`; rules are tried in `order`."""

    region = models.ForeignKey(
        "organisation.Unit", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.CASCADE, null=True, blank=True
    )
    handling_unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("handling unit"),
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    history = HistoricalRecords()

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.region} → {self.handling_unit}"


def new_reply_token() -> str:
    return secrets.token_hex(5)


class ServiceRequestQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def open(self):  # type: ignore[no-untyped-def]
        return self.filter(is_open=True)


class ServiceRequest(models.Model):
    # No index of its own: request_by_customer leads with it (one index less to write).
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_requests",
        db_index=False,
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    product = models.ForeignKey(
        "installed_base.InstalledProduct",
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
    )
    contract = models.ForeignKey(
        "contracts.ServiceContract",
        verbose_name=_("contract"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
    )
    request_type = models.ForeignKey(
        RequestType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="requests"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The channel's own reference: the exchange's call id, the e-mail's Message-ID, a letter's
    # registration number.
    external_ref = models.CharField(_("channel reference"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Answers to the type's questions: {question key: value as text}; files are attachments.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_requests",
    )
    executors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executors"),
        blank=True,
        related_name="executed_requests",
    )
    sla_policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("SLA policy"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # Where and in which language the customer hears about this request: the e-mail sender,
    # the portal account, the contact's or the customer's first address.
    customer_email = models.EmailField(_("customer's e-mail"), blank=True)
    customer_language = models.CharField(
        _("customer's language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    response_due_at = models.DateTimeField(_("respond by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # While waiting for the customer the clock stops: the business minutes left on each
    # target are kept here and the due instants are recomputed when work resumes.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_response_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    paused_resolution_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, null=True, blank=True
    )
    result = models.TextField(_("result"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    customer_claim = models.TextField(_("customer's claim"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Proves that an e-mail reply belongs to this request (in the subject tag and Message-ID).
    reply_token = models.CharField(max_length=10, default=new_reply_token, editable=False)
    # The history copies each foreign key as a plain column; nobody looks a request's past up
    # by them, and an index on each cost every registration and every step ten more index
    # entries to write (bench/README.md, finding 25). The request's own id stays indexed.
    history = HistoricalRecords(
        excluded_fields=["reply_token"],
        no_db_index=[
            "customer",
            "contact",
            "product",
            "contract",
            "request_type",
            "unit",
            "responsible",
            "sla_policy",
            "registered_by",
            "decision",
        ],
    )

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-registered_at", "-pk"]
        permissions = [
            ("work_servicerequest", _("Can work on service requests")),
            ("reassign_servicerequest", _("Can reassign service requests")),
            ("configure_servicerequest", _("Can configure request types and SLAs")),
        ]
        indexes = [
            # The queues: "mine", "my unit's", "overdue", "unassigned", each ordered by due time
            # and id (the queues' order), so a page is read from the index in order and the
            # LIMIT stops the scan: no sort (bench: requests.queue.* at 10 million requests).
            models.Index(
                fields=["responsible", "due_at", "id"],
                name="request_queue_mine",
                condition=models.Q(is_open=True),
            ),
            models.Index(
                fields=["unit", "due_at", "id"],
                name="request_queue_unit",
                condition=models.Q(is_open=True),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="request_queue_due",
                condition=models.Q(is_open=True),
            ),
            # Unassigned requests are few: for a wide scope the planner walks them in due
            # order; a narrow one is read by its units' ids (selectors.queue_slice).
            models.Index(
                fields=["due_at", "id"],
                name="request_queue_unassigned",
                condition=models.Q(is_open=True, responsible__isnull=True),
            ),
            models.Index(
                fields=["unit", "due_at", "id"],
                name="request_queue_unit_unassigned",
                condition=models.Q(is_open=True, responsible__isnull=True),
            ),
            models.Index(fields=["customer", "-registered_at"], name="request_by_customer"),
            models.Index(fields=["registered_at"], name="request_registered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__range=(1, 5)),
                name="rating_one_to_five",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return format_number(self.pk)

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()

    @property
    def thread_tag(self) -> str:
        """The tag in e-mail subjects that threads a reply: [R00001234·k3x9f2a1b0]."""
        return f"[{self.number}-{self.reply_token}]"


class RequestEscalation(models.Model):
    """Where a request stands on the escalation chain and when it moves next. A narrow table of
    its own (one row a request, written at registration) because the sweep rewrites it for
    every overdue request: on the wide requests table, with its many indexes, each move wrote
    the whole row and an entry in every index (bench/README.md, finding 16); here it is a few
    bytes and two index entries. `next_at` is empty when nothing will escalate: the request is
    closed, paused, has no deadline, or the chain has reached the root."""

    request = models.OneToOneField(
        ServiceRequest,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="escalation",
    )
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [
            models.Index(
                fields=["next_at"],
                name="request_escalation_due",
                condition=models.Q(next_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{format_number(self.request_id)} {self.level}"


def format_number(pk: int | None) -> str:
    return f"{NUMBER_PREFIX}{pk:08d}" if pk else ""


def parse_number(text: str) -> int | None:
    """The pk in "R00001234" (any case, with or without zeros), or None."""
    text = (text or "").strip().upper()
    if text.startswith(NUMBER_PREFIX) and text[1:].isdigit() and 0 < len(text) - 1 <= 12:
        return int(text[1:])
    return None


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    REASSIGNED = "reassigned", _("Reassigned")
    ESCALATED = "escalated", _("Escalated")
    DECIDED = "decided", _("Decision recorded")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    DISPUTED = "disputed", _("Disputed by the customer")
    RATED = "rated", _("Rated by the customer")
    REOPENED = "reopened", _("Reopened")


class RequestEventQuerySet(ScopedQuerySet):
    scope_field = "request__unit"


class RequestEvent(models.Model):
    """The request's own log: each step, who took it and why. Escalations are events of kind
    ESCALATED with the level reached and the person and unit told."""

    # No index of its own: request_event_log leads with it. The sweep writes an event for
    # every escalation, and the extra index cost 7 µs each (bench/README.md, finding 20).
    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("request"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # The people and unit are not indexed either: nothing looks events up by them (no reverse
    # accessors), and every escalation wrote an entry in each of the three (without them the
    # sweep's backend spent 6% less CPU on the same data; finding 32). Deleting a user or a
    # unit, which the application never does (it deactivates them), then reads the whole
    # table to clear them from the events.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    target_unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = RequestEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"], name="request_event_log")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class MessageQuerySet(ScopedQuerySet):
    scope_field = "request__unit"

    def public(self):  # type: ignore[no-untyped-def]
        return self.filter(is_internal=False)


class RequestMessage(models.Model):
    """The conversation: public messages (the customer sees them) and internal notes."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Employee")
        PORTAL = "portal", _("Customer portal")
        EMAIL = "email", _("E-mail")

    # No index of its own: request_thread leads with it.
    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("request"),
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the customer wrote (portal or e-mail): their name or address as given.
    author_name = models.CharField(_("from"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    is_internal = models.BooleanField(_("internal note"), default=False)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"], name="request_thread")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.created_at:%Y-%m-%d %H:%M}"


class AttachmentQuerySet(ScopedQuerySet):
    scope_field = "request__unit"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name: it may hold anything. The original name is kept in a column.
    return f"requests/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file on a request (a question's answer, a message's attachment, or on the request
    itself). Stored outside the web root (PRIVATE_MEDIA_ROOT) and served only by a view that
    checks who asks; see aftersales.core.files."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("request"),
    )
    message = models.ForeignKey(
        RequestMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    field_key = models.SlugField(_("question"), max_length=40, blank=True)
    file = models.FileField(
        _("file"), upload_to=attachment_path, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=150)
    size = models.PositiveBigIntegerField(_("size"))
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
