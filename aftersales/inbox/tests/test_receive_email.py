"""The mail server pipes a message into `manage.py receive_email`: status 0 once it is kept
(whatever became of it), 75 when it could not be kept, so the mail server retries."""

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aftersales.inbox.models import InboundMessage, Source, Status
from aftersales.inbox.tests import samples
from aftersales.inbox.tests.conftest import use_private_storage


def _pipe(monkeypatch, raw: bytes, *args: str) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("receive_email", *args, stdout=out)
    return out.getvalue()


def test_a_piped_message_is_stored_and_routed(desk, monkeypatch) -> None:
    output = _pipe(monkeypatch, samples.big5_with_hkscs_characters())
    message = InboundMessage.objects.get()
    assert output.startswith(f"stored: #{message.pk} new_request")
    assert message.source == Source.PIPE and message.request.customer.name == "陳大文"


def test_a_quarantined_message_still_exits_cleanly(desk, monkeypatch) -> None:
    output = _pipe(monkeypatch, samples.many_parts(30_000))
    assert "quarantined too_many_parts" in output


def test_the_same_message_piped_twice(desk, monkeypatch) -> None:
    _pipe(monkeypatch, samples.plain())
    assert _pipe(monkeypatch, samples.plain()).startswith("already stored:")
    assert InboundMessage.objects.count() == 1


def test_the_envelope_sender_marks_bounces(desk, monkeypatch) -> None:
    _pipe(monkeypatch, samples.plain(), "--sender", "")
    assert InboundMessage.objects.get().status == Status.IGNORED


def test_a_message_from_a_file(desk, tmp_path) -> None:
    path = tmp_path / "message.eml"
    path.write_bytes(samples.koi8_r())
    call_command("receive_email", "--file", str(path), stdout=io.StringIO())
    assert InboundMessage.objects.get().subject == "Сломался холодильник"


def test_when_it_cannot_be_stored_the_mail_server_is_told_to_retry(
    desk, monkeypatch, tmp_path
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    use_private_storage(monkeypatch, blocked)
    with pytest.raises(CommandError) as refusal:
        _pipe(monkeypatch, samples.plain())
    assert refusal.value.returncode == 75
    assert not InboundMessage.objects.exists()
