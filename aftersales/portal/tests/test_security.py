"""The portal's walls: a customer's session opens no staff page and a staff session no portal
page; one customer never reaches another's request or file (404, on every route with an id);
what customers and staff typed is escaped; every form needs its CSRF token; sign-in cannot be
brute-forced and an unconfirmed address cannot sign in.

Routes are read from the URL configuration, so a new portal route with an id is probed
without new test code (the staff access matrix leaves the "portal" namespace to this file).
"""

from __future__ import annotations

import re

from django.test import Client
from django.urls import URLResolver, get_resolver

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.portal.models import PortalAccount
from aftersales.portal.tests.factories import make_portal_account, sign_in
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import Attachment, Status
from aftersales.service_requests.tests.factories import make_decision, make_service_request
from tests.test_access_matrix import _walk

PROBE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


POST_DATA = {
    "body": "Hello",
    "claim": "No",
    "rating": "5",
    "reason": "Again",
}


def portal_routes() -> list[tuple[str, str]]:
    """(name, route) of every portal page, from the URL configuration."""
    [mount] = [
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace == "portal"
    ]
    return [
        (page.name, page.route) for page in _walk(mount.url_patterns, str(mount.pattern), "portal")
    ]


def _fill(route: str, pk: int) -> str:
    return "/" + route.replace("<int:pk>", str(pk))


def _hit(client: Client, name: str, url: str):  # type: ignore[no-untyped-def]
    if name in {"portal:request_detail", "portal:attachment_download"}:
        response = client.get(url)
        if response.streaming:  # read to the end: the test client then closes the file
            b"".join(response.streaming_content)
        return response
    return client.post(url, POST_DATA)


def _with_file(customer, portal) -> tuple:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = make_service_request(customer, request_type=portal.general)
    request_services.message_post(
        request=request,
        body="See the invoice.",
        files=[request_services.NewFile("invoice.txt", SimpleUploadedFile("invoice.txt", b"1"))],
    )
    return request, Attachment.objects.get(request=request)


def test_every_portal_route_with_an_id_answers_404_for_another_customers_record(
    alice_client, portal
):
    own_request, own_file = _with_file(portal.alice, portal)
    foreign_request, foreign_file = _with_file(portal.bob, portal)
    probed = []
    for name, route in portal_routes():
        if "<int:pk>" not in route:
            assert "<" not in route, f"{name}: a parameter this test cannot fill"
            continue
        is_file = name == "portal:attachment_download"
        foreign = foreign_file.pk if is_file else foreign_request.pk
        own = own_file.pk if is_file else own_request.pk
        response = _hit(alice_client, name, _fill(route, foreign))
        assert response.status_code == 404, (name, response.status_code)
        # The same route on her own record is not a 404: the test proves the wall, not a typo.
        mine = _hit(alice_client, name, _fill(route, own))
        assert mine.status_code != 404, (name, mine.status_code)
        probed.append(name)
    assert set(probed) >= {
        "portal:request_detail",
        "portal:request_message",
        "portal:request_confirm",
        "portal:request_dispute",
        "portal:request_rate",
        "portal:request_reopen",
        "portal:attachment_download",
    }
    foreign_request.refresh_from_db()
    assert foreign_request.status == Status.REGISTERED
    assert not foreign_request.messages.filter(body="Hello").exists()


def test_an_id_that_does_not_exist_is_404_too(alice_client):
    assert alice_client.get("/portal/requests/999999/").status_code == 404
    assert alice_client.get("/portal/files/999999/").status_code == 404


def test_a_portal_session_opens_no_staff_page(alice_client, portal):
    request = make_service_request(portal.alice, request_type=portal.general)
    for url in ("/customers/", "/requests/queue/", f"/requests/{request.pk}/", "/"):
        response = alice_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    assert alice_client.get("/api/v1/customers/").status_code == 401


def test_a_staff_session_opens_no_portal_page(client, portal, network):
    client.force_login(make_user("administrator", network.hq))
    request = make_service_request(portal.alice, request_type=portal.general)
    for url in ("/portal/requests/", "/portal/requests/new/", f"/portal/requests/{request.pk}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/portal/login/"), url
    response = client.post(f"/portal/requests/{request.pk}/message/", {"body": "Hi"})
    assert response["Location"].startswith("/portal/login/")
    assert not request.messages.exists()


