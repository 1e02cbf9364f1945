"""Writes to the configuration of service requests: request types and their questions and
transitions, the decisions directory, SLA policies, skills and routing rules.

Each function is one transaction and checks first what the database would refuse (unique
keys, resolution after response) and what the request rules rely on (a condition points at an
earlier question of the same type, the lifecycle keeps the transitions it takes), so the
administrator reads a sentence on the field and nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from aftersales.customers.selectors import region_choices
from aftersales.organisation.models import Unit
from aftersales.service_requests import services
from aftersales.service_requests.models import (
    Attachment,
    Decision,
    FieldKind,
    RequestType,
    RequestTypeField,
    RequestTypeTransition,
    RoutingRule,
    ServiceRequest,
    Skill,
    SlaPolicy,
    Status,
)

if TYPE_CHECKING:
    from aftersales.accounts.models import User

# Pairs every request type must allow, because the lifecycle itself takes them:
# - registered → in work: a request is taken into work (and its first response counts);
# - registered → cancelled, in work → cancelled: a request registered by mistake or withdrawn
#   by the customer must be able to end without a result;
# - in work → done: recording the decision and result (services.request_decide) needs it;
# - done → closed, done → disputed: the customer confirms or disputes the result (portal,
#   e-mail); that is the customer's right, not something a type may take away;
# - disputed → in work: a disputed request goes back to work, or it would be stuck for good.
# Everything else (waiting for the customer, done straight from registered, reopening a
# closed request) is the type's choice.
MANDATORY_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (Status.REGISTERED, Status.IN_WORK),
        (Status.REGISTERED, Status.CANCELLED),
        (Status.IN_WORK, Status.DONE),
        (Status.IN_WORK, Status.CANCELLED),
        (Status.DONE, Status.CLOSED),
        (Status.DONE, Status.DISPUTED),
        (Status.DISPUTED, Status.IN_WORK),
    }
)
# A type that may wait for the customer must be able to resume: the customer's reply puts the
# request back in work (services.message_post) whatever the matrix says.
RESUME_AFTER_WAITING = (Status.WAITING_CUSTOMER, Status.IN_WORK)

# Targets are business minutes; a year of round-the-clock minutes is more than any promise
# and keeps the deadline arithmetic bounded.
MAX_TARGET_MINUTES = 365 * 24 * 60
MIN_CHOICES = 2


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _apply[M: models.Model](instance: M, fields: dict[str, Any]) -> M:
    for name, value in fields.items():
        setattr(instance, name, value)
    return instance


@contextmanager
def _unchanged_if_refused(instance: models.Model) -> Iterator[None]:
    """A refused update leaves the caller's object as stored, not half-changed."""
    try:
        yield
    except ValidationError:
        instance.refresh_from_db()
        raise


def _model_errors(instance: models.Model) -> dict[str, list[str]]:
    """The model's own field checks (lengths, formats, choices); uniqueness and constraints
    are checked by the callers with messages of their own."""
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return dict(error.message_dict)
    return {}


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _others[M: models.Model](instance: M) -> models.QuerySet[M]:
    manager = type(instance)._default_manager
    return manager.exclude(pk=instance.pk) if instance.pk else manager.all()


# --- Request types ---------------------------------------------------------------------------


def _request_type_errors(request_type: RequestType) -> dict[str, list[str]]:
    errors = _model_errors(request_type)
    if request_type.code and _others(request_type).filter(code=request_type.code).exists():
        _add(
            errors,
            "code",
            _("The code “%(code)s” is already used by another request type.")
            % {"code": request_type.code},
        )
    return errors


@transaction.atomic
def request_type_create(**fields: Any) -> RequestType:
    """A new request type with the default lifecycle; questions are added afterwards."""
    _raise_if(_request_type_errors(RequestType(**fields)))
    return services.request_type_create(**fields)


@transaction.atomic
def request_type_update(*, request_type: RequestType, **fields: Any) -> RequestType:
    with _unchanged_if_refused(request_type):
        _apply(request_type, fields)
        _raise_if(_request_type_errors(request_type))
    request_type.save()
    return request_type


