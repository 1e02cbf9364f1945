"""The portal as a customer uses it: sign up, confirm, sign in, send a request with its
answers and files, follow it, write, and answer the result."""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.portal.models import PortalAccount
from aftersales.portal.tests.factories import sign_in
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import (
    Attachment,
    Channel,
    RequestMessage,
    ServiceRequest,
    Status,
)
from aftersales.service_requests.tests.factories import make_decision, make_service_request


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def photo(name: str = "photo.jpg", size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff\xd8" + b"x" * (size - 2), content_type="image/jpeg")


def test_sign_up_confirm_and_sign_in(client, network, committed):
    form = client.get("/portal/sign-up/")
    assert form.status_code == 200 and "Create an account" in page(form)
    with committed():
        response = client.post(
            "/portal/sign-up/",
            {
                "name": "Li Na",
                "email": "li.na@example.com",
                "phone": "",
                "password": PASSWORD,
                "password_again": PASSWORD,
                "language": "en",
            },
        )
    assert response["Location"] == "/portal/sign-up/done/"
    assert "li.na@example.com" in page(client.get("/portal/sign-up/done/"))
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1]
    confirmed = client.get(path, follow=True)
    assert "your e-mail address is confirmed" in page(confirmed)
    assert PortalAccount.objects.get().customer.name == "Li Na"
    signed_in = client.post(
        "/portal/login/", {"email": "li.na@example.com", "password": PASSWORD}, follow=True
    )
    assert signed_in.request["PATH_INFO"] == "/portal/requests/"
    assert "You have no requests yet." in page(signed_in)


