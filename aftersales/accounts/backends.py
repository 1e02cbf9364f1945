import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import QuerySet

from aftersales.core import configuration


class PositionBackend(ModelBackend):
    """Django's model backend, with a user's position standing in for groups: the position's
    permissions are the user's (ModelBackend caches them per request on the user object)."""

    def get_user(self, user_id):  # type: ignore[no-untyped-def]
        """The signed-in user of a session with their unit and position, which every page's
        header shows: one query instead of three."""
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("unit", "position").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def _get_group_permissions(self, user_obj) -> QuerySet[Permission]:  # type: ignore[no-untyped-def, override]
        return Permission.objects.filter(positions__users=user_obj)

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:  # type: ignore[no-untyped-def, override]
        """The user's own permissions and their position's, in one query (ModelBackend reads
        them in two), kept with the configuration (`core.configuration`: links of positions
        and people to permissions are watched) and on the user object for the request, as
        ModelBackend does."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                key: tuple[object, ...] = ("permissions", "all")
            else:
                key = ("permissions", user_obj.pk, user_obj.position_id)
            user_obj._perm_cache = configuration.cached(key, lambda: _read_permissions(user_obj))
        return user_obj._perm_cache


def _read_permissions(user) -> frozenset[str]:  # type: ignore[no-untyped-def]
    if user.is_superuser:
        rows = list(Permission.objects.values_list("content_type__app_label", "codename"))
    else:
        with connection.cursor() as cursor:
            cursor.execute(_permissions_sql(), [user.pk, user.position_id])
            rows = cursor.fetchall()
    return frozenset(f"{app_label}.{codename}" for app_label, codename in rows)


@functools.cache
def _permissions_sql() -> str:
    # By hand: every request checks a permission, and building this UNION through the ORM cost
    # more than running it (bench requests.queue.*.http). A UNION, not an OR across both links:
    # each side keeps its indexed lookup.
    from aftersales.accounts.models import Position, User

    names = (
        f"SELECT t.app_label, p.codename FROM {Permission._meta.db_table} p"
        f" JOIN {ContentType._meta.db_table} t ON t.id = p.content_type_id"
    )
    own = User.user_permissions.through._meta.db_table
    held = Position.permissions.through._meta.db_table
    return (
        f"{names} JOIN {own} o ON o.permission_id = p.id WHERE o.user_id = %s"
        f" UNION ALL {names} JOIN {held} h ON h.permission_id = p.id WHERE h.position_id = %s"
    )
