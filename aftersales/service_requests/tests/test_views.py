"""The agent's side of a request: registering it from the customer card (questions that
depend on answers, channels, files) and the request page (details, thread, log, actions)."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.models import User
from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import query_count
from aftersales.customers.models import Contact, Customer
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.service_requests import actions, services
from aftersales.service_requests.models import (
    Attachment,
    EventKind,
    FieldKind,
    Priority,
    RequestMessage,
    RequestType,
    RequestTypeField,
    ServiceRequest,
    Status,
)
from aftersales.service_requests.tests.factories import (
    make_decision,
    make_request_type,
    make_service_request,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read the pages in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_files(tmp_path):  # type: ignore[no-untyped-def]
    """Attachments land in a temporary directory, not the checkout's var/private."""
    storage = Attachment._meta.get_field("file").storage
    saved = storage._location
    storage._location = str(tmp_path)
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield tmp_path
    storage._location = saved
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


@dataclass
class Desk:
    """Outlet A's hotline: an agent, a customer with a contact and a product, a request type
    whose questions depend on the answers, and outlet B's customer."""

    agent: User
    customer: Customer
    contact: Contact
    foreign: Customer
    repair: RequestType


@pytest.fixture
def desk(network) -> Desk:  # type: ignore[no-untyped-def]
    customer = make_customer(network.outlet_a, name="王丽")
    repair = make_request_type(name="Repair", default_priority=Priority.HIGH)
    kind = RequestTypeField.objects.create(
        request_type=repair,
        key="kind",
        label="What is broken?",
        kind=FieldKind.CHOICE,
        choices="Air conditioner\nBoiler",
        required=True,
        order=1,
    )
    RequestTypeField.objects.create(
        request_type=repair,
        key="model",
        label="Air conditioner model",
        kind=FieldKind.TEXT,
        required=True,
        order=2,
        show_if_field=kind,
        show_if_values="Air conditioner",
    )
    RequestTypeField.objects.create(
        request_type=repair,
        key="pressure",
        label="Boiler pressure, bar",
        kind=FieldKind.NUMBER,
        required=True,
        order=3,
        show_if_field=kind,
        show_if_values="Boiler",
    )
    RequestTypeField.objects.create(
        request_type=repair, key="nameplate", label="Nameplate photo", kind=FieldKind.FILE, order=4
    )
    return Desk(
        agent=make_user("hotline_agent", network.outlet_a),
        customer=customer,
        contact=Contact.objects.create(customer=customer, name="李强"),
        foreign=make_customer(network.outlet_b, name="Foreign Ltd"),
        repair=repair,
    )


@pytest.fixture
def web(client, desk):  # type: ignore[no-untyped-def]
    client.force_login(desk.agent)
    return client


def register_url(customer: Customer) -> str:
    return reverse("service_requests:request_register", args=[customer.pk])


def page(service_request: ServiceRequest, action: str = "") -> str:
    name = f"service_requests:request_{action}" if action else "service_requests:request_detail"
    return reverse(name, args=[service_request.pk])


def upload(name: str, content: bytes = b"data", content_type: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type or "application/x-test")


HTMX = {"HX-Request": "true"}


# --- Registering from the card -------------------------------------------------------------------


