"""Stories of e-mail reaching the service address: each ends as a kept message, and as a reply
on its request, a new request, an ignored automatic message, or a quarantined one an
administrator decides on. Nothing is lost, nothing loops."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.models import Customer
from aftersales.customers.tests.factories import make_customer
from aftersales.inbox import services
from aftersales.inbox.models import InboundMessage, Reason, Source, Status
from aftersales.inbox.tests import samples
from aftersales.inbox.tests.factories import make_inbound_message
from aftersales.notifications.models import Notification
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import (
    Attachment,
    Channel,
    RequestMessage,
    ServiceRequest,
)
from aftersales.service_requests.models import Status as RequestStatus
from aftersales.service_requests.tests.factories import make_decision


def _reply_subject(request: ServiceRequest, text: str = "Re: Your request is registered") -> str:
    return f"{text.split(':')[0]}: {request.thread_tag} {text.split(': ', 1)[-1]}"


def _stored_raw(message: InboundMessage) -> bytes:
    with message.raw.open("rb") as raw:
        return raw.read()


# --- new requests -------------------------------------------------------------------------------


def test_a_known_customer_writes_and_a_request_is_registered(desk, receive) -> None:
    raw = samples.plain()
    receipt = receive(raw)
    message = receipt.message
    assert receipt.created and message.status == Status.NEW_REQUEST
    request = message.request
    assert request.customer == desk.alice and request.channel == Channel.EMAIL
    assert request.subject == "The air conditioner is leaking"
    assert "water drips from the indoor unit." in request.description
    assert request.external_ref == "<plain-1@mail.example.com>"
    assert request.request_type == desk.request_type
    assert message.unit == request.unit == desk.network.outlet_a
    assert _stored_raw(message) == raw
    acknowledgment = mail.outbox[-1]
    assert acknowledgment.to == ["alice@example.com"]
    assert request.thread_tag in acknowledgment.subject


def test_the_senders_address_is_matched_without_regard_to_case(desk, receive) -> None:
    message = receive(samples.plain(sender="ALICE@Example.COM")).message
    assert message.request.customer == desk.alice


def test_several_customers_with_the_address_the_newest_card_is_chosen(desk, receive) -> None:
    newer = make_customer(desk.network.outlet_b, name="Alice's company")
    newer.emails.create(address="alice@example.com")
    message = receive(samples.plain()).message
    assert message.request.customer == newer
    assert "Several customers have the address alice@example.com" in message.detail


def test_an_unknown_sender_becomes_a_new_customer_of_the_inbox_unit(desk, receive) -> None:
    message = receive(samples.gb2312_with_gbk_characters()).message
    customer = message.request.customer
    assert customer.name == f"王{samples.GBK_ONLY[1]}" and customer.unit == desk.network.hq
    assert list(customer.emails.values_list("address", flat=True)) == ["wang@example.cn"]
    assert "Created from an e-mail" in customer.notes
    assert message.request.subject == f"空调漏水，请联系{samples.GBK_ONLY[0]}先生"
    assert samples.GBK_ONLY in message.request.description
    assert f"New customer {customer.code} created" in message.detail


def test_the_inbox_unit_and_type_come_from_the_settings(desk, receive, settings) -> None:
    from aftersales.service_requests.tests.factories import make_request_type

    other_type = make_request_type(code="complaint", name="Complaint")
    settings.INBOX_UNIT_CODE = desk.network.region.code
    settings.INBOX_REQUEST_TYPE = "complaint"
    message = receive(samples.koi8_r()).message
    assert message.request.request_type == other_type
    assert message.request.customer.unit == desk.network.region


def test_without_a_request_type_for_email_the_message_waits_in_quarantine(
    desk, receive, settings
) -> None:
    settings.INBOX_REQUEST_TYPE = "no-such-type"
    message = receive(samples.plain()).message
    assert (message.status, message.reason) == (Status.QUARANTINED, Reason.NO_REQUEST_TYPE)
    assert message.unit == desk.network.hq and not ServiceRequest.objects.exists()


def test_a_type_with_required_questions_is_not_chosen_by_default(desk) -> None:
    from aftersales.service_requests.tests.factories import make_request_type

    desk.request_type.delete()
    asking = make_request_type(code="repair", name="Repair", order=1)
    asking.fields.create(key="serial", label="Serial", kind="text", required=True)
    easy = make_request_type(code="question", name="Question", order=2)
    assert services.inbox_request_type() == easy


def test_html_only_mail_registers_harmless_text(desk, receive) -> None:
    request = receive(samples.hostile_html()).message.request
    assert "my washer is broken." in request.description
    assert "script" not in request.description and "onerror" not in request.description


def test_attachments_go_onto_the_request(desk, receive) -> None:
    request = receive(samples.with_attachments(size=3000)).message.request
    files = list(request.attachments.order_by("pk"))
    assert [(f.original_name, f.content_type, f.size) for f in files] == [
        ("照片 1.jpg", "image/jpeg", 3000),
        ("保修卡.pdf", "application/pdf", 15),
    ]
    with files[0].file.open("rb") as stored:
        assert stored.read(3) == b"\xff\xd8\xff"


def test_a_file_over_the_limit_is_left_out_noted_and_the_sender_told(
    desk, receive, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100_000
    raw = samples.with_attachments(big_size=300_000)
    message = receive(raw).message
    request = message.request
    assert message.status == Status.NEW_REQUEST
    assert sorted(request.attachments.values_list("original_name", flat=True)) == [
        "保修卡.pdf",
        "照片 1.jpg",
    ]
    note = request.messages.get(is_internal=True)
    assert "“video.zip” (0.3 MB)" in note.body and f"message {message.pk}" in note.body
    assert [item["too_large"] for item in message.attachments] == [False, False, True]
    assert _stored_raw(message) == raw  # the file is still in the original
    told = [m for m in mail.outbox if "too large" in m.subject]
    assert len(told) == 1 and told[0].to == ["alice@example.com"]
    assert "video.zip" in told[0].body and request.thread_tag in told[0].subject
    assert told[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_crlf_in_an_inbound_subject_never_reaches_an_outgoing_header(desk, receive) -> None:
    raw = samples.plain(
        raw_subject="=?utf-8?q?Help=0D=0ABcc:_victim@example.com=0D=0AX-Injected:_1?=",
        sender="=?utf-8?q?Alice=0D=0ABcc:_x@example.com?= <alice@example.com>",
    )
    request = receive(raw).message.request
    assert "\n" not in request.subject and "\r" not in request.subject
    acknowledgment = mail.outbox[-1]
    sent = acknowledgment.message()
    assert sent["Bcc"] is None and sent["X-Injected"] is None
    assert acknowledgment.recipients() == ["alice@example.com"]
    assert "\n" not in acknowledgment.subject and "\r" not in acknowledgment.subject
    assert b"X-Injected" not in sent.as_bytes().split(b"\n\n")[0]


# --- replies ------------------------------------------------------------------------------------


def test_a_reply_with_the_tag_lands_on_its_request(desk, receive, alices_request) -> None:
    raw = samples.with_attachments(subject=_reply_subject(alices_request), message_id="<r1@x>")
    message = receive(raw).message
    assert (message.status, message.request) == (Status.ATTACHED, alices_request)
    reply = alices_request.messages.get()
    assert reply.source == RequestMessage.Source.EMAIL and not reply.is_internal
    assert reply.author_name == "Alice Wong <alice@example.com>"
    assert reply.body == "See the photos."
    assert reply.attachments.count() == 2
    assert ServiceRequest.objects.count() == 1
    assert not any(alices_request.thread_tag in m.subject for m in mail.outbox)  # no echo


def test_a_reply_found_by_in_reply_to_alone(desk, receive, alices_request) -> None:
    our_id = request_services.outgoing_message_id(alices_request)
    raw = samples.with_attachments(subject="Re: photos", message_id="<r2@x>", in_reply_to=our_id)
    message = receive(raw).message
    assert message.status == Status.ATTACHED and message.request == alices_request


def test_a_colleague_replying_with_the_tag_is_heard_too(desk, receive, alices_request) -> None:
    raw = samples.plain(sender="Bob <bob@partner.example>", subject=_reply_subject(alices_request))
    message = receive(raw).message
    assert message.request == alices_request
    assert alices_request.messages.get().author_name == "Bob <bob@partner.example>"


def test_a_reply_puts_a_waiting_request_back_in_work(desk, receive, alices_request) -> None:
    request_services.request_transition(
        request=alices_request, to_status=RequestStatus.IN_WORK, user=None
    )
    request_services.request_transition(
        request=alices_request, to_status=RequestStatus.WAITING_CUSTOMER, user=None
    )
    receive(samples.plain(subject=_reply_subject(alices_request)))
    alices_request.refresh_from_db()
    assert alices_request.status == RequestStatus.IN_WORK


def test_a_wrong_token_does_not_reach_the_request(desk, receive, alices_request) -> None:
    guessed = f"[{alices_request.number}-0000000000] please add this"
    message = receive(samples.plain(subject=guessed)).message
    assert (message.status, message.reason) == (Status.QUARANTINED, Reason.WRONG_TOKEN)
    assert message.detail == alices_request.number and message.request is None
    assert message.unit == desk.network.hq
    assert not alices_request.messages.exists() and ServiceRequest.objects.count() == 1


def test_a_forged_message_id_with_a_wrong_token_does_not_either(
    desk, receive, alices_request
) -> None:
    forged = f"<{alices_request.number}.ffffffffff.abc@aftersales.example>"
    raw = samples.plain(subject="Re: hello", extra=[f"In-Reply-To: {forged}"])
    assert receive(raw).message.reason == Reason.WRONG_TOKEN


def _close(request: ServiceRequest, when: datetime.datetime) -> None:
    request_services.request_transition(
        request=request, to_status=RequestStatus.IN_WORK, user=None, now=when
    )
    request_services.request_decide(
        request=request, decision=make_decision(), result="Fixed.", user=None, now=when
    )
    request_services.request_confirm(request=request, now=when)


def test_a_reply_to_a_recently_closed_request_is_added_for_its_responsible(
    desk, receive, alices_request
) -> None:
    responsible = make_user("technician", alices_request.unit)
    request_services.request_assign(
        request=alices_request, responsible=responsible, reason="mine", user=None
    )
    _close(alices_request, timezone.now() - datetime.timedelta(days=2))
    message = receive(samples.plain(subject=_reply_subject(alices_request), body="Leaks again"))
    message = message.message
    assert (message.status, message.reason) == (Status.ATTACHED, Reason.REPLY_TO_CLOSED)
    alices_request.refresh_from_db()
    assert alices_request.status == RequestStatus.CLOSED  # reopening is the responsible's call
    assert alices_request.messages.get(source=RequestMessage.Source.EMAIL).body == "Leaks again"
    assert Notification.objects.filter(recipient=responsible, kind="request_message").exists()


def test_a_reply_long_after_closure_opens_a_new_request_naming_the_old(
    desk, receive, alices_request
) -> None:
    _close(alices_request, timezone.now() - datetime.timedelta(days=60))
    message = receive(samples.plain(subject=_reply_subject(alices_request))).message
    assert (message.status, message.reason) == (Status.NEW_REQUEST, Reason.REPLY_TO_CLOSED)
    follow_up = message.request
    assert follow_up != alices_request and follow_up.customer == desk.alice
    assert follow_up.description.startswith(f"Follow-up to request {alices_request.number}.")
    note = alices_request.messages.get(is_internal=True)
    assert follow_up.number in note.body


def test_a_reply_to_a_cancelled_request_opens_a_new_one(desk, receive, alices_request) -> None:
    request_services.request_transition(
        request=alices_request, to_status=RequestStatus.CANCELLED, user=None, reason="dup"
    )
    message = receive(samples.plain(subject=_reply_subject(alices_request))).message
    assert message.status == Status.NEW_REQUEST and message.request != alices_request


# --- machines and loops -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (samples.auto_reply(), Reason.AUTO_REPLY),
        (samples.bounce(), Reason.BOUNCE),
        (samples.plain(extra=["Precedence: bulk"]), Reason.AUTO_REPLY),
        (samples.plain(sender="Service <SERVICE@aftersales.example>"), Reason.OWN_MESSAGE),
    ],
)
def test_machine_written_mail_is_kept_and_never_answered(desk, receive, raw, reason) -> None:
    message = receive(raw).message
    assert (message.status, message.reason) == (Status.IGNORED, reason)
    assert not ServiceRequest.objects.exists() and not Customer.objects.exclude(pk=desk.alice.pk)
    assert mail.outbox == []


def test_an_auto_reply_to_our_acknowledgment_is_linked_but_not_posted(
    desk, receive, alices_request
) -> None:
    raw = samples.plain(
        subject=f"Automatic reply: {alices_request.thread_tag} Your request is registered",
        extra=["Auto-Submitted: auto-replied"],
    )
    message = receive(raw).message
    assert (message.status, message.request) == (Status.IGNORED, alices_request)
    assert not alices_request.messages.exists() and mail.outbox == []


def test_an_empty_envelope_sender_is_a_bounce(desk, receive) -> None:
    message = receive(samples.plain(), envelope_sender="").message
    assert (message.status, message.reason) == (Status.IGNORED, Reason.BOUNCE)


# --- kept once, kept always ----------------------------------------------------------------------


def test_the_same_message_delivered_twice_is_stored_once(desk, receive) -> None:
    raw = samples.plain()
    first = receive(raw)
    relayed = b"Received: from mx2.example.com\r\nDelivered-To: service@x\r\n" + raw
    second = receive(relayed.replace(b"\r\n", b"\n"), source=Source.IMAP)
    assert first.created and not second.created
    assert second.message.pk == first.message.pk
    assert InboundMessage.objects.count() == 1 and ServiceRequest.objects.count() == 1


def test_another_message_reusing_a_message_id_is_kept_apart(desk, receive) -> None:
    first = receive(samples.plain(body="first")).message
    second = receive(samples.plain(body="second, different")).message
    assert first.pk != second.pk
    assert second.message_id.startswith(first.message_id + "#")
    assert ServiceRequest.objects.count() == 2


def test_a_message_without_message_id_is_deduplicated_by_content(desk, receive) -> None:
    raw = samples.plain().replace(b"Message-ID: <plain-1@mail.example.com>\r\n", b"")
    first, second = receive(raw), receive(raw)
    assert not second.created and first.message.message_id.endswith("@no-message-id.invalid>")


@pytest.mark.parametrize("name", sorted(samples.every_sample()))
def test_every_input_ends_as_a_stored_message(desk, receive, name) -> None:
    raw = samples.every_sample()[name]
    message = receive(raw).message
    message.refresh_from_db()
    assert message.status != Status.RECEIVED
    assert _stored_raw(message) == raw and message.raw_size == len(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (samples.deeply_nested(3000), (Reason.TOO_DEEP, Reason.TOO_MANY_PARTS)),
        (samples.many_parts(30_000), (Reason.TOO_MANY_PARTS,)),
        (samples.many_encoded_words(5000), (Reason.TOO_MANY_WORDS,)),
    ],
)
def test_hostile_shapes_are_quarantined_for_the_administrators(desk, receive, raw, reason) -> None:
    message = receive(raw).message
    assert message.status == Status.QUARANTINED and message.reason in reason
    assert message.unit == desk.network.hq
    told = Notification.objects.get(recipient=desk.admin, kind="inbox_quarantined")
    assert told.url == f"/inbox/{message.pk}/"
    assert mail.outbox == []  # in the app only


def test_small_limits_from_the_settings_apply(desk, receive, settings) -> None:
    settings.INBOX_MAX_DEPTH = 2
    message = receive(samples.deeply_nested(4)).message
    assert message.reason == Reason.TOO_DEEP


def test_a_routing_failure_leaves_the_message_stored_and_quarantined(
    desk, receive, monkeypatch
) -> None:
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(request_services, "request_register", broken)
    message = receive(samples.plain()).message
    message.refresh_from_db()
    assert (message.status, message.reason) == (Status.QUARANTINED, Reason.FAILED)
    assert "database hiccup" in message.detail and message.subject
    assert _stored_raw(message) == samples.plain()


def test_a_message_stored_but_never_routed_is_routed_on_redelivery(desk, receive) -> None:
    raw = samples.plain()
    from aftersales.inbox import parsing

    stored = make_inbound_message(
        desk.network.hq,
        raw=raw,
        message_id="<plain-1@mail.example.com>",
        fingerprint=parsing.fingerprint(raw, parsing.header_block(raw, 262144)),
        status=Status.RECEIVED,
        reason="",
    )
    receipt = receive(raw)
    assert not receipt.created and receipt.message.pk == stored.pk
    assert receipt.message.status == Status.NEW_REQUEST


def test_an_invalid_sender_address_is_quarantined(desk, receive) -> None:
    message = receive(samples.plain(sender="not an address")).message
    assert (message.status, message.reason) == (Status.QUARANTINED, Reason.INVALID_SENDER)


# --- an administrator decides ------------------------------------------------------------------


@pytest.fixture
def quarantined(desk, receive):  # type: ignore[no-untyped-def]
    return receive(samples.plain(subject="[R99999999-abcdefabcd] about my fridge")).message


def test_an_administrator_adds_a_quarantined_message_to_a_request(
    desk, quarantined, alices_request
) -> None:
    message = services.message_attach(message=quarantined, request=alices_request, user=desk.admin)
    assert (message.status, message.reason) == (Status.ATTACHED, Reason.BY_HAND)
    assert message.request == alices_request and message.unit == alices_request.unit
    assert message.handled_by == desk.admin
    posted = alices_request.messages.get()
    assert posted.source == RequestMessage.Source.EMAIL and "Hello," in posted.body
    with pytest.raises(ValidationError):
        services.message_attach(message=message, request=alices_request, user=desk.admin)


def test_an_unreadable_message_goes_onto_the_request_as_its_original(
    desk, receive, alices_request
) -> None:
    message = receive(samples.deeply_nested(50)).message
    services.message_attach(message=message, request=alices_request, user=desk.admin)
    posted = alices_request.messages.get()
    assert "could not be read in full" in posted.body
    original = Attachment.objects.get(message=posted)
    assert original.original_name == f"message-{message.pk}.eml"


def test_an_administrator_registers_a_quarantined_message(desk, quarantined) -> None:
    other = make_customer(desk.network.outlet_b, name="Other")
    message = services.message_register(
        message=quarantined, user=desk.admin, request_type=desk.request_type, customer=other
    )
    assert message.status == Status.NEW_REQUEST and message.request.customer == other
    assert message.request.registered_by == desk.admin
    assert "Registered as request" in message.detail and "Quarantined" in message.detail


def test_registering_finds_the_senders_customer_by_default(desk, quarantined) -> None:
    message = services.message_register(message=quarantined, user=desk.admin)
    assert message.request.customer == desk.alice


def test_an_administrator_rejects_junk_with_a_reason(desk, quarantined) -> None:
    with pytest.raises(ValidationError):
        services.message_reject(message=quarantined, user=desk.admin, note="  ")
    message = services.message_reject(message=quarantined, user=desk.admin, note="Spam")
    assert (message.status, message.detail) == (Status.REJECTED, "Spam")
    # still kept, and still open to a second thought
    services.message_register(message=message, user=desk.admin)


def test_nul_bytes_and_raw_bytes_anywhere_are_stored_cleanly(desk, receive) -> None:
    """PostgreSQL refuses NUL in text and JSON, and nothing can encode a lone surrogate."""
    raw = (
        b"From: \xff\xfe Zhang\x00 <alice@example.com>\r\n"
        b"Subject: =?utf-7?q?+2D0-?= \x00 bad \xc3\r\n"
        b"Message-ID: <nul\x00id@example.com>\r\n"
        b"X-Weird: \x00\x01\xff\r\n"
        b"Content-Type: text/plain; charset=utf-7\r\n\r\n+2D0- text \x00 here\r\n"
    )
    message = receive(raw).message
    message.refresh_from_db()
    assert message.message_id == "<nulid@example.com>"
    assert "\x00" not in message.subject + message.from_name + message.text
    assert message.status == Status.NEW_REQUEST and message.request.customer == desk.alice


@given(
    name=st.sampled_from(sorted(samples.every_sample())),
    cut=st.integers(min_value=0, max_value=4000),
    noise=st.binary(max_size=64),
    at=st.integers(min_value=0, max_value=4000),
)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_damaged_mail_is_still_kept(desk, receive, name, cut, noise, at) -> None:
    """Any sample, cut short and with bytes spliced in, is kept byte for byte."""
    raw = samples.every_sample()[name]
    raw = raw[: max(len(raw) - cut, 0)]
    raw = raw[:at] + noise + raw[at:]
    receipt = receive(raw)
    message = receipt.message
    message.refresh_from_db()
    assert message.status != Status.RECEIVED
    if receipt.created:  # else the same message (id, sender, date, subject, body) came before
        assert _stored_raw(message) == raw
