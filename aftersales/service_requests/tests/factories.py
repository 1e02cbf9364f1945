import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.core.testing import scoped_factory, shared_factory
from aftersales.customers.tests.factories import make_customer
from aftersales.organisation.models import Unit
from aftersales.service_requests import config_services, services
from aftersales.service_requests.models import (
    Attachment,
    Channel,
    Decision,
    DecisionOutcome,
    FieldKind,
    RequestType,
    RequestTypeField,
    RoutingRule,
    ServiceRequest,
    Skill,
    SlaPolicy,
)

_numbers = itertools.count(1)


def make_request_type(**fields) -> RequestType:  # type: ignore[no-untyped-def]
    number = next(_numbers)
    fields.setdefault("code", f"type-{number}")
    fields.setdefault("name", f"Request type {number}")
    return services.request_type_create(**fields)


def make_sla_policy(**fields) -> SlaPolicy:  # type: ignore[no-untyped-def]
    fields.setdefault("name", f"SLA {next(_numbers)}")
    fields.setdefault("response_minutes", 60)
    fields.setdefault("resolution_minutes", 480)
    return SlaPolicy.objects.create(**fields)


def make_decision(**fields) -> Decision:  # type: ignore[no-untyped-def]
    fields.setdefault("name", f"Decision {next(_numbers)}")
    fields.setdefault("outcome", DecisionOutcome.ACCEPTED)
    return Decision.objects.create(**fields)


def make_service_request(customer=None, unit=None, **fields) -> ServiceRequest:  # type: ignore[no-untyped-def]
    """A request registered the way an agent registers one (rules, deadlines and all)."""
    customer = customer or make_customer(unit or Unit.objects.order_by("path").first())
    fields.setdefault("request_type", RequestType.objects.first() or make_request_type())
    fields.setdefault("channel", Channel.PHONE)
    fields.setdefault("subject", f"Request {next(_numbers)}")
    return services.request_register(customer=customer, **fields)


@scoped_factory(ServiceRequest)
def service_request_in(unit: Unit) -> ServiceRequest:
    return make_service_request(make_customer(unit))


@shared_factory(RequestType)
def request_type_shared(unit: Unit) -> RequestType:
    return make_request_type()


@scoped_factory(Attachment)
def attachment_in(unit: Unit) -> Attachment:
    """A file on a request of `unit` (as an internal note's attachment)."""
    request = make_service_request(make_customer(unit))
    services.message_post(
        request=request,
        body="",
        internal=True,
        files=[services.NewFile("note.txt", SimpleUploadedFile("note.txt", b"hello"))],
    )
    return request.attachments.get()


# --- Configuration (config_views) -------------------------------------------------------------


def make_question(request_type: RequestType | None = None, **fields) -> RequestTypeField:  # type: ignore[no-untyped-def]
    """A question added the way an administrator adds one (conditions checked)."""
    number = next(_numbers)
    fields.setdefault("key", f"question-{number}")
    fields.setdefault("label", f"Question {number}")
    fields.setdefault("kind", FieldKind.TEXT)
    return config_services.question_create(
        request_type=request_type or make_request_type(), **fields
    )


def make_skill(*members, **fields) -> Skill:  # type: ignore[no-untyped-def]
    fields.setdefault("name", f"Skill {next(_numbers)}")
    skill = Skill.objects.create(**fields)
    skill.members.set(members)
    return skill


def make_routing_rule(handling_unit: Unit, region: Unit | None = None, **fields) -> RoutingRule:  # type: ignore[no-untyped-def]
    """A rule sending requests from `region` (default: the region above the unit) to it."""
    if region is None:
        regions = [unit for unit in handling_unit.lineage() if unit.kind == "region"]
        region = regions[-1] if regions else Unit.objects.filter(kind="region").first()
    return RoutingRule.objects.create(region=region, handling_unit=handling_unit, **fields)


@shared_factory(RequestTypeField)
def question_shared(unit: Unit) -> RequestTypeField:
    return make_question()


@shared_factory(Decision)
def decision_shared(unit: Unit) -> Decision:
    return make_decision()


@shared_factory(SlaPolicy)
def sla_policy_shared(unit: Unit) -> SlaPolicy:
    return make_sla_policy()


@shared_factory(Skill)
def skill_shared(unit: Unit) -> Skill:
    return make_skill()


@scoped_factory(RoutingRule)
def routing_rule_in(unit: Unit) -> RoutingRule:
    return make_routing_rule(unit)
