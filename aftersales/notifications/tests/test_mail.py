"""The one place that builds outgoing e-mail: single-line headers, no reply loops."""

from __future__ import annotations

import pytest

from aftersales.notifications.mail import absolute_url, build_message, one_line, send_email


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Noisy fan", "Noisy fan"),
        ("Noisy\r\nBcc: x@example.com", "Noisy Bcc: x@example.com"),
        ("a\rb\nc", "a b c"),
        ("a\u2028b\u2029c", "a b c"),
        ("a\x00\x00b", "a b"),
        ("\r\n  padded \n", "padded"),
        ("", ""),
        (None, ""),
    ],
)
def test_one_line(value, expected):
    assert one_line(value) == expected


def test_one_line_trims_to_the_limit():
    assert one_line("x" * 300) == "x" * 250
    assert one_line("abcdef", 3) == "abc"


def test_links_start_with_the_site_address(settings):
    settings.SITE_URL = "https://service.example.com/"
    assert absolute_url("/requests/1/") == "https://service.example.com/requests/1/"
    assert absolute_url("") == ""


def test_every_message_says_it_was_generated(settings):
    settings.DEFAULT_FROM_EMAIL = "service@example.com"
    message = build_message(
        to=["a@example.com\r\n"], subject="Hi", body="Text", headers={"X-Ref": "1\n2"}
    )
    raw = message.message()
    assert raw["Auto-Submitted"] == "auto-generated"
    assert raw["X-Ref"] == "1 2"
    assert raw["From"] == "service@example.com"
    assert message.to == ["a@example.com"]


def test_the_job_sends_one_message(mailoutbox):
    send_email.call(to=["a@example.com"], subject="Hello", body="Text", headers={})
    [mail] = mailoutbox
    assert (mail.to, mail.subject, mail.body) == (["a@example.com"], "Hello", "Text")
