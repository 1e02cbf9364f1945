"""Reads of the audit trail kept by django-simple-history: who changed what, old → new."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: datetime
    who: Any
    action: str
    changes: list[FieldChange]


def _display(record: Any, field_name: str, value: Any) -> Any:
    try:
        field = record._meta.get_field(field_name)
    except Exception:  # noqa: BLE001 — a field removed since the record was written
        return value
    if getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.ForeignKey) and value is not None:
        target = field.related_model._default_manager.filter(pk=value).first()
        return target if target is not None else value
    return value


def history_of(obj: models.Model, limit: int = 50) -> list[HistoryEntry]:
    """The latest changes to `obj`, newest first, each with its field-by-field differences."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )  # type: ignore[attr-defined]
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [
                FieldChange(
                    field=str(record._meta.get_field(c.field).verbose_name)
                    if c.field in {f.name for f in record._meta.fields}
                    else c.field,
                    old=_display(record, c.field, c.old),
                    new=_display(record, c.field, c.new),
                )
                for c in delta.changes
            ]
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                action=record.get_history_type_display(),
                changes=changes,
            )
        )
    return entries
