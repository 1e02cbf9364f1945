"""Base classes for API endpoints: every queryset is scoped to the caller's units, the same
`visible_to` the HTML pages use; writes validate with an input serializer, go through the app's
service inside one transaction, and answer with the output serializer."""

from typing import Any

from django.db import models, transaction
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.api.idempotency import idempotent

WRITE_ACTIONS = {"create", "update", "partial_update"}


class ScopedReadViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    model: type[models.Model]
    output_serializer_class: type[serializers.BaseSerializer]
    # Bodies are JSON, as documented: form encodings cannot say `null` or an empty list, so a
    # form body could not mean what the same JSON body means (others are answered with 415).
    parser_classes = [JSONParser]

    def get_queryset(self) -> models.QuerySet[Any]:
        return self.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return self.output_serializer_class


class ScopedWriteViewSet(ScopedReadViewSet):
    input_serializer_class: type[serializers.BaseSerializer]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in WRITE_ACTIONS:
            return self.input_serializer_class
        return self.output_serializer_class

    def perform_create(self, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def perform_update(self, instance: models.Model, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def _output(self, instance: models.Model, code: int) -> Response:
        context = self.get_serializer_context()
        return Response(self.output_serializer_class(instance, context=context).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def run() -> Response:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            with transaction.atomic():
                instance = self.perform_create(dict(serializer.validated_data))
            return self._output(instance, status.HTTP_201_CREATED)

        return idempotent(request, run)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(
            instance, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.perform_update(instance, dict(serializer.validated_data))
        return self._output(instance, status.HTTP_200_OK)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)