def test_the_form_marks_a_first_contact_and_takes_the_call_from_the_telephony_link(web, desk):
    response = web.get(register_url(desk.customer), {"channel": "fax", "ref": "call-77"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="first-contact"' in body
    form = response.context["form"]
    assert form["channel"].value() == "fax" and form["external_ref"].value() == "call-77"
    assert [c.name for c in form.fields["contact"].queryset] == ["李强"]

    make_service_request(
        desk.customer, request_type=desk.repair, answers={"kind": "Boiler", "pressure": "1"}
    )
    assert 'id="first-contact"' not in web.get(register_url(desk.customer)).content.decode()


def test_the_next_question_depends_on_the_last_answer(web, desk):
    url = register_url(desk.customer)
    picked = web.post(
        url,
        {"refresh": "1", "request_type": desk.repair.pk},
        headers={**HTMX, "HX-Trigger-Name": "request_type"},
    )
    html = picked.content.decode()
    assert picked.status_code == 200 and "<html" not in html and 'id="questions"' in html
    assert "What is broken?" in html and "Air conditioner model" not in html
    assert picked.context["form"]["priority"].value() == Priority.HIGH  # the type's default
    assert "invalid-feedback" not in html  # asking again is not validating

    answered = web.post(
        url,
        {"refresh": "1", "request_type": desk.repair.pk, "q_kind": "Air conditioner"},
        headers={**HTMX, "HX-Trigger-Name": "q_kind"},
    ).content.decode()
    assert "Air conditioner model" in answered and "Boiler pressure" not in answered
    assert 'name="q_kind" hx-post="/requests/' in answered  # the choice asks again on change
    assert "form-select form-select" not in answered

    without_js = web.post(url, {"refresh": "1", "request_type": desk.repair.pk, "q_kind": "Boiler"})
    assert (
        "<html" in without_js.content.decode() and "Boiler pressure" in without_js.content.decode()
    )
    assert not ServiceRequest.objects.exists()


def test_the_agent_registers_a_request_with_answers_and_files(web, desk, network):
    product = make_installed_product(desk.customer)
    response = web.post(
        register_url(desk.customer) + "?channel=phone&ref=call-42",
        {
            "request_type": desk.repair.pk,
            "channel": "phone",
            "external_ref": "call-42",
            "subject": "  The air conditioner   drips ",
            "description": "Water on the floor since Monday.",
            "contact": desk.contact.pk,
            "product": product.pk,
            "q_kind": "Air conditioner",
            "q_model": "KFR-35",
            "q_pressure": "2.5",  # a hidden question's answer: dropped
            "q_nameplate": upload("plate.jpg", b"jpeg", "image/jpeg"),
            "files": [upload("call-42.mp3", b"mp3", "audio/mpeg"), upload("floor.png", b"png")],
        },
    )
    service_request = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == page(service_request)
    assert service_request.answers == {"kind": "Air conditioner", "model": "KFR-35"}
    assert service_request.subject == "The air conditioner drips"
    assert (service_request.channel, service_request.external_ref) == ("phone", "call-42")
    assert service_request.priority == Priority.HIGH  # left to the type
    assert service_request.contact == desk.contact and service_request.product == product
    assert service_request.registered_by == desk.agent
    files = {a.original_name: a.field_key for a in service_request.attachments.all()}
    assert files == {"call-42.mp3": "", "floor.png": "", "plate.jpg": "nameplate"}

    shown = web.get(page(service_request)).content.decode()
    assert "KFR-35" in shown and "Air conditioner model" in shown and "2.5" not in shown
    assert "call-42.mp3" in shown and "Nameplate photo" in shown


def test_a_required_question_left_unanswered_is_shown_on_its_field(web, desk):
    response = web.post(
        register_url(desk.customer),
        {
            "request_type": desk.repair.pk,
            "channel": "phone",
            "subject": "Boiler",
            "q_kind": "Boiler",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["q_pressure"] == ["Answer this question."]
    assert "Boiler pressure, bar" in response.content.decode()
    assert not ServiceRequest.objects.exists()

    no_subject = web.post(
        register_url(desk.customer),
        {"request_type": desk.repair.pk, "channel": "phone", "q_kind": "Boiler", "q_pressure": "x"},
        headers=HTMX,
    )
    assert no_subject.status_code == 422 and "<html" not in no_subject.content.decode()
    errors = no_subject.context["form"].errors
    assert errors["q_pressure"] == ["Enter a number."]
    assert errors["subject"] == ["Say in a few words what the request is about."]


def test_a_file_over_the_limit_is_refused_and_nothing_is_saved(web, desk, settings, private_files):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = upload("recording.wav", b"x" * (1024 * 1024 + 1), "audio/wav")
    response = web.post(
        register_url(desk.customer),
        {
            "request_type": desk.repair.pk,
            "channel": "phone",
            "subject": "Noise",
            "q_kind": "Air conditioner",
            "q_model": "KFR-35",
            "files": [upload("small.txt"), big],
        },
    )
    assert response.status_code == 200
    (message,) = response.context["form"].errors["files"]
    assert "recording.wav" in message and "files of up to 1 MB are accepted" in message
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()
    assert not [p for p in private_files.rglob("*") if p.is_file()]


def test_another_outlets_customer_cannot_be_registered_for(web, desk):
    assert web.get(register_url(desk.foreign)).status_code == 404
    assert web.post(register_url(desk.foreign), {"subject": "x"}).status_code == 404


def test_the_register_button_leads_to_the_form(web, desk):
    from django.template.loader import render_to_string

    html = render_to_string(
        "service_requests/_register_button.html",
        {"customer": desk.customer, "perms": _perms(desk.agent)},
    )
    assert register_url(desk.customer) in html
    reader = make_user("settlement_clerk", desk.customer.unit)
    html = render_to_string(
        "service_requests/_register_button.html",
        {"customer": desk.customer, "perms": _perms(reader)},
    )
    assert html.strip() == ""


def _perms(user: User):  # type: ignore[no-untyped-def]
    from django.contrib.auth.context_processors import PermWrapper

    return PermWrapper(user)


# --- Attachments -------------------------------------------------------------------------------


def _request_with_files(desk: Desk, *files: SimpleUploadedFile) -> ServiceRequest:
    service_request = make_service_request(
        desk.customer, request_type=desk.repair, answers={"kind": "Boiler", "pressure": "1"}
    )
    services.message_post(
        request=service_request,
        body="Photos attached",
        author=desk.agent,
        internal=True,
        files=[services.NewFile(f.name, f) for f in files],
    )
    return service_request


def test_a_unit_user_downloads_an_attachment_and_another_outlet_gets_404(client, desk, network):
    service_request = _request_with_files(desk, upload("photo.jpg", b"\xff\xd8jpeg", "image/jpeg"))
    attachment = service_request.attachments.get()
    url = reverse("service_requests:attachment", args=[attachment.pk])

    client.force_login(make_user("technician", network.outlet_a))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8jpeg"
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"

    client.force_login(make_user("technician", network.outlet_b))
    assert client.get(url).status_code == 404
    client.force_login(make_user("storekeeper", network.outlet_a))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("page.html", "text/html"), ("logo.svg", "image/svg+xml"), ("x.xml", "application/xml")],
)
def test_active_content_is_only_ever_downloaded(web, desk, name, content_type):
    service_request = _request_with_files(
        desk, upload(name, b"<script>alert(1)</script>", content_type)
    )
    attachment = service_request.attachments.get()
    response = web.get(reverse("service_requests:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"  # closes it


# --- The request page -------------------------------------------------------------------------


def _registered(desk: Desk, **fields) -> ServiceRequest:  # type: ignore[no-untyped-def]
    fields.setdefault("answers", {"kind": "Boiler", "pressure": "1.5"})
    return make_service_request(desk.customer, request_type=desk.repair, **fields)


def test_the_page_shows_the_request_its_answers_and_its_log(web, desk):
    service_request = _registered(desk, subject="No hot water", contact=desk.contact)
    response = web.get(page(service_request))
    html = response.content.decode()
    assert response.status_code == 200
    assert service_request.number in html and "No hot water" in html
    assert reverse("customers:customer_detail", args=[desk.customer.pk]) in html
    assert "李强" in html and "Boiler pressure, bar" in html and "1.5" in html
    assert 'id="request-status"' in html and "Registered" in html
    assert "the least loaded employee of the unit" in html  # how it was assigned
    assert "Change history" in html


def test_the_page_shows_deadlines_in_the_viewers_zone_and_the_pause(client, desk, network):
    service_request = _registered(desk)
    due = datetime.datetime(2030, 3, 1, 2, 0, tzinfo=datetime.UTC)
    paused = datetime.datetime(2030, 2, 28, 23, 30, tzinfo=datetime.UTC)
    ServiceRequest.objects.filter(pk=service_request.pk).update(
        resolution_due_at=due, paused_at=paused, status=Status.WAITING_CUSTOMER
    )
    client.force_login(desk.agent)  # outlet A: the organisation's zone, Asia/Shanghai
    html = client.get(page(service_request)).content.decode()
    assert "2030-03-01 10:00" in html and "2030-03-01 07:30" in html
    assert 'id="request-paused"' in html

    network.region.timezone = "Europe/Moscow"
    network.region.save()
    client.force_login(make_user("unit_head", network.region))
    html = client.get(page(service_request)).content.decode()
    assert "2030-03-01 05:00" in html and "Europe/Moscow" in html


def test_an_overdue_request_is_marked(web, desk):
    service_request = _registered(desk)
    ServiceRequest.objects.filter(pk=service_request.pk).update(
        due_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert 'id="overdue"' in web.get(page(service_request)).content.decode()


def test_another_outlets_request_is_not_found(client, desk, network):
    service_request = _registered(desk)
    client.force_login(make_user("hotline_agent", network.outlet_b))
    assert client.get(page(service_request)).status_code == 404
    assert client.post(page(service_request, "status"), {"status": "in_work"}).status_code == 404
    service_request.refresh_from_db()
    assert service_request.status == Status.REGISTERED


# --- Actions -----------------------------------------------------------------------------------


def test_the_agent_takes_the_request_into_work_and_it_is_logged(web, desk):
    service_request = _registered(desk)
    response = web.post(page(service_request, "status"), {"status": "in_work", "reason": ""})
    assert response.status_code == 302 and response["Location"] == page(service_request)
    service_request.refresh_from_db()
    assert service_request.status == Status.IN_WORK
    event = service_request.events.filter(kind=EventKind.STATUS).get()
    assert (event.from_status, event.to_status, event.actor) == (
        "registered",
        "in_work",
        desk.agent,
    )
    html = web.get(page(service_request)).content.decode()
    assert "Registered → In work" in html
    # The status, decision and assignment forms share the page, each with its own ids.
    assert html.count('id="id_statusform_reason"') == 1 and 'id="id_reason"' not in html


def test_cancelling_needs_a_reason(web, desk):
    service_request = _registered(desk)
    refused = web.post(page(service_request, "status"), {"status": "cancelled"}, headers=HTMX)
    assert refused.status_code == 422
    assert "Say why the request is cancelled." in refused.content.decode()
    assert 'id="action-status"' in refused.content.decode()
    service_request.refresh_from_db()
    assert service_request.status == Status.REGISTERED

    web.post(
        page(service_request, "status"), {"status": "cancelled", "reason": "Customer fixed it"}
    )
    service_request.refresh_from_db()
    assert service_request.status == Status.CANCELLED and not service_request.is_open
    assert service_request.events.get(kind=EventKind.STATUS).reason == "Customer fixed it"


def test_a_transition_the_type_does_not_allow_is_refused_clearly(web, desk):
    service_request = _registered(desk)
    response = web.post(page(service_request, "status"), {"status": "waiting_customer"})
    assert response.status_code == 200
    assert response.context["page_forms"]["status"].errors["status"] == [
        "A request of type “Repair” cannot go from “Registered” to “Waiting for the customer”."
    ]
    service_request.refresh_from_db()
    assert service_request.status == Status.REGISTERED
    assert not service_request.events.filter(kind=EventKind.STATUS).exists()

    # The page offers only what the type allows.
    targets = web.get(page(service_request)).context["page_forms"]["status"].targets
    assert targets == [Status.IN_WORK, Status.CANCELLED]


def test_the_agent_records_the_decision_and_the_result(web, desk):
    service_request = _registered(desk)
    services.request_transition(request=service_request, to_status="in_work", user=desk.agent)
    general = make_decision(name="Repaired")
    own = make_decision(name="Declined: new product needed", request_type=desk.repair)
    other = make_decision(name="Other type's", request_type=make_request_type())
    offered = web.get(page(service_request)).context["page_forms"]["decide"]
    assert set(offered.fields["decision"].queryset) == {general, own}

    empty = web.post(page(service_request, "decide"), {"decision": own.pk, "result": " "})
    assert empty.context["page_forms"]["decide"].errors["result"] == [
        "Describe the result for the customer."
    ]
    foreign = web.post(page(service_request, "decide"), {"decision": other.pk, "result": "x"})
    assert "decision" in foreign.context["page_forms"]["decide"].errors
    service_request.refresh_from_db()
    assert service_request.status == Status.IN_WORK and service_request.decision is None

    web.post(page(service_request, "decide"), {"decision": own.pk, "result": "Boiler too old."})
    service_request.refresh_from_db()
    assert service_request.status == Status.DONE
    assert (service_request.decision, service_request.result) == (own, "Boiler too old.")
    html = web.get(page(service_request)).content.decode()
    assert "Declined: new product needed" in html and "Boiler too old." in html


def test_a_dispatcher_reassigns_with_a_reason_and_an_agent_may_not(client, web, desk, network):
    service_request = _registered(desk)
    colleague = make_user("technician", network.outlet_a, first_name="Ivan", last_name="Petrov")
    assert (
        web.post(page(service_request, "assign"), {"responsible": colleague.pk}).status_code == 403
    )

    dispatcher = make_user("dispatcher", network.centre)
    client.force_login(dispatcher)
    form = client.get(page(service_request)).context["page_forms"]["assign"]
    assert colleague in form.fields["responsible"].queryset
    assert (
        dispatcher not in form.fields["responsible"].queryset or dispatcher.unit == network.centre
    )

    no_reason = client.post(page(service_request, "assign"), {"responsible": colleague.pk})
    assert no_reason.context["page_forms"]["assign"].errors["reason"] == [
        "Say why the request is reassigned."
    ]
    service_request.refresh_from_db()
    assert service_request.responsible == desk.agent

    client.post(
        page(service_request, "assign"),
        {"responsible": colleague.pk, "executors": [desk.agent.pk], "reason": "Boiler expert"},
    )
    service_request.refresh_from_db()
    assert service_request.responsible == colleague
    assert list(service_request.executors.all()) == [desk.agent]
    event = service_request.events.get(kind=EventKind.REASSIGNED)
    assert (event.target_user, event.reason, event.actor) == (
        colleague,
        "Boiler expert",
        dispatcher,
    )
    assert "Boiler expert" in client.get(page(service_request)).content.decode()


def test_a_closed_request_is_reopened_within_the_period_only(web, desk):
    service_request = _registered(desk)
    services.request_transition(request=service_request, to_status="in_work", user=desk.agent)
    services.request_decide(
        request=service_request, decision=make_decision(), result="Done", user=desk.agent
    )
    services.request_confirm(request=service_request)
    assert "reopen" in web.get(page(service_request)).context["page_forms"]

    web.post(page(service_request, "reopen"), {"reason": "Leaks again"})
    service_request.refresh_from_db()
    assert service_request.status == Status.IN_WORK
    assert service_request.events.get(kind=EventKind.REOPENED).reason == "Leaks again"

    services.request_decide(
        request=service_request, decision=make_decision(), result="Again", user=desk.agent
    )
    services.request_confirm(request=service_request)
    long_ago = timezone.now() - datetime.timedelta(days=desk.repair.reopen_days + 1)
    ServiceRequest.objects.filter(pk=service_request.pk).update(closed_at=long_ago)
    assert "reopen" not in web.get(page(service_request)).context["page_forms"]
    late = web.post(page(service_request, "reopen"), {"reason": "Again?"})
    assert "register a new one" in late.content.decode()
    service_request.refresh_from_db()
    assert service_request.status == Status.CLOSED


def test_messages_and_internal_notes_are_posted_with_files_and_told_apart(web, desk):
    service_request = _registered(desk)
    web.post(
        page(service_request, "message"),
        {"body": "We will come on Friday.", "internal": "", "files": [upload("plan.pdf")]},
    )
    web.post(page(service_request, "message"), {"body": "Ask for a ladder", "internal": "1"})
    public, note = RequestMessage.objects.filter(request=service_request)
    assert (public.is_internal, note.is_internal) == (False, True)
    assert public.attachments.get().original_name == "plan.pdf"
    service_request.refresh_from_db()
    assert service_request.responded_at is not None  # the first public reply is the response

    html = web.get(page(service_request)).content.decode()
    assert html.count("message-internal") == 1 and html.count("message-public") == 1
    empty = web.post(page(service_request, "message"), {"body": " "}, headers=HTMX)
    assert (
        empty.status_code == 422 and "Write a message or attach a file." in empty.content.decode()
    )
    assert RequestMessage.objects.count() == 2


def test_a_reader_sees_the_page_without_the_forms_and_cannot_post(client, desk, network):
    service_request = _registered(desk)
    client.force_login(make_user("settlement_clerk", network.outlet_a))
    response = client.get(page(service_request))
    assert response.status_code == 200 and response.context["page_forms"] == {}
    assert client.post(page(service_request, "status"), {"status": "in_work"}).status_code == 403


def test_registered_actions_appear_for_those_with_their_permission(client, web, desk, network):
    service_request = _registered(desk)
    actions.register_action(
        actions.RequestAction(
            key="test-contract",
            label="Create contract",
            url_name="service_requests:request_detail",
            permission="contracts.add_servicecontract",
            order=5,
        )
    )
    try:
        assert 'data-action="test-contract"' in web.get(page(service_request)).content.decode()
        client.force_login(make_user("technician", network.outlet_a))
        assert (
            'data-action="test-contract"' not in client.get(page(service_request)).content.decode()
        )
    finally:
        actions.unregister_action("test-contract")


def test_the_page_takes_a_fixed_number_of_queries(web, desk, network):
    service_request = _registered(desk)
    services.request_transition(request=service_request, to_status="in_work", user=desk.agent)
    few = query_count(web, page(service_request))
    colleague = make_user("technician", network.outlet_a)
    for number in range(4):
        services.message_post(
            request=service_request,
            body=f"Note {number}",
            author=desk.agent,
            internal=bool(number % 2),
            files=[services.NewFile(f"f{number}.txt", upload(f"f{number}.txt"))],
        )
        services.request_transition(
            request=service_request, to_status="waiting_customer", user=desk.agent
        )
        services.request_transition(request=service_request, to_status="in_work", user=desk.agent)
        # Executors only: a change of responsible adds history rows whose people the shared
        # history reader (core.history) looks up one by one.
        services.request_assign(
            request=service_request,
            responsible=desk.agent,
            executors=[colleague] if number % 2 == 0 else [],
            reason="",
            user=None,
        )
    assert service_request.events.count() > 8 and service_request.attachments.count() == 4
    assert query_count(web, page(service_request)) == few
