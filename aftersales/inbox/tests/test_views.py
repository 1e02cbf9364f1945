"""The administrators' inbox pages: who sees which messages, the quarantine standing out,
a message shown as text that cannot run, its original as a download, and the decisions."""

import pytest
from django.urls import reverse

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import query_count
from aftersales.inbox.models import InboundMessage, Status
from aftersales.inbox.tests import samples
from aftersales.service_requests.models import ServiceRequest


@pytest.fixture
def admin_client(client, desk):  # type: ignore[no-untyped-def]
    client.force_login(desk.admin)
    return client


@pytest.fixture
def mixed_inbox(desk, receive):  # type: ignore[no-untyped-def]
    """A new request from Alice (outlet A), an ignored bounce and a quarantined monster (hq)."""
    return {
        "request": receive(samples.plain()).message,
        "bounce": receive(samples.bounce()).message,
        "quarantined": receive(samples.deeply_nested(300)).message,
    }


def test_the_list_shows_everything_with_the_quarantine_highlighted(admin_client, mixed_inbox):
    response = admin_client.get(reverse("inbox:message_list"))
    assert response.status_code == 200
    page = response.content.decode()
    quarantined = mixed_inbox["quarantined"]
    assert '<tr class="table-warning" data-status="quarantined">' in page
    assert page.count('class="table-warning"') == 1
    assert reverse("inbox:message_detail", args=[quarantined.pk]) in page
    assert mixed_inbox["request"].request.number in page


def test_the_list_filters_by_status(admin_client, mixed_inbox) -> None:
    response = admin_client.get(reverse("inbox:message_list") + "?status=ignored")
    rows = list(response.context["object_list"])
    assert rows == [mixed_inbox["bounce"]]


def test_the_list_costs_the_same_queries_for_more_messages(admin_client, desk, receive) -> None:
    url = reverse("inbox:message_list")
    receive(samples.plain(message_id="<q0@x>", body="0"))
    few = query_count(admin_client, url)
    for number in range(1, 8):
        receive(samples.plain(message_id=f"<q{number}@x>", body=str(number)))
    assert query_count(admin_client, url) == few


def test_an_outlet_administrator_sees_only_their_units_messages(client, desk, mixed_inbox):
    client.force_login(make_user("administrator", desk.network.outlet_a))
    rows = list(client.get(reverse("inbox:message_list")).context["object_list"])
    assert rows == [mixed_inbox["request"]]
    quarantined = mixed_inbox["quarantined"]
    assert client.get(reverse("inbox:message_detail", args=[quarantined.pk])).status_code == 404
    assert client.get(reverse("inbox:message_raw", args=[quarantined.pk])).status_code == 404


def test_people_without_the_permission_are_refused(client, desk, mixed_inbox) -> None:
    client.force_login(make_user("hotline_agent", desk.network.hq))
    assert client.get(reverse("inbox:message_list")).status_code == 403
    pk = mixed_inbox["quarantined"].pk
    assert client.post(reverse("inbox:message_reject", args=[pk]), {"note": "x"}).status_code == 403


def test_a_unit_head_may_look_and_decide(client, desk, mixed_inbox) -> None:
    client.force_login(make_user("unit_head", desk.network.hq))
    pk = mixed_inbox["quarantined"].pk
    assert client.get(reverse("inbox:message_detail", args=[pk])).status_code == 200
    assert client.get(reverse("inbox:message_attach", args=[pk])).status_code == 200