# --- Questions -------------------------------------------------------------------------------


def _sort_key(question: RequestTypeField) -> tuple[int, float]:
    # The order questions are asked in (RequestTypeField.Meta.ordering); a question not saved
    # yet comes after every saved one of the same order.
    return (question.order, question.pk if question.pk is not None else float("inf"))


def _is_asked_before(first: RequestTypeField, second: RequestTypeField) -> bool:
    return _sort_key(first) < _sort_key(second)


def _leads_back_to(question: RequestTypeField, parent: RequestTypeField) -> bool:
    """True when `parent`'s chain of conditions reaches `question` (a cycle)."""
    if question.pk is None:
        return False
    conditions = dict(
        RequestTypeField.objects.filter(request_type_id=question.request_type_id).values_list(
            "pk", "show_if_field_id"
        )
    )
    current: int | None = parent.pk
    for _step in range(len(conditions) + 1):
        if current is None:
            return False
        if current == question.pk:
            return True
        current = conditions.get(current)
    return True


def _condition_errors(question: RequestTypeField, errors: dict[str, list[str]]) -> None:
    parent = question.show_if_field
    values = _lines(question.show_if_values)
    if parent is None:
        if values:
            _add(
                errors,
                "show_if_values",
                _("Choose the question this one depends on, or leave the answers empty."),
            )
        question.show_if_values = ""
        return
    question.show_if_values = "\n".join(values)
    if parent.request_type_id != question.request_type_id:
        _add(errors, "show_if_field", _("Choose a question of the same request type."))
        return
    if question.pk is not None and parent.pk == question.pk:
        _add(errors, "show_if_field", _("A question cannot depend on its own answer."))
        return
    if _leads_back_to(question, parent):
        _add(
            errors,
            "show_if_field",
            _("“%(question)s” itself depends on this question: the conditions would go round.")
            % {"question": parent.label},
        )
        return
    if not _is_asked_before(parent, question):
        _add(
            errors,
            "show_if_field",
            _(
                "“%(question)s” is asked after this one; a question can only depend on an "
                "earlier one (give this question a higher order)."
            )
            % {"question": parent.label},
        )
    if parent.kind == FieldKind.FILE:
        _add(
            errors,
            "show_if_field",
            _("A question cannot depend on a file; choose a question with a typed answer."),
        )
        return
    if not values:
        _add(
            errors,
            "show_if_values",
            _("List the answers that show this question, one per line."),
        )
    elif parent.kind == FieldKind.CHOICE:
        offered = parent.choice_list
        for value in values:
            if value not in offered:
                _add(
                    errors,
                    "show_if_values",
                    _("“%(value)s” is not one of the answers offered by “%(question)s”.")
                    % {"value": value, "question": parent.label},
                )


def _dependents_errors(question: RequestTypeField, errors: dict[str, list[str]]) -> None:
    """A changed question must still suit the questions that depend on its answer."""
    if question.pk is None:
        return
    choices = question.choice_list
    for dependent in RequestTypeField.objects.filter(show_if_field=question):
        if not _is_asked_before(question, dependent):
            _add(
                errors,
                "order",
                _(
                    "“%(question)s” depends on this question and must be asked after it; "
                    "give this question a lower order."
                )
                % {"question": dependent.label},
            )
        if question.kind == FieldKind.FILE:
            _add(
                errors,
                "kind",
                _("“%(question)s” depends on this question's answer, which a file cannot give.")
                % {"question": dependent.label},
            )
        elif question.kind == FieldKind.CHOICE:
            for value in dependent.show_if_list:
                if value not in choices:
                    _add(
                        errors,
                        "choices",
                        _(
                            "“%(question)s” is shown when the answer is “%(value)s”: keep that "
                            "answer, or change that question first."
                        )
                        % {"question": dependent.label, "value": value},
                    )


