"""Test helpers shared by every app's tests (kept in the package so apps can import them).

`scoped_factory(Model)` registers how to make a record of `Model` that belongs to a given unit.
The access-matrix test uses the registry to create an own-unit and a foreign-unit record for
every page and API operation, so each new model registers its maker once and every endpoint
on it is covered without new matrix code.
"""

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import models

ScopedMaker = Callable[[Any], models.Model]
_MAKERS: dict[type[models.Model], ScopedMaker] = {}
# Models that belong to no unit (shared directories): visible to all who hold the permission.
SHARED_MODELS: set[type[models.Model]] = set()


def scoped_factory(model: type[models.Model]) -> Callable[[ScopedMaker], ScopedMaker]:
    def register(maker: ScopedMaker) -> ScopedMaker:
        _MAKERS[model] = maker
        return maker

    return register


def shared_factory(model: type[models.Model]) -> Callable[[ScopedMaker], ScopedMaker]:
    SHARED_MODELS.add(model)
    return scoped_factory(model)


def load_all_factories() -> dict[type[models.Model], ScopedMaker]:
    for config in apps.get_app_configs():
        if config.name.startswith("aftersales."):
            try:
                import_module(f"{config.name}.tests.factories")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tests.factories":
                    raise
    return dict(_MAKERS)


def query_count(client: Any, url: str) -> int:
    """Queries one GET of `url` takes (for flat-query-count assertions: no N+1). A first,
    uncounted request fills per-session caches (e.g. the user's time zone)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)
