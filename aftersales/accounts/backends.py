from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import QuerySet


class PositionBackend(ModelBackend):
    """Django's model backend, with a user's position standing in for groups: the position's
    permissions are the user's (ModelBackend caches them per request on the user object)."""

    def _get_group_permissions(self, user_obj) -> QuerySet[Permission]:  # type: ignore[no-untyped-def, override]
        return Permission.objects.filter(positions__users=user_obj)

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:  # type: ignore[no-untyped-def, override]
        """The user's own permissions and their position's, in one query (ModelBackend reads
        them in two); cached on the user object for the request, as ModelBackend does."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            names = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*names)
            else:
                # A UNION, not an OR across both links: each side keeps its indexed lookup.
                own = Permission.objects.filter(user=user_obj).order_by().values_list(*names)
                held = self._get_group_permissions(user_obj).order_by().values_list(*names)
                rows = own.union(held, all=True).order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
