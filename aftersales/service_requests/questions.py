"""A request type's questions: which are shown for the answers given so far, and the answers
cleaned. Pure functions over the type's fields; the agent's form, the portal, the e-mail
channel and the API all pass through `clean_answers`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from aftersales.service_requests.models import FieldKind, RequestTypeField

TEXT_LIMITS = {FieldKind.TEXT: 500, FieldKind.LONG_TEXT: 10_000}


def shown_fields(
    fields: Sequence[RequestTypeField], answers: Mapping[str, Any]
) -> list[RequestTypeField]:
    """The questions to ask given `answers`: unconditional ones, and conditional ones whose
    controlling question is itself shown and answered with one of the listed values."""
    by_pk = {field.pk: field for field in fields}
    decided: dict[int, bool] = {}

    def is_shown(field: RequestTypeField, depth: int = 0) -> bool:
        if field.pk in decided:
            return decided[field.pk]
        parent = by_pk.get(field.show_if_field_id) if field.show_if_field_id else None
        if field.show_if_field_id is None:
            shown = True
        elif parent is None or depth > len(fields):  # a dangling or cyclic condition
            shown = False
        else:
            answer = str(answers.get(parent.key, "") or "").strip()
            shown = is_shown(parent, depth + 1) and answer in field.show_if_list
        decided[field.pk] = shown
        return shown

    return [field for field in fields if is_shown(field)]


def _clean_value(field: RequestTypeField, raw: Any) -> str:
    text = "" if raw is None else str(raw).strip()
    if not text:
        return ""
    if field.kind in TEXT_LIMITS:
        limit = TEXT_LIMITS[FieldKind(field.kind)]
        if len(text) > limit:
            raise ValidationError(_("At most %(limit)d characters.") % {"limit": limit})
        return text
    if field.kind == FieldKind.NUMBER:
        try:
            number = Decimal(text.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            raise ValidationError(_("Enter a number."))
        return format(number.normalize(), "f")
    if field.kind == FieldKind.DATE:
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if field.kind == FieldKind.CHOICE:
        if text not in field.choice_list:
            raise ValidationError(_("Choose one of the offered answers."))
        return text
    return text


def clean_answers(
    fields: Sequence[RequestTypeField],
    answers: Mapping[str, Any],
    file_keys: frozenset[str] | set[str] = frozenset(),
) -> dict[str, str]:
    """The answers to the shown questions, cleaned; answers to hidden or unknown questions
    are dropped. `file_keys` names the file questions that came with a file. ValidationError
    keyed by question key when an answer is invalid or a required question is unanswered."""
    shown = shown_fields(fields, answers)
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field in shown:
        if field.kind == FieldKind.FILE:
            if field.required and field.key not in file_keys:
                errors[field.key] = [_("Attach a file.")]
            continue
        try:
            value = _clean_value(field, answers.get(field.key))
        except ValidationError as error:
            errors[field.key] = error.messages
            continue
        if value:
            cleaned[field.key] = value
        elif field.required:
            errors[field.key] = [_("Answer this question.")]
    if errors:
        raise ValidationError(errors)
    return cleaned
