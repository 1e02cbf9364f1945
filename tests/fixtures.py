"""Shared fixtures: a small network and people in it.

hq ── region ── centre ─┬─ outlet_a
                        └─ outlet_b        (siblings: neither sees the other)
"""

from dataclasses import dataclass

import pytest

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.organisation.models import Unit
from aftersales.organisation.tests.factories import make_unit


@pytest.fixture(autouse=True)
def _cold_process_caches() -> None:
    """Each test starts with nothing of the configuration (nor any kept SQL) in process, so
    that counting a page's queries does not depend on which tests ran before in the same
    worker."""
    from aftersales.core import compiled, configuration

    configuration.forget()
    compiled.forget()


@dataclass
class Network:
    hq: Unit
    region: Unit
    centre: Unit
    outlet_a: Unit
    outlet_b: Unit


@pytest.fixture
def network(db) -> Network:  # type: ignore[no-untyped-def]
    hq = make_unit(None, name="总部")
    region = make_unit(hq, name="华东大区")
    centre = make_unit(region, name="上海服务中心")
    return Network(
        hq=hq,
        region=region,
        centre=centre,
        outlet_a=make_unit(centre, name="浦东网点"),
        outlet_b=make_unit(centre, name="Точка «Б»"),
    )


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def hq_admin(network):  # type: ignore[no-untyped-def]
    return make_user("administrator", network.hq)


@pytest.fixture
def outlet_a_admin(network):  # type: ignore[no-untyped-def]
    return make_user("administrator", network.outlet_a)


@pytest.fixture
def outlet_a_technician(network):  # type: ignore[no-untyped-def]
    return make_user("technician", network.outlet_a)


@pytest.fixture
def region_head(network):  # type: ignore[no-untyped-def]
    return make_user("unit_head", network.region)