def _key_in_use(request_type_id: int, key: str) -> bool:
    """Answers are stored under the question's key: requests that answered it keep the key."""
    requests = ServiceRequest.objects.filter(request_type_id=request_type_id)
    return (
        requests.filter(answers__has_key=key).exists()
        or Attachment.objects.filter(request__in=requests, field_key=key).exists()
    )


def _question_save(question: RequestTypeField, *, old_key: str | None = None) -> RequestTypeField:
    question.key = (question.key or "").strip()
    errors = _model_errors(question)
    if question.kind == FieldKind.CHOICE:
        choices = _lines(question.choices)
        duplicates = sorted({choice for choice in choices if choices.count(choice) > 1})
        if len(set(choices)) < MIN_CHOICES:
            _add(
                errors,
                "choices",
                _("A choice question needs at least two answers to choose from, one per line."),
            )
        for choice in duplicates:
            _add(errors, "choices", _("“%(choice)s” is listed twice.") % {"choice": choice})
        question.choices = "\n".join(choices)
    else:
        question.choices = ""  # only a choice question offers answers
    _condition_errors(question, errors)
    _dependents_errors(question, errors)
    if (
        question.key
        and _others(question)
        .filter(request_type_id=question.request_type_id, key=question.key)
        .exists()
    ):
        _add(
            errors,
            "key",
            _("Another question of this type already has the key “%(key)s”.")
            % {"key": question.key},
        )
    if (
        old_key is not None
        and old_key != question.key
        and _key_in_use(question.request_type_id, old_key)
    ):
        _add(
            errors,
            "key",
            _(
                "Requests already hold answers under the key “%(key)s”; it cannot change. "
                "Change the question's text instead."
            )
            % {"key": old_key},
        )
    _raise_if(errors)
    question.save()
    return question


@transaction.atomic
def question_create(*, request_type: RequestType, **fields: Any) -> RequestTypeField:
    """Add a question to `request_type`; a condition may only point at an earlier question."""
    RequestType.objects.select_for_update().filter(pk=request_type.pk).first()
    return _question_save(RequestTypeField(request_type=request_type, **fields))


@transaction.atomic
def question_update(*, question: RequestTypeField, **fields: Any) -> RequestTypeField:
    """Change a question; it must still suit the questions that depend on its answer."""
    RequestType.objects.select_for_update().filter(pk=question.request_type_id).first()
    old_key = RequestTypeField.objects.filter(pk=question.pk).values_list("key", flat=True).first()
    fields.pop("request_type", None)  # a question stays with its type
    with _unchanged_if_refused(question):
        return _question_save(_apply(question, fields), old_key=old_key)


@transaction.atomic
def question_delete(*, question: RequestTypeField) -> None:
    """Remove a question. Answers already given stay with their requests. A question other
    questions depend on is kept until they are changed: deleting it would take them along."""
    RequestType.objects.select_for_update().filter(pk=question.request_type_id).first()
    dependents = list(
        RequestTypeField.objects.filter(show_if_field=question).values_list("label", flat=True)
    )
    if dependents:
        raise ValidationError(
            _(
                "These questions are shown depending on this one: %(questions)s. Change or "
                "delete them first."
            )
            % {"questions": ", ".join(f"“{label}”" for label in dependents)}
        )
    question.delete()


# --- Transitions -----------------------------------------------------------------------------


def transition_label(pair: tuple[str, str]) -> str:
    return f"{Status(pair[0]).label} → {Status(pair[1]).label}"


