"""Telling people: in-app notifications and e-mails to users, e-mails to customers, each in the
recipient's language, sent only once the step that caused them has committed."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.db import transaction
from django.utils import translation

from aftersales.accounts.tests.factories import make_user
from aftersales.notifications.mail import send_emails
from aftersales.notifications.models import Notification
from aftersales.notifications.services import (
    email_address,
    emails_in_one_job,
    language_of,
    mark_read,
    notify,
)


@pytest.fixture(autouse=True)
def _jobs_at_once(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "zh-hans"
    settings.SITE_URL = "https://service.example.com/"


@pytest.fixture
def committed(db, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with committed():` runs the block's on-commit callbacks as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_each_recipient_reads_the_notification_in_their_own_language(
    network, committed, mailoutbox
):
    russian = make_user("technician", network.outlet_a, preferred_language="ru", email="r@x.cn")
    english = make_user("technician", network.outlet_a, preferred_language="en", email="e@x.cn")
    default = make_user("technician", network.outlet_a, email="")

    with committed():
        rows = notify(
            [russian, english, default],
            kind="test",
            title=translation.get_language,
            body=lambda: translation.gettext("Yes"),
            url="/requests/7/",
        )

    assert [(row.recipient, row.title) for row in rows] == [
        (russian, "ru"),
        (english, "en"),
        (default, "zh-hans"),
    ]
    assert [row.body for row in rows] == ["Да", "Yes", "是"]
    assert {row.url for row in rows} == {"/requests/7/"}
    # E-mail only to those with an address, in the same language, with the full link.
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["r@x.cn"], "ru"),
        (["e@x.cn"], "en"),
    ]
    assert mailoutbox[0].body == "Да\n\nhttps://service.example.com/requests/7/\n"


def test_a_person_named_twice_or_inactive_hears_once_or_not_at_all(network):
    active = make_user("technician", network.outlet_a)
    gone = make_user("technician", network.outlet_a, is_active=False)

    notify([active, active, None, gone], kind="test", title=lambda: "Hello")

    assert list(Notification.objects.values_list("recipient", flat=True)) == [active.pk]


def test_notifications_without_email(network, committed, mailoutbox):
    user = make_user("technician", network.outlet_a, email="t@x.cn")
    with committed():
        notify([user], kind="test", title=lambda: "In the app only", email=False)
    assert Notification.objects.get().title == "In the app only"
    assert mailoutbox == []


def test_nothing_is_mailed_when_the_transaction_rolls_back(network, committed, mailoutbox):
    user = make_user("technician", network.outlet_a, email="t@x.cn")

    class Refused(Exception):
        pass

    @transaction.atomic
    def a_step_that_fails() -> None:
        notify([user], kind="test", title=lambda: "Never sent")
        email_address("c@x.cn", language="en", subject=lambda: "Never", body=lambda: "sent")
        raise Refused

    with committed(), pytest.raises(Refused):
        a_step_that_fails()

    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_nothing_is_mailed_before_the_commit(
    network, django_capture_on_commit_callbacks, mailoutbox
):
    user = make_user("technician", network.outlet_a, email="t@x.cn")
    with django_capture_on_commit_callbacks() as callbacks:
        notify([user], kind="test", title=lambda: "Later")
        assert mailoutbox == []
    assert len(callbacks) == 1


def test_a_customer_is_mailed_in_the_language_given(committed, mailoutbox):
    with committed():
        email_address(
            "kunde@example.com",
            language="ru",
            subject=lambda: translation.gettext("No"),
            body=translation.get_language,
            url="/portal/requests/3/",
            headers={"Message-ID": "<R00000003.abc.x@example.com>"},
        )

    [mail] = mailoutbox
    assert (mail.to, mail.subject) == (["kunde@example.com"], "Нет")
    assert mail.body == "ru\n\nhttps://service.example.com/portal/requests/3/\n"
    assert mail.message()["Message-ID"] == "<R00000003.abc.x@example.com>"
    assert mail.message()["Auto-Submitted"] == "auto-generated"


def test_a_customer_without_a_language_hears_in_the_sites(committed, mailoutbox):
    with committed():
        email_address(
            "c@example.com", language="", subject=translation.get_language, body=lambda: ""
        )
    assert mailoutbox[0].subject == "zh-hans"


def test_no_address_no_mail(committed, mailoutbox):
    with committed():
        email_address("", language="en", subject=lambda: "x", body=lambda: "y")
    assert mailoutbox == []


def test_line_breaks_never_reach_a_header(committed, mailoutbox):
    with committed():
        email_address(
            "c@example.com",
            language="en",
            subject=lambda: "[R00000001-abc] Noisy\r\nBcc: victim@example.com",
            body=lambda: "Body\nwith lines",
            headers={"X-Thread\r\nBcc": "a\nBcc: victim@example.com"},
        )

    [mail] = mailoutbox
    raw = mail.message().as_string()
    assert "\nBcc:" not in raw
    assert mail.subject == "[R00000001-abc] Noisy Bcc: victim@example.com"
    assert mail.body == "Body\nwith lines"  # the body keeps its lines
    assert mail.recipients() == ["c@example.com"]


def test_the_language_of_a_user(network, settings):
    assert language_of(None) == "zh-hans"
    assert language_of(make_user("technician", network.outlet_a)) == "zh-hans"
    assert language_of(make_user("technician", network.outlet_a, preferred_language="ru")) == "ru"


def test_marking_read(network):
    user = make_user("technician", network.outlet_a)
    other = make_user("technician", network.outlet_a)
    first, second = notify([user], kind="a", title=lambda: "1") + notify(
        [user], kind="b", title=lambda: "2"
    )
    [theirs] = notify([other], kind="a", title=lambda: "3")

    assert mark_read(user, [first.pk, theirs.pk]) == 1
    assert list(Notification.objects.for_user(user).unread()) == [second]
    assert mark_read(user) == 1
    assert not Notification.objects.for_user(user).unread().exists()
    assert Notification.objects.for_user(other).unread().get() == theirs


def test_emails_asked_for_together_leave_in_one_job_after_the_commit(
    network, committed, mailoutbox, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    default_task_backend.clear()
    user = make_user("technician", network.outlet_a, email="t@x.cn")

    with committed(), transaction.atomic(), emails_in_one_job():
        notify([user], kind="test", title=lambda: "Assigned to you")
        try:
            with transaction.atomic():
                email_address("c@x.cn", language="en", subject=lambda: "Undone", body=str)
                raise RuntimeError("this part is rolled back")
        except RuntimeError:
            pass
        email_address("c@x.cn", language="en", subject=lambda: "Registered", body=str)
        assert default_task_backend.results == []  # nothing before the commit

    [job] = default_task_backend.results
    assert job.task.name == "send_emails"
    assert [m["subject"] for m in job.kwargs["messages"]] == ["Assigned to you", "Registered"]


def test_a_message_that_fails_in_a_joint_job_is_queued_again_alone(settings, mailoutbox):
    settings.MAILERS = {
        "default": {"BACKEND": "aftersales.notifications.tests.test_services.FailingFor"}
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    default_task_backend.clear()
    FailingFor.sent.clear()
    messages = [
        {"to": ["a@x.cn"], "subject": "Sent", "body": "", "headers": {}},
        {"to": ["bounce@x.cn"], "subject": "Refused", "body": "", "headers": {}},
    ]

    send_emails.call(messages=messages)

    assert [m.subject for m in FailingFor.sent] == ["Sent"]
    [again] = default_task_backend.results
    assert (again.task.name, again.kwargs) == ("send_email", messages[1])


class FailingFor(locmem.EmailBackend):
    """The test's mail server: refuses bounce@…, keeps the rest."""

    sent: list[EmailMessage] = []

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        for message in messages:
            if "bounce@x.cn" in message.to:
                raise smtplib.SMTPRecipientsRefused({"bounce@x.cn": (550, b"No such user")})
            FailingFor.sent.append(message)
        return len(messages)
