import copy
from collections.abc import Mapping
from typing import Any

from django.db import models
from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A link to another record, chosen among those the caller may see. An id from another
    unit's subtree is answered like an id that does not exist."""

    def __init__(self, model: type[models.Model], **kwargs: Any) -> None:
        self.scoped_model = model
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[Any]:
        request = self.context.get("request")
        if request is None:
            return self.scoped_model._default_manager.none()
        return self.scoped_model.objects.visible_to(request.user)  # type: ignore[attr-defined]


def _not_as_documented(field: serializers.Field, value: Any) -> str | None:
    """The error key of `field` for a JSON value that is not of the documented type, or for a
    text longer than documented as sent (DRF measures it after stripping surrounding
    whitespace); None if neither. The rest is the field's to validate (null included)."""
    if value is None:
        return None
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField):
        return None if isinstance(value, list) else "not_a_list"
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "invalid"
    if isinstance(field, serializers.ChoiceField):
        return None if any(type(value) is type(key) for key in field.choices) else "invalid_choice"
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        # JSON Schema counts 5.0 as an integer; "5" and true are not.
        whole = isinstance(value, int | float) and not isinstance(value, bool)
        if whole and float(value).is_integer():
            return None
        return "incorrect_type" if isinstance(field, serializers.RelatedField) else "invalid"
    if isinstance(field, serializers.CharField):
        if not isinstance(value, str):
            return "invalid"
        too_long = field.max_length is not None and len(value) > field.max_length
        return "max_length" if too_long else None
    return None


class StrictJSONTypesMixin:
    """For request bodies: each value must have the JSON type the schema documents. DRF alone
    quietly converts 0 to false, 5 to "5", "5" to 5 and {} to [], and takes a text that is too
    long by its surrounding spaces; such a body is refused (400) with the field's own DRF
    message instead."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[str]] = {}
            for name, field in self.fields.items():  # type: ignore[attr-defined]
                if field.read_only or name not in data:
                    continue
                key = _not_as_documented(field, data[name])
                if key is None:
                    continue
                kind = type(data[name]).__name__
                try:
                    field.fail(
                        key,
                        input=data[name],
                        data_type=kind,
                        input_type=kind,
                        max_length=getattr(field, "max_length", None),
                    )
                except serializers.ValidationError as error:
                    errors[name] = error.detail  # type: ignore[assignment]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class InputSerializer(StrictJSONTypesMixin, serializers.Serializer):
    """Base of request bodies (StrictJSONTypesMixin)."""


class InputModelSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    """Base of request bodies built from a model (StrictJSONTypesMixin)."""


_FIELD_PROTOTYPES: dict[type[serializers.BaseSerializer], dict[str, serializers.Field]] = {}


class OutputModelSerializer(serializers.ModelSerializer):
    """Base of responses built from a model whose fields depend on the class alone.
    ModelSerializer reads the model's fields and builds its own for every instance (several
    milliseconds a response for a wide model: bench requests.create); here they are built once
    per class and copied, as DRF copies declared fields."""

    def get_fields(self) -> dict[str, serializers.Field]:
        prototypes = _FIELD_PROTOTYPES.get(type(self))
        if prototypes is None:
            prototypes = _FIELD_PROTOTYPES.setdefault(type(self), super().get_fields())
        return copy.deepcopy(prototypes)
