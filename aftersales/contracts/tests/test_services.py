import datetime

import pytest
from django.core.exceptions import ValidationError

from aftersales.accounts.tests.factories import make_user
from aftersales.contracts import services
from aftersales.contracts.models import ContractStatus, ServiceContract, ServiceLevel
from aftersales.contracts.tests.factories import make_contract
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests.tests.factories import make_service_request

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatcher(network):  # type: ignore[no-untyped-def]
    return make_user("dispatcher", network.outlet_a)


def _create(user, customer, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("title", "Air conditioners: annual maintenance")
    fields.setdefault("valid_from", D(2026, 3, 1))
    return services.contract_create(user=user, customer=customer, **fields)


def test_a_contract_without_a_number_gets_k_and_its_id(network, dispatcher):
    contract = _create(
        dispatcher,
        make_customer(network.outlet_a),
        valid_to=D(2027, 2, 28),
        service_level=ServiceLevel.PREMIUM,
        status=ContractStatus.ACTIVE,
    )
    assert contract.number == f"K{contract.pk:08d}"
    assert contract.created_by == dispatcher
    assert contract.history.count() >= 1


def test_a_number_typed_by_hand_is_kept_and_the_next_k_number_steps_around_it(network, dispatcher):
    customer = make_customer(network.outlet_a)
    typed = _create(dispatcher, customer, number="  2026 / 17 ")
    assert typed.number == "2026 / 17"
    # An old system's number that is the very one the contract after next would get.
    _create(dispatcher, customer, number=f"K{typed.pk + 2:08d}")
    following = _create(dispatcher, customer)
    assert following.number == f"K{following.pk:08d}-2"


def test_a_number_is_unique_across_units(network, dispatcher):
    make_contract(make_customer(network.outlet_b), number="A-1")
    with pytest.raises(ValidationError) as error:
        _create(dispatcher, make_customer(network.outlet_a), number="A-1")
    assert error.value.message_dict == {"number": ["Another contract has the number A-1."]}


def test_the_contract_cannot_end_before_it_starts(network, dispatcher):
    with pytest.raises(ValidationError) as error:
        _create(
            dispatcher,
            make_customer(network.outlet_a),
            valid_from=D(2026, 3, 1),
            valid_to=D(2026, 2, 28),
        )
    assert error.value.message_dict == {
        "valid_to": ["The contract cannot end before it starts (2026-03-01)."]
    }
    assert not ServiceContract.objects.exists()
    one_day = _create(
        dispatcher,
        make_customer(network.outlet_a),
        valid_from=D(2026, 3, 1),
        valid_to=D(2026, 3, 1),
    )
    assert one_day.valid_to == D(2026, 3, 1)


def test_only_a_customer_of_the_users_units(network, dispatcher):
    with pytest.raises(ValidationError) as error:
        _create(dispatcher, make_customer(network.outlet_b))
    assert error.value.message_dict == {"customer": ["Choose a customer of your units."]}
    with pytest.raises(ValidationError) as error:
        _create(dispatcher, make_customer(network.outlet_a), title="  ", valid_from=None)
    assert set(error.value.message_dict) == {"title", "valid_from"}


def test_a_contract_from_a_request_remembers_it_and_keeps_its_customer(network, dispatcher):
    customer = make_customer(network.outlet_a)
    request = make_service_request(customer, subject="We want a maintenance contract")
    request.unit = network.outlet_a
    request.save()
    contract = _create(dispatcher, customer, source_request=request)
    assert contract.source_request == request
    assert list(request.contracts_drawn_up.all()) == [contract]

    with pytest.raises(ValidationError) as error:
        _create(dispatcher, make_customer(network.outlet_a), source_request=request)
    assert "source_request" in error.value.message_dict

    with pytest.raises(ValidationError) as error:
        services.contract_update(
            contract=contract,
            user=dispatcher,
            customer=make_customer(network.outlet_a),
            title=contract.title,
            valid_from=contract.valid_from,
            valid_to=None,
            service_level=contract.service_level,
            status=contract.status,
        )
    assert "customer" in error.value.message_dict


def test_correcting_a_contract_keeps_its_number_when_emptied(network, dispatcher):
    contract = _create(dispatcher, make_customer(network.outlet_a))
    number = contract.number
    services.contract_update(
        contract=contract,
        user=dispatcher,
        title="Maintenance and repairs",
        valid_from=D(2026, 3, 1),
        valid_to=D(2027, 3, 1),
        service_level=ServiceLevel.PREMIUM,
        status=ContractStatus.ACTIVE,
        number="",
    )
    contract.refresh_from_db()
    assert (contract.number, contract.title, contract.service_level) == (
        number,
        "Maintenance and repairs",
        ServiceLevel.PREMIUM,
    )
    assert contract.history.count() >= 2