def test_the_detail_shows_hostile_text_as_text(admin_client, desk, receive) -> None:
    raw = samples.plain(
        subject="<img src=x onerror=alert(1)>",
        body="<script>alert('hi')</script> please call me",
    )
    message = receive(raw).message
    page = admin_client.get(reverse("inbox:message_detail", args=[message.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt; please call me" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_detail_lists_files_and_what_was_left_out(
    admin_client, desk, receive, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100_000
    message = receive(samples.with_attachments(big_size=200_000)).message
    page = admin_client.get(reverse("inbox:message_detail", args=[message.pk])).content.decode()
    assert "照片 1.jpg" in page and "保修卡.pdf" in page and "video.zip" in page
    assert page.count("Over the size limit") == 1


def test_the_original_downloads_as_a_file_that_cannot_render(admin_client, mixed_inbox) -> None:
    message = mixed_inbox["quarantined"]
    response = admin_client.get(reverse("inbox:message_raw", args=[message.pk]))
    try:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == f'attachment; filename="message-{message.pk}.eml"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == samples.deeply_nested(300)
    finally:
        response.close()


def test_attaching_a_quarantined_message_to_a_request(admin_client, mixed_inbox, alices_request):
    pk = mixed_inbox["quarantined"].pk
    url = reverse("inbox:message_attach", args=[pk])
    assert "Request number" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"number": alices_request.number})
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:message_detail", args=[pk])
    message = InboundMessage.objects.get(pk=pk)
    assert (message.status, message.request) == (Status.ATTACHED, alices_request)
    again = admin_client.get(url).content.decode()
    assert "This e-mail has already been handled." in again


def test_a_request_outside_ones_units_cannot_be_chosen(client, desk, receive) -> None:
    from aftersales.customers.tests.factories import make_customer
    from aftersales.service_requests.tests.factories import make_service_request

    outlet_admin = make_user("administrator", desk.network.outlet_a)
    message = receive(samples.plain(subject="[R00000099-0000000000] x")).message
    InboundMessage.objects.filter(pk=message.pk).update(unit=desk.network.outlet_a)
    foreign = make_service_request(make_customer(desk.network.outlet_b))
    client.force_login(outlet_admin)
    url = reverse("inbox:message_attach", args=[message.pk])
    response = client.post(url, {"number": foreign.number})
    assert response.status_code == 400
    assert "No request with this number in your units." in response.content.decode()
    assert InboundMessage.objects.get(pk=message.pk).status == Status.QUARANTINED


def test_registering_a_quarantined_message(admin_client, desk, mixed_inbox) -> None:
    pk = mixed_inbox["quarantined"].pk
    url = reverse("inbox:message_register", args=[pk])
    form = admin_client.get(url).context["form"]
    assert form["request_type"].value() == desk.request_type.pk
    response = admin_client.post(
        url, {"request_type": desk.request_type.pk, "customer": desk.alice.code}
    )
    assert response.status_code == 302
    request = InboundMessage.objects.get(pk=pk).request
    assert request.customer == desk.alice and request.registered_by == desk.admin


def test_registering_for_an_unknown_customer_number_is_refused(admin_client, desk, mixed_inbox):
    url = reverse("inbox:message_register", args=[mixed_inbox["quarantined"].pk])
    response = admin_client.post(url, {"request_type": desk.request_type.pk, "customer": "NOPE"})
    assert response.status_code == 400
    assert "No customer with this number in your units." in response.content.decode()
    assert not ServiceRequest.objects.filter(customer__code="NOPE").exists()


def test_rejecting_needs_a_reason(admin_client, mixed_inbox) -> None:
    pk = mixed_inbox["quarantined"].pk
    url = reverse("inbox:message_reject", args=[pk])
    assert admin_client.post(url, {"note": ""}).status_code == 400
    assert admin_client.post(url, {"note": "Junk"}).status_code == 302
    message = InboundMessage.objects.get(pk=pk)
    assert (message.status, message.detail, message.handled_by) == (
        Status.REJECTED,
        "Junk",
        admin_client.get(reverse("inbox:message_list")).wsgi_request.user,
    )


def test_a_handled_message_offers_no_decision(admin_client, mixed_inbox) -> None:
    handled = mixed_inbox["request"]
    page = admin_client.get(reverse("inbox:message_detail", args=[handled.pk])).content.decode()
    assert reverse("inbox:message_attach", args=[handled.pk]) not in page
    response = admin_client.post(reverse("inbox:message_reject", args=[handled.pk]), {"note": "x"})
    assert response.status_code == 400
