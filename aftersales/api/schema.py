from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "status": serializers.IntegerField(),
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(required=False),
            },
        )
    },
)

ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    403: OpenApiResponse(ErrorSerializer, description="No permission"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or outside your units"),
}


def add_idempotency_header(result, generator, request, public):  # type: ignore[no-untyped-def]
    """Every creating operation (a POST answering 201) accepts an Idempotency-Key header, and
    answers 422 when a key is reused for another request (aftersales.api.idempotency). A POST
    that creates nothing, such as a unit's deadline, takes no key."""
    for path_item in result.get("paths", {}).values():
        operation = path_item.get("post")
        if operation is None or "201" not in operation.get("responses", {}):
            continue
        operation["responses"].setdefault(
            "422",
            {
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                "description": "The Idempotency-Key was already used with another request",
            },
        )
        operation.setdefault("parameters", []).append(
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Send the same key when retrying: the request takes effect once.",
            }
        )
    return result


def allow_empty_query_values(result, generator, request, public):  # type: ignore[no-untyped-def]
    """An empty query parameter (`?kind=`) counts as not given, as HTML filter forms send their
    empty fields: django-filter, the ordering and the pagination all read it so."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
    return result


# One character that Python's str.strip() keeps: Unicode whitespace and the \x1c-\x1f separators
# are stripped (JSON Schema's `\s` has no separators).
NOT_BLANK_PATTERN = r"[^\s\x1c-\x1f]"


def require_non_blank_strings(result, generator, request, public):  # type: ignore[no-untyped-def]
    """DRF strips surrounding whitespace from text input before it checks that a required text is
    not blank, so "\\n" is refused although `minLength: 1` admits it. Request strings that must
    not be blank say so with a pattern (those with a pattern, format or choices of their own
    already exclude whitespace-only values)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            if (
                prop.get("type") == "string"
                and prop.get("minLength", 0) >= 1
                and not {"pattern", "format", "enum"} & prop.keys()
            ):
                prop["pattern"] = NOT_BLANK_PATTERN
    return result
