"""Another unit's record used as a link target in a payload is refused, and nothing changes.

Walks every creating and updating API operation and every link field of its input serializer
(ScopedPrimaryKeyRelatedField), so new endpoints and new links are probed automatically.
"""

import re

from django.db import models
from rest_framework import serializers
from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.api.fields import ScopedPrimaryKeyRelatedField
from aftersales.core.testing import SHARED_MODELS, load_all_factories
from tests.test_access_matrix import _api_view, api_operations


def _scoped_links(serializer: serializers.Serializer) -> dict[str, tuple[type, bool]]:
    links = {}
    fields = serializer.fields
    for name, field in fields.items():
        if isinstance(field, serializers.ManyRelatedField):
            if isinstance(field.child_relation, ScopedPrimaryKeyRelatedField):
                links[name] = (field.child_relation.scoped_model, True)
        elif isinstance(field, ScopedPrimaryKeyRelatedField):
            links[name] = (field.scoped_model, False)
    return links


def _snapshot(model: type[models.Model]) -> list[tuple]:
    return list(model._base_manager.order_by("pk").values_list())


def test_foreign_link_targets_are_refused_everywhere(network) -> None:
    makers = load_all_factories()
    api = APIClient()
    api.force_authenticate(make_user("administrator", network.outlet_a))
    probed = 0
    for path, method in api_operations():
        if method not in {"post", "patch", "put"}:
            continue
        view = _api_view(path)
        if getattr(view, "input_serializer_class", None) is None:
            continue
        # The serializer the viewset really uses for this method (an update may take fewer
        # fields than a create, e.g. a product's owner changes only by transfer).
        instance = view()
        instance.action = {"post": "create", "put": "update", "patch": "partial_update"}[method]
        input_class = instance.get_serializer_class()
        own = makers[view.model](network.outlet_a) if "{" in path else None
        url = re.sub(r"\{[^}]+\}", str(own.pk), path) if own else path
        # Fields an update does not offer (e.g. a unit's parent) cannot carry a link at all.
        serializer = input_class(instance=own, context={"request": None})
        for field, (target_model, many) in _scoped_links(serializer).items():
            if target_model in SHARED_MODELS:
                continue  # a shared directory (the catalog) has no other unit's records
            foreign = makers[target_model](network.outlet_b)
            value = [foreign.pk] if many else foreign.pk
            before = _snapshot(view.model)
            response = getattr(api, method)(url, {field: value}, format="json")
            where = (method, path, field, response.status_code)
            assert response.status_code == 400, where
            assert field in response.json()["error"]["fields"], where
            assert _snapshot(view.model) == before, where
            probed += 1
    assert probed >= 3
