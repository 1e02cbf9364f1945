import itertools

from aftersales.accounts.models import Position, User
from aftersales.accounts.services import user_create
from aftersales.core.testing import scoped_factory, shared_factory
from aftersales.organisation.models import Unit

PASSWORD = "correct-horse-battery-9"
_numbers = itertools.count(1)


def make_user(position: str = "administrator", unit: Unit | None = None, **fields) -> User:  # type: ignore[no-untyped-def]
    fields.setdefault("username", f"{position}-{next(_numbers)}")
    return user_create(
        password=fields.pop("password", PASSWORD),
        position=Position.objects.get(code=position) if position else None,
        unit=unit,
        **fields,
    )


@scoped_factory(User)
def user_in(unit: Unit) -> User:
    return make_user("technician", unit)


@shared_factory(Position)
def any_position(unit: Unit) -> Position:
    return Position.objects.create(code=f"custom-{next(_numbers)}", name="Custom position")
