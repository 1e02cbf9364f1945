"""The phone channel's writes: calls received, duty, pop-up answer, the request linked back."""

import pytest
from django.core.exceptions import ValidationError

from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests.models import Channel
from aftersales.service_requests.tests.factories import make_service_request
from aftersales.telephony import services
from aftersales.telephony.models import AgentPresence, Call
from aftersales.telephony.tests.conftest import HOTLINE, WANG_LI
from aftersales.telephony.tests.factories import make_phone_line


def test_a_request_registered_from_a_call_is_linked_to_it(hotline) -> None:
    call, _ = services.call_receive(call_id="link-1", caller=WANG_LI, called=HOTLINE)

    request = make_service_request(hotline.wang_li, channel=Channel.PHONE, external_ref="link-1")

    call.refresh_from_db()
    assert call.request == request


def test_a_request_of_another_channel_or_without_the_call_id_links_nothing(hotline) -> None:
    call, _ = services.call_receive(call_id="link-2", caller=WANG_LI, called=HOTLINE)

    make_service_request(hotline.wang_li, channel=Channel.EMAIL, external_ref="link-2")
    make_service_request(hotline.wang_li, channel=Channel.PHONE)

    call.refresh_from_db()
    assert call.request is None


def test_a_call_keeps_its_first_request(hotline) -> None:
    services.call_receive(call_id="link-3", caller=WANG_LI, called=HOTLINE)
    first = make_service_request(hotline.wang_li, channel=Channel.PHONE, external_ref="link-3")

    make_service_request(hotline.wang_li, channel=Channel.PHONE, external_ref="link-3")

    assert Call.objects.get(call_id="link-3").request == first


def test_a_number_on_two_cards_picks_the_card_of_the_answering_unit(network, hotline) -> None:
    # 王丽 (outlet A, the older card) has the number; a newer card of outlet B has it too.
    outlet_b_card = make_customer(network.outlet_b, phone=WANG_LI, name="Same number")
    outlet_b_line = make_phone_line(network.outlet_b, "021-6123 4567")

    to_b, _ = services.call_receive(call_id="two-b", caller=WANG_LI, called=outlet_b_line.number)
    to_a, _ = services.call_receive(call_id="two-a", caller=WANG_LI, called=HOTLINE)

    assert to_b.customer == outlet_b_card
    assert to_a.customer == hotline.wang_li


def test_an_inactive_card_gives_way_to_an_active_one(network, hotline) -> None:
    hotline.wang_li.is_active = False
    hotline.wang_li.save()
    active = make_customer(network.outlet_b, phone=WANG_LI, name="Active elsewhere")

    call, _ = services.call_receive(call_id="inactive", caller=WANG_LI, called=HOTLINE)

    assert call.customer == active


def test_a_blank_call_id_is_refused(hotline) -> None:
    with pytest.raises(ValidationError) as error:
        services.call_receive(call_id="  ", caller=WANG_LI)

    assert "call_id" in error.value.message_dict
    assert not Call.objects.exists()


def test_going_on_duty_twice_keeps_the_first_since(hotline) -> None:
    first = services.agent_duty_set(user=hotline.agent, on_duty=True)

    again = services.agent_duty_set(user=hotline.agent, on_duty=True)

    assert again.since == first.since
    assert AgentPresence.objects.filter(user=hotline.agent).count() == 1


def test_a_call_is_answered_once(hotline, on_duty) -> None:
    on_duty(hotline.agent)
    call, _ = services.call_receive(call_id="answer-1", caller=WANG_LI, called=HOTLINE)
    other_tab = Call.objects.get(pk=call.pk)

    assert services.call_answer(call=call, agent=hotline.agent) is True
    assert services.call_answer(call=other_tab, agent=hotline.agent) is False


def test_another_agent_cannot_answer_a_call_given_to_someone_else(hotline, on_duty) -> None:
    on_duty(hotline.agent)
    call, _ = services.call_receive(call_id="answer-2", caller=WANG_LI, called=HOTLINE)

    assert services.call_answer(call=call, agent=hotline.second_agent) is False
    assert Call.objects.get(pk=call.pk).answered_at is None


def test_a_line_number_must_be_a_phone_number(network) -> None:
    with pytest.raises(ValidationError) as error:
        services.phone_line_create(number="hotline", name="Bad", unit=network.outlet_a)

    assert "number" in error.value.message_dict
