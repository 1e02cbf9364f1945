"""One error format for the whole API:

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"name": ["…"]}}}

Messages are in the caller's language (Accept-Language, or the user's preferred language).
Django ValidationErrors raised by services become 400 with their field messages.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


def _as_field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {
            key: value if isinstance(value, list | dict) else [value]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    error: dict[str, Any] = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        error["code"] = "invalid"
        error["message"] = _("The request contains invalid data.")
        error["fields"] = _as_field_errors(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        error["code"] = (
            exc.default_code if not isinstance(exc.get_codes(), str) else exc.get_codes()
        )
        error["message"] = (
            str(exc.detail) if not isinstance(exc.detail, list | dict) else str(exc.default_detail)
        )
    else:
        error["code"] = "error"
        error["message"] = _("The request could not be processed.")
    if response.status_code == status.HTTP_404_NOT_FOUND:
        error["message"] = _("Not found.")
    response.data = {"error": error}
    return response


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any other address under the API (an id that is not a number, a mistyped path) answers
    with the API's JSON 404, not the site's HTML page, whatever the method."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound()
