"""`Idempotency-Key` for creating endpoints: a client that retries a POST (timeout, lost
answer) gets the first answer again and causes one effect."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used with a different request.")
    default_code = "idempotency_key_reused"


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(request: Request, create: Callable[[], Response]) -> Response:
    """Run `create` once per (user, key). Without the header, just run it."""
    key = request.headers.get(HEADER)
    if not key:
        return create()
    if len(key) > MAX_KEY_LENGTH:
        raise exceptions.ValidationError({HEADER: [_("The key is too long.")]})
    fingerprint = _fingerprint(request)
    existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    with transaction.atomic():
        response = create()
        if response.status_code >= 400:
            return response
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    user=request.user,
                    key=key,
                    request_fingerprint=fingerprint,
                    response_status=response.status_code,
                    response_body=response.data,
                )
        except IntegrityError:
            # A concurrent request with the same key won: undo ours, answer with theirs.
            transaction.set_rollback(True)
            winner = IdempotencyRecord.objects.get(user=request.user, key=key)
            return _replay(winner, fingerprint)
    return response


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    data: Any = record.response_body
    return Response(data, status=record.response_status, headers={"Idempotent-Replayed": "true"})