@transaction.atomic
def transitions_save(*, request_type: RequestType, allowed: Iterable[tuple[str, str]]) -> None:
    """Replace the transitions `request_type` allows with `allowed`, as a whole. The pairs the
    lifecycle takes (MANDATORY_TRANSITIONS) cannot be removed."""
    RequestType.objects.select_for_update().filter(pk=request_type.pk).first()
    wanted: set[tuple[str, str]] = set()
    errors: list[str] = []
    for from_status, to_status in allowed:
        if from_status not in Status.values or to_status not in Status.values:
            errors.append(_("Choose transitions between known statuses."))
            continue
        if from_status == to_status:
            errors.append(_("A transition must change the status."))
            continue
        wanted.add((Status(from_status), Status(to_status)))
    for pair in sorted(MANDATORY_TRANSITIONS - wanted, key=_status_order):
        errors.append(
            _("“%(transition)s” is part of every request's lifecycle and stays allowed.")
            % {"transition": transition_label(pair)}
        )
    waits = any(to_status == Status.WAITING_CUSTOMER for _from, to_status in wanted)
    if waits and RESUME_AFTER_WAITING not in wanted:
        errors.append(
            _(
                "A request waiting for the customer goes back in work when the customer "
                "replies: keep “%(transition)s”, or allow no waiting."
            )
            % {"transition": transition_label(RESUME_AFTER_WAITING)}
        )
    if errors:
        raise ValidationError({"transitions": list(dict.fromkeys(errors))})
    existing = {
        (row.from_status, row.to_status): row.pk
        for row in RequestTypeTransition.objects.filter(request_type=request_type)
    }
    removed = [pk for pair, pk in existing.items() if pair not in wanted]
    RequestTypeTransition.objects.filter(pk__in=removed).delete()
    RequestTypeTransition.objects.bulk_create(
        RequestTypeTransition(request_type=request_type, from_status=a, to_status=b)
        for a, b in sorted(wanted - set(existing), key=_status_order)
    )


def _status_order(pair: tuple[str, str]) -> tuple[int, int]:
    return (Status.values.index(pair[0]), Status.values.index(pair[1]))


# --- Decisions -------------------------------------------------------------------------------


def _decision_save(decision: Decision) -> Decision:
    decision.name = " ".join((decision.name or "").split())
    errors = _model_errors(decision)
    same = _others(decision).filter(request_type_id=decision.request_type_id, name=decision.name)
    if decision.name and same.exists():
        _add(
            errors,
            "name",
            _("A decision named “%(name)s” already exists for this type.") % {"name": decision.name}
            if decision.request_type_id
            else _("A general decision named “%(name)s” already exists.") % {"name": decision.name},
        )
    _raise_if(errors)
    decision.save()
    return decision


@transaction.atomic
def decision_create(**fields: Any) -> Decision:
    """A decision in the directory: general (no type) or for one request type."""
    return _decision_save(Decision(**fields))


@transaction.atomic
def decision_update(*, decision: Decision, **fields: Any) -> Decision:
    """Change a decision; requests that recorded it keep it (switch it off to stop offering
    it)."""
    with _unchanged_if_refused(decision):
        return _decision_save(_apply(decision, fields))


# --- SLA policies ----------------------------------------------------------------------------


def _sla_policy_save(policy: SlaPolicy) -> SlaPolicy:
    policy.name = " ".join((policy.name or "").split())
    errors = _model_errors(policy)
    minutes = {
        "response_minutes": policy.response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "escalation_step_minutes": policy.escalation_step_minutes,
    }
    for field, value in minutes.items():
        if field in errors or value is None:
            continue
        if value < 1:
            _add(errors, field, _("Give at least one minute."))
        elif value > MAX_TARGET_MINUTES:
            _add(
                errors,
                field,
                _("At most %(limit)d minutes (a year).") % {"limit": MAX_TARGET_MINUTES},
            )
    if (
        "response_minutes" not in errors
        and "resolution_minutes" not in errors
        and policy.response_minutes is not None
        and policy.resolution_minutes is not None
        and policy.resolution_minutes < policy.response_minutes
    ):
        _add(
            errors,
            "resolution_minutes",
            _("The resolution target cannot come before the response target (%(minutes)d min).")
            % {"minutes": policy.response_minutes},
        )
    if policy.is_active:
        # Two active policies with the same conditions would leave the choice to chance.
        twin = (
            _others(policy)
            .filter(
                is_active=True,
                request_type_id=policy.request_type_id,
                priority=policy.priority,
                service_level=policy.service_level,
            )
            .first()
        )
        if twin is not None:
            _add(
                errors,
                "__all__",
                _(
                    "The active policy “%(name)s” already applies to the same type, priority "
                    "and contract level; change that one or make this one inactive."
                )
                % {"name": twin.name},
            )
    _raise_if(errors)
    policy.save()
    return policy


