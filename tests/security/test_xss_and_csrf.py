"""Stored XSS through every text field that pages show, and CSRF on every state-changing form.

Both walk the URL configuration (as the access matrix does), so new pages are probed without
new test code.
"""

import re

import pytest
from django.db import models
from django.test import Client

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import load_all_factories
from tests.test_access_matrix import _fill, html_pages

PROBE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def _poison_text_fields(record: models.Model) -> None:
    """Write the probe into every free-text column of the record, bypassing validation (as a
    bad import or an old system's data would)."""
    values = {}
    for field in record._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            if field.name in {"path", "password", "key_hash", "prefix"}:
                continue
            limit = field.max_length or len(PROBE)
            # The record's pk keeps values apart under unique constraints (also conditional ones)
            suffix = str(record.pk)
            values[field.name] = (PROBE[: max(0, limit - len(suffix))] + suffix)[:limit]
    if values:
        type(record)._base_manager.filter(pk=record.pk).update(**values)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """The body as text; a download (a file response) is read to the end, which also closes
    its file. Its bytes are the uploaded file's own and are served as a download anyway."""
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode()


def test_text_fields_are_escaped_on_every_page(client, network):
    makers = load_all_factories()
    client.force_login(make_user("administrator", network.hq))
    probed = 0
    for page in html_pages():
        view = page.view
        if "pk>" not in page.route or not getattr(view, "model", None):
            continue
        record = makers[view.model](network.outlet_a)
        _poison_text_fields(record)
        for url in (_fill(page.route, record.pk),):
            html = _text(client.get(url))
            assert "<script>alert(" not in html and "<img src=x" not in html, url
            probed += 1
        list_route = page.route.split("<")[0]
        response = client.get("/" + list_route)
        if response.status_code == 200:
            html = _text(response)
            assert "<script>alert(" not in html and "<img src=x" not in html, list_route
    assert probed > 0


def _posting_pages():  # type: ignore[no-untyped-def]
    for page in html_pages():
        if page.view is not None and hasattr(page.view, "post"):
            yield page


@pytest.mark.parametrize("page", list(_posting_pages()), ids=lambda p: p.name)
def test_every_form_refuses_a_post_without_csrf_token(network, page):
    makers = load_all_factories()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("administrator", network.hq))
    pk = makers[page.view.model](network.outlet_a).pk if "pk>" in page.route else None
    url = re.sub(r"<(?:int:)?\w+>", str(pk), "/" + page.route)
    response = strict.post(url, {})
    assert response.status_code == 403, url
