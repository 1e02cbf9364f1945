"""The one scoping mechanism: a user sees the records of their units' subtrees.

Units form a materialised-path tree (django-treebeard MP_Node): a unit's subtree is every unit
whose `path` starts with its own, so "records of my subtree" is one indexed prefix filter at any
depth. Every list, detail page, API endpoint, export, search and job goes through
`ScopedQuerySet.visible_to(user)`; a model says where its unit is with `scope_field`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import connection, models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from aftersales.accounts.models import User

# treebeard's default step length: each level adds four characters to the path.
PATH_STEP = 4


def scope_paths(user: User | AnonymousUser) -> list[str] | None:
    """Tree paths of the units whose subtrees `user` may see; None means everything."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, "_scope_paths", None)
    if cached is None:
        cached = user.unit_paths()
        # Drop paths already inside another one's subtree: fewer OR terms, same rows.
        cached = sorted(cached)
        minimal: list[str] = []
        for path in cached:
            if not any(path.startswith(kept) for kept in minimal):
                minimal.append(path)
        user._scope_paths = minimal  # type: ignore[union-attr]
        cached = minimal
    return cached


def scope_unit_ids(user: User | AnonymousUser) -> tuple[int, ...] | None:
    """Ids of every unit in the subtrees `user` may see; None means everything. Kept with the
    configuration (units are watched, so a unit added, moved or removed renews it): a filter
    on these ids lets the database use an index that leads with the unit for a narrow scope,
    where the join on paths cannot know that the scope is a unit or two."""
    paths = scope_paths(user)
    if paths is None:
        return None
    if not paths:
        return ()
    from aftersales.core import configuration
    from aftersales.organisation.models import Unit

    def load() -> tuple[int, ...]:
        return tuple(
            Unit.objects.filter(subtree_q("", paths)).order_by("pk").values_list("pk", flat=True)
        )

    return configuration.cached(("scope-unit-ids", *paths), load)


def ancestor_paths(path: str) -> list[str]:
    """Paths of a unit's ancestors and itself, computed from the path alone (no query)."""
    return [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]


# Sorts after every character of treebeard's path alphabet (0-9, A-Z).
PATH_END = "~"


def subtree_q(field: str, paths: list[str]) -> Q:
    """Rows whose unit (reached through `field`) lies in one of the subtrees at `paths`."""
    base = f"{field}__path" if field else "path"
    condition = Q(pk__in=[])
    for path in paths:
        if connection.vendor == "sqlite":
            # SQLite's LIKE ignores case, so no index serves `path LIKE 'p%'`; this range on
            # the same column is equivalent and indexed (bench: scoping.* on SQLite).
            condition |= Q(**{f"{base}__gte": path, f"{base}__lt": path + PATH_END})
        else:
            # PostgreSQL serves the prefix with the varchar_pattern_ops index Django adds.
            condition |= Q(**{f"{base}__startswith": path})
    return condition


class ScopedQuerySet(models.QuerySet):
    """QuerySet for records owned by a unit. Subclasses set `scope_field` (the path to the unit)."""

    scope_field = "unit"

    def visible_to(self, user: User | AnonymousUser) -> Self:
        paths = scope_paths(user)
        if paths is None:
            return self.all()
        return self.filter(subtree_q(self.scope_field, paths))


class SharedQuerySet(models.QuerySet):
    """For directories the whole organisation shares (positions, later: catalogues): every
    signed-in user may read them, given the permission; they belong to no unit."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        return self.all() if user.is_authenticated and user.is_active else self.none()