@transaction.atomic
def sla_policy_create(**fields: Any) -> SlaPolicy:
    return _sla_policy_save(SlaPolicy(**fields))


@transaction.atomic
def sla_policy_update(*, policy: SlaPolicy, **fields: Any) -> SlaPolicy:
    """Change a policy. Requests already registered keep their deadlines; new ones and the
    restarted clocks (after a dispute or reopening) use the new targets."""
    with _unchanged_if_refused(policy):
        return _sla_policy_save(_apply(policy, fields))


# --- Skills ----------------------------------------------------------------------------------


def _skill_save(skill: Skill, *, members: Iterable[User], user: User) -> Skill:
    from aftersales.accounts.models import User as UserModel

    skill.name = " ".join((skill.name or "").split())
    errors = _model_errors(skill)
    if skill.name and _others(skill).filter(name__iexact=skill.name).exists():
        _add(errors, "name", _("The skill “%(name)s” already exists.") % {"name": skill.name})
    chosen = {member.pk for member in members}
    visible = set(
        UserModel.objects.visible_to(user).filter(pk__in=chosen).values_list("pk", flat=True)
    )
    if chosen - visible:
        _add(errors, "members", _("Choose employees of your own units."))
    _raise_if(errors)
    skill.save()
    # Members the user cannot see (other units' employees) stay: an administrator of one
    # centre edits their own people's skills, not another centre's.
    hidden = set(
        skill.members.exclude(pk__in=UserModel.objects.visible_to(user).values("pk")).values_list(
            "pk", flat=True
        )
    )
    skill.members.set(hidden | visible)
    return skill


@transaction.atomic
def skill_create(*, user: User, name: str, members: Iterable[User] = ()) -> Skill:
    return _skill_save(Skill(name=name), members=members, user=user)


@transaction.atomic
def skill_update(*, skill: Skill, user: User, name: str, members: Iterable[User] = ()) -> Skill:
    """Rename a skill and set who of the user's employees has it."""
    with _unchanged_if_refused(skill):
        skill.name = name
        return _skill_save(skill, members=members, user=user)


# --- Routing rules ---------------------------------------------------------------------------


def _routing_rule_save(rule: RoutingRule, *, user: User) -> RoutingRule:
    errors = _model_errors(rule)
    if rule.region_id is not None and not region_choices(user).filter(pk=rule.region_id):
        _add(errors, "region", _("Choose a region."))
    handling = Unit.objects.visible_to(user).filter(pk=rule.handling_unit_id, is_active=True)
    if rule.handling_unit_id is not None and not handling.exists():
        _add(errors, "handling_unit", _("Choose an active unit of your own."))
    if not errors:
        twin = (
            _others(rule)
            .filter(region_id=rule.region_id, skill_id=rule.skill_id)
            .select_related("handling_unit")
            .first()
        )
        if twin is not None:
            seen = Unit.objects.visible_to(user).filter(pk=twin.handling_unit_id).exists()
            _add(
                errors,
                "__all__",
                _(
                    "Requests from this region with this skill already go to “%(unit)s”; "
                    "change that rule instead."
                )
                % {"unit": twin.handling_unit.name}
                if seen
                else _(
                    "Another unit's rule already routes requests from this region with this skill."
                ),
            )
    _raise_if(errors)
    rule.save()
    return rule


@transaction.atomic
def routing_rule_create(*, user: User, **fields: Any) -> RoutingRule:
    """Requests of customers in a region (needing a skill) go to a unit of the user's."""
    return _routing_rule_save(RoutingRule(**fields), user=user)


@transaction.atomic
def routing_rule_update(*, rule: RoutingRule, user: User, **fields: Any) -> RoutingRule:
    with _unchanged_if_refused(rule):
        return _routing_rule_save(_apply(rule, fields), user=user)


@transaction.atomic
def routing_rule_delete(*, rule: RoutingRule) -> None:
    rule.delete()
