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
