from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import QuerySet


class PositionBackend(ModelBackend):
    """Django's model backend, with a user's position standing in for groups: the position's
    permissions are the user's (ModelBackend caches them per request on the user object)."""

    def _get_group_permissions(self, user_obj) -> QuerySet[Permission]:  # type: ignore[no-untyped-def, override]
        return Permission.objects.filter(positions__users=user_obj)