def test_sign_up_with_differing_passwords_shows_the_form_again(client, network):
    response = client.post(
        "/portal/sign-up/",
        {
            "name": "Li Na",
            "email": "li.na@example.com",
            "password": PASSWORD,
            "password_again": PASSWORD + "x",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "The two passwords differ." in page(response)
    assert not PortalAccount.objects.exists()


def test_a_broken_verification_link_says_so(client, network):
    response = client.get("/portal/verify/?token=nonsense")
    assert response.status_code == 400
    assert "This link is not valid." in page(response)


def test_an_unverified_account_is_told_and_can_have_the_link_again(client, network, committed):
    with committed():
        client.post(
            "/portal/sign-up/",
            {
                "name": "Li Na",
                "email": "li.na@example.com",
                "password": PASSWORD,
                "password_again": PASSWORD,
                "language": "en",
            },
        )
    PortalAccount.objects.update(last_email_at=None)
    response = client.post("/portal/login/", {"email": "li.na@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "not confirmed yet" in page(response)
    assert 'action="/portal/verify/resend/"' in page(response)
    with committed():
        resent = client.post("/portal/verify/resend/", {"email": "li.na@example.com"}, follow=True)
    assert "a new link is on its way" in page(resent)
    assert len(mail.outbox) == 2


def test_password_reset_through_the_pages(client, portal, committed):
    with committed():
        client.post("/portal/password/", {"email": "alice@example.com"})
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1]
    assert client.get(path).status_code == 200
    done = client.post(
        path, {"password": "new-secret-for-alice", "password_again": "new-secret-for-alice"}
    )
    assert done["Location"] == "/portal/login/"
    assert client.get(path).status_code == 400  # used
    sign_in(client, PortalAccount.objects.get(pk=portal.alice_account.pk), "new-secret-for-alice")


def test_a_password_reset_ends_other_sessions(client, portal):
    sign_in(client, portal.alice_account)
    from aftersales.portal import services

    account = PortalAccount.objects.get(pk=portal.alice_account.pk)
    services.password_reset(token=services.reset_token(account), password="new-secret-for-alice")
    response = client.get("/portal/requests/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")


# --- Requests --------------------------------------------------------------------------------


def test_my_requests_lists_only_my_customers_requests(alice_client, portal):
    mine = make_service_request(
        portal.alice, request_type=portal.general, subject="Fridge is noisy"
    )
    make_service_request(portal.bob, request_type=portal.general, subject="Bob's washer")
    response = alice_client.get("/portal/requests/")
    html = page(response)
    assert mine.number in html and "Fridge is noisy" in html
    assert "Bob&#x27;s washer" not in html and "Bob's washer" not in html


def test_the_list_takes_the_same_queries_for_one_or_many_requests(
    alice_client, portal, django_assert_max_num_queries
):
    make_service_request(portal.alice, request_type=portal.general)
    alice_client.get("/portal/requests/")
    with django_assert_max_num_queries(8) as one:
        alice_client.get("/portal/requests/")
    for _ in range(10):
        make_service_request(portal.alice, request_type=portal.general)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert alice_client.get("/portal/requests/").status_code == 200


def test_submit_a_request_with_answers_and_files(alice_client, portal, committed):
    form = alice_client.get("/portal/requests/new/")
    assert "Repair" in page(form)
    with committed():
        response = alice_client.post(
            "/portal/requests/new/",
            {
                "request_type": portal.repair.pk,
                "q_what": "Leak",
                "q_where": "Under the sink",
                "subject": "Dishwasher leaks",
                "description": "Since Monday.",
                "files": [photo("one.jpg"), photo("two.jpg")],
            },
        )
    created = ServiceRequest.objects.get()
    assert response["Location"] == f"/portal/requests/{created.pk}/"
    assert created.customer == portal.alice
    assert created.channel == Channel.PORTAL
    assert created.customer_email == "alice@example.com"
    assert created.answers == {"what": "Leak", "where": "Under the sink"}
    assert sorted(created.attachments.values_list("original_name", flat=True)) == [
        "one.jpg",
        "two.jpg",
    ]
    detail = page(alice_client.get(response["Location"]))
    assert f"registered under number {created.number}" in detail
    assert "one.jpg" in detail
    assert any("registered" in m.subject.lower() for m in mail.outbox)


def test_a_conditional_question_appears_when_its_answer_is_chosen(alice_client, portal):
    without = alice_client.get(
        "/portal/requests/new/questions/",
        {"request_type": portal.repair.pk, "q_what": "Screen"},
        headers={"HX-Request": "true"},
    )
    assert "What is broken?" in page(without)
    assert "Where does it leak?" not in page(without)
    assert "<html" not in page(without)
    leak = alice_client.get(
        "/portal/requests/new/questions/",
        {"request_type": portal.repair.pk, "q_what": "Leak"},
        headers={"HX-Request": "true"},
    )
    assert "Where does it leak?" in page(leak)


def test_an_unanswered_shown_question_is_asked_for(alice_client, portal):
    response = alice_client.post(
        "/portal/requests/new/",
        {"request_type": portal.repair.pk, "q_what": "Leak", "subject": "Leak"},
    )
    assert response.status_code == 200
    assert "Where does it leak?" in page(response)
    assert "This field is required." in page(response)
    assert not ServiceRequest.objects.exists()


def test_a_file_over_the_limit_is_refused_with_a_clear_message(alice_client, portal, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = alice_client.post(
        "/portal/requests/new/",
        {
            "request_type": portal.repair.pk,
            "q_what": "Screen",
            "subject": "Cracked screen",
            "files": [photo("small.jpg"), photo("huge.jpg", size=2 * 1024 * 1024)],
        },
    )
    assert response.status_code == 200
    assert "“huge.jpg” is 2.0 MB; files of up to 1 MB are accepted." in page(response)
    assert not ServiceRequest.objects.exists()


def test_the_request_page_shows_the_public_thread_only(alice_client, portal, network):
    agent = make_user("technician", network.outlet_a)
    request = make_service_request(
        portal.alice, request_type=portal.general, subject="Noisy fridge"
    )
    request_services.message_post(
        request=request,
        body="We will come on Tuesday.",
        author=agent,
        files=[request_services.NewFile("plan.jpg", photo("plan.jpg"))],
    )
    request_services.message_post(
        request=request,
        body="Customer is difficult, be careful",
        author=agent,
        internal=True,
        files=[request_services.NewFile("secret.jpg", photo("secret.jpg"))],
    )
    html = page(alice_client.get(f"/portal/requests/{request.pk}/"))
    assert "We will come on Tuesday." in html and "plan.jpg" in html
    assert "Customer is difficult" not in html and "secret.jpg" not in html
    assert agent.username not in html

    public = Attachment.objects.get(original_name="plan.jpg")
    internal = Attachment.objects.get(original_name="secret.jpg")
    download = alice_client.get(f"/portal/files/{public.pk}/")
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8")
    assert alice_client.get(f"/portal/files/{internal.pk}/").status_code == 404


def test_the_customer_writes_with_a_file(alice_client, portal):
    request = make_service_request(portal.alice, request_type=portal.general)
    response = alice_client.post(
        f"/portal/requests/{request.pk}/message/",
        {"body": "Here is the photo.", "files": [photo("leak.jpg")]},
    )
    assert response.status_code == 302
    message = RequestMessage.objects.get(request=request)
    assert message.source == RequestMessage.Source.PORTAL
    assert message.author_name == "Alice Wang" and message.author is None
    assert message.attachments.get().original_name == "leak.jpg"
    assert "Here is the photo." in page(alice_client.get(f"/portal/requests/{request.pk}/"))


def test_an_empty_message_is_refused(alice_client, portal):
    request = make_service_request(portal.alice, request_type=portal.general)
    response = alice_client.post(f"/portal/requests/{request.pk}/message/", {"body": " "})
    assert response.status_code == 400
    assert "Write a message or attach a file." in page(response)


def _done(portal, network):  # type: ignore[no-untyped-def]
    agent = make_user("technician", network.outlet_a)
    request = make_service_request(
        portal.alice, request_type=portal.general, subject="Broken screen"
    )
    request_services.request_transition(request=request, to_status=Status.IN_WORK, user=agent)
    decision = make_decision(name="Repaired under warranty")
    request_services.request_decide(
        request=request, decision=decision, result="Screen replaced.", user=agent
    )
    return request


def test_the_customer_sees_the_result_and_confirms_it(alice_client, portal, network):
    request = _done(portal, network)
    html = page(alice_client.get(f"/portal/requests/{request.pk}/"))
    assert "Repaired under warranty" in html and "Screen replaced." in html
    assert "Confirm the result" in html and "Dispute the result" in html
    alice_client.post(f"/portal/requests/{request.pk}/confirm/")
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    html = page(alice_client.get(f"/portal/requests/{request.pk}/"))
    assert "Confirm the result" not in html and "Reopen the request" in html


def test_the_customer_disputes_the_result_with_a_claim(alice_client, portal, network):
    request = _done(portal, network)
    refused = alice_client.post(f"/portal/requests/{request.pk}/dispute/", {"claim": ""})
    assert refused.status_code == 400
    alice_client.post(f"/portal/requests/{request.pk}/dispute/", {"claim": "Still cracked."})
    request.refresh_from_db()
    assert request.status == Status.DISPUTED and request.customer_claim == "Still cracked."


def test_the_customer_rates_and_reopens(alice_client, portal, network):
    request = _done(portal, network)
    alice_client.post(f"/portal/requests/{request.pk}/rate/", {"rating": "4", "comment": "Quick"})
    request.refresh_from_db()
    assert (request.rating, request.rating_comment) == (4, "Quick")
    assert (
        alice_client.post(f"/portal/requests/{request.pk}/rate/", {"rating": "9"}).status_code
        == 400
    )
    alice_client.post(f"/portal/requests/{request.pk}/confirm/")
    alice_client.post(f"/portal/requests/{request.pk}/reopen/", {"reason": "Broke again."})
    request.refresh_from_db()
    assert request.status == Status.IN_WORK


def test_confirming_an_open_request_is_refused(alice_client, portal):
    request = make_service_request(portal.alice, request_type=portal.general)
    response = alice_client.post(f"/portal/requests/{request.pk}/confirm/", follow=True)
    assert "Only a request with a result can be confirmed." in page(response)
    request.refresh_from_db()
    assert request.status == Status.REGISTERED


def test_a_closed_request_takes_no_messages(alice_client, portal, network):
    request = _done(portal, network)
    request_services.request_confirm(request=request)
    response = alice_client.post(
        f"/portal/requests/{request.pk}/message/", {"body": "Hello?"}, follow=True
    )
    assert "This request is closed." in page(response)
    assert not RequestMessage.objects.filter(request=request).exists()


def test_the_language_switch_changes_the_account_language(alice_client, portal):
    response = alice_client.post(
        "/portal/language/", {"language": "ru", "next": "/portal/requests/"}
    )
    assert response["Location"] == "/portal/requests/"
    portal.alice_account.refresh_from_db()
    assert portal.alice_account.language == "ru"
    with translation.override("ru"):
        expected = translation.gettext("Sign out")
    assert expected in page(alice_client.get("/portal/requests/"))
    assert 'lang="ru"' in page(alice_client.get("/portal/requests/"))


def test_the_language_switch_never_redirects_off_the_portal(client, network):
    response = client.post(
        "/portal/language/", {"language": "en", "next": "https://evil.example/portal/"}
    )
    assert response["Location"] == "/portal/"
    response = client.post("/portal/language/", {"language": "en", "next": "/customers/"})
    assert response["Location"] == "/portal/"


def test_sign_out(alice_client):
    alice_client.post("/portal/logout/")
    assert alice_client.get("/portal/requests/").status_code == 302


def test_the_next_page_after_signing_in(client, portal):
    request = make_service_request(portal.alice, request_type=portal.general)
    first = client.get(f"/portal/requests/{request.pk}/")
    assert first.status_code == 302
    login_url = first["Location"]
    assert login_url.startswith("/portal/login/?next=")
    next_path = unquote(login_url.split("next=")[1])
    response = client.post(
        "/portal/login/", {"email": "alice@example.com", "password": PASSWORD, "next": next_path}
    )
    assert response["Location"] == f"/portal/requests/{request.pk}/"
