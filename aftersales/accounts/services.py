"""Writes for people, positions and API tokens."""

from typing import Any

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aftersales.accounts.models import ApiToken, Position, User
from aftersales.accounts.positions import SYSTEM_POSITION_NAMES, SYSTEM_POSITION_PERMISSIONS


@transaction.atomic
def user_create(*, password: str | None, additional_units: Any = (), **fields: Any) -> User:
    """Create a person. Without a password they cannot sign in until one is set."""
    user = User(**fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.additional_units.set(additional_units)
    return user


@transaction.atomic
def user_update(*, user: User, additional_units: Any = None, **fields: Any) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    if additional_units is not None:
        user.additional_units.set(additional_units)
    return user


@transaction.atomic
def position_save(*, position: Position, permissions: Any, **fields: Any) -> Position:
    for name, value in fields.items():
        setattr(position, name, value)
    position.full_clean()
    position.save()
    position.permissions.set(permissions)
    return position


def permissions_from_names(names: set[str]) -> list[Permission]:
    condition = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(condition).select_related("content_type"))
    missing = names - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise LookupError(f"unknown permissions: {sorted(missing)}")
    return found


@transaction.atomic
def sync_system_positions(*, reset_permissions: bool = False) -> list[Position]:
    """Create the positions the product ships with. Their permissions are written when the
    position is first created (or when asked to reset); later edits by an administrator stay."""
    positions = []
    for code, name in SYSTEM_POSITION_NAMES.items():
        position, created = Position.objects.get_or_create(
            code=code, defaults={"name": str(name), "is_system": True}
        )
        if created or reset_permissions:
            position.permissions.set(permissions_from_names(SYSTEM_POSITION_PERMISSIONS[code]))
        positions.append(position)
    return positions


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token. Returns the row and the secret, which is not stored and
    cannot be shown again."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[: len(ApiToken.PREFIX) + 6],
        key_hash=ApiToken.hash_key(key),
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
