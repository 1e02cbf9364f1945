import itertools

from aftersales.core.testing import scoped_factory
from aftersales.organisation.models import Unit
from aftersales.telephony import services
from aftersales.telephony.models import AgentPresence, Call, PhoneLine

_numbers = itertools.count(1)


def make_phone_line(unit: Unit, number: str | None = None, **fields) -> PhoneLine:  # type: ignore[no-untyped-def]
    """A line customers dial (by default a 400 number, unique per call of this maker)."""
    fields.setdefault("name", f"Line {next(_numbers)}")
    if number is None:
        # A valid Chinese 400 number (ten digits), unique for the first million lines.
        serial = next(_numbers)
        number = f"400-8{serial // 10_000 % 100:02d}-{serial % 10_000:04d}"
    return services.phone_line_create(number=number, unit=unit, **fields)


@scoped_factory(PhoneLine)
def phone_line_in(unit: Unit) -> PhoneLine:
    return make_phone_line(unit)


@scoped_factory(Call)
def call_in(unit: Unit) -> Call:
    call, _created = services.call_receive(
        call_id=f"factory-{next(_numbers)}",
        caller="+8613800000000",
        called=make_phone_line(unit).number,
    )
    return call


@scoped_factory(AgentPresence)
def presence_in(unit: Unit) -> AgentPresence:
    from aftersales.accounts.tests.factories import make_user

    return services.agent_duty_set(user=make_user("hotline_agent", unit), on_duty=False)