def test_signing_in_on_the_portal_ends_a_staff_session_and_rotates_the_key(client, portal, network):
    client.force_login(make_user("administrator", network.hq))
    before = client.session.session_key
    sign_in(client, portal.alice_account)
    assert client.session.session_key != before
    assert client.get("/customers/")["Location"].startswith("/accounts/login/")
    assert client.get("/portal/requests/").status_code == 200


def test_names_and_messages_are_escaped(client, portal, network):
    PortalAccount.objects.filter(pk=portal.alice_account.pk).update(name=PROBE)
    sign_in(client, portal.alice_account)
    agent = make_user("technician", network.outlet_a)
    request = make_service_request(portal.alice, request_type=portal.general, subject=PROBE)
    request_services.message_post(request=request, body=PROBE, author=agent)
    client.post(f"/portal/requests/{request.pk}/message/", {"body": PROBE})
    request_services.request_transition(request=request, to_status=Status.IN_WORK, user=agent)
    request_services.request_decide(
        request=request, decision=make_decision(name=PROBE), result=PROBE, user=agent
    )
    for url in ("/portal/requests/", f"/portal/requests/{request.pk}/"):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;" in html, url
        assert "<script>alert(" not in html and "<img src=x" not in html, url


def test_every_portal_post_needs_the_csrf_token(portal):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/portal/login/")
    token = browser.cookies["csrftoken"].value
    no_token = browser.post("/portal/login/", {"email": "alice@example.com", "password": PASSWORD})
    assert no_token.status_code == 403
    signed_in = browser.post(
        "/portal/login/",
        {"email": "alice@example.com", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302
    request = make_service_request(portal.alice, request_type=portal.general)
    for name, route in portal_routes():
        response = browser.post(_fill(route, request.pk), POST_DATA)
        assert response.status_code == 403, name
    assert not request.messages.exists()


def test_every_form_on_the_request_page_carries_the_token(alice_client, portal, network):
    agent = make_user("technician", network.outlet_a)
    request = make_service_request(portal.alice, request_type=portal.general)
    request_services.request_transition(request=request, to_status=Status.IN_WORK, user=agent)
    request_services.request_decide(
        request=request, decision=make_decision(), result="Done.", user=agent
    )
    html = alice_client.get(f"/portal/requests/{request.pk}/").content.decode()
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
    assert len(forms) >= 5  # language, sign-out, confirm, dispute, rate, message
    assert all("csrfmiddlewaretoken" in form for form in forms)


def test_an_unverified_account_cannot_sign_in(client, network):
    pending = make_portal_account(verified=False, email="pending@example.com")
    response = client.post("/portal/login/", {"email": pending.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "not confirmed yet" in response.content.decode()
    assert client.get("/portal/requests/").status_code == 302


def test_sign_in_is_throttled_after_repeated_failures(client, portal, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        client.post("/portal/login/", {"email": "alice@example.com", "password": "guess"})
    response = client.post("/portal/login/", {"email": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get("/portal/requests/").status_code == 302


def test_one_client_address_cannot_try_many_accounts(client, portal, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for number in range(3):
        client.post("/portal/login/", {"email": f"x{number}@example.com", "password": "guess"})
    response = client.post("/portal/login/", {"email": "alice@example.com", "password": PASSWORD})
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_downloads_are_never_run_in_our_origin(alice_client, portal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = make_service_request(portal.alice, request_type=portal.general)
    request_services.message_post(
        request=request,
        body="page",
        files=[
            request_services.NewFile(
                "evil.html", SimpleUploadedFile("evil.html", b"<script>1</script>", "text/html")
            )
        ],
    )
    attachment = Attachment.objects.get(request=request)
    response = alice_client.get(f"/portal/files/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"<script>1</script>"


def test_portal_routes_are_outside_the_staff_matrix() -> None:
    from tests.test_access_matrix import html_pages

    assert not [page.name for page in html_pages() if page.name.startswith("portal:")]
