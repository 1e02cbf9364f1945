"""Portal accounts as a customer meets them: signing up, confirming the address by e-mail,
being matched to their card (or getting a new one), signing in, and setting a new password."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail, signing
from django.core.exceptions import ValidationError

from aftersales.accounts.models import LoginFailure
from aftersales.accounts.tests.factories import PASSWORD
from aftersales.customers.models import Customer, Email
from aftersales.customers.tests.factories import make_customer
from aftersales.portal import services
from aftersales.portal.models import PortalAccount
from aftersales.portal.tests.factories import make_portal_account

ADDRESS = "192.0.2.10"


def sign_up(**fields) -> PortalAccount:  # type: ignore[no-untyped-def]
    fields.setdefault("name", "Zhang Wei")
    fields.setdefault("email", "zhang.wei@example.com")
    fields.setdefault("password", PASSWORD)
    fields.setdefault("language", "en")
    return services.account_sign_up(**fields)


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"http://\S+", message.body).group(0)


def _unquote(token: str) -> str:
    from urllib.parse import unquote

    return unquote(token)


def verification_token_of(message) -> str:  # type: ignore[no-untyped-def]
    return _unquote(link_in(message).split("token=")[1])


class _SignedDaysAgo(signing.TimestampSigner):
    def __init__(self, days: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.days = days

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - self.days * 86400)


def test_sign_up_sends_a_verification_link(network, committed):
    with committed():
        account = sign_up(email=" Zhang.Wei@Example.com ", language="ru", phone="138 0013 8000")
    assert account.email == "zhang.wei@example.com"
    assert account.customer is None and not account.is_verified
    assert account.phone == "+8613800138000"
    assert check_password(PASSWORD, account.password)
    [message] = mail.outbox
    assert message.to == ["zhang.wei@example.com"]
    assert "/portal/verify/?token=" in message.body
    assert account.language == "ru"  # the e-mails' language from now on


def test_the_link_joins_the_card_that_lists_the_address_and_sets_its_language(network, committed):
    card = make_customer(network.outlet_a, name="Zhang Wei")
    Email.objects.create(customer=card, address="zhang.wei@example.com")
    with committed():
        sign_up(language="zh-hant")
    account = services.account_verify(token=verification_token_of(mail.outbox[0]))
    assert account.customer == card and account.is_verified
    card.refresh_from_db()
    assert card.language == "zh-hant"
    assert Customer.objects.count() == 1


def test_with_several_cards_the_newest_is_joined(network, committed):
    older = make_customer(network.outlet_a, name="Zhang Wei (old)")
    newer = make_customer(network.outlet_b, name="Zhang Wei")
    for card in (older, newer):
        Email.objects.create(customer=card, address="zhang.wei@example.com")
    with committed():
        sign_up()
    account = services.account_verify(token=verification_token_of(mail.outbox[0]))
    assert account.customer == newer


def test_an_unknown_address_gets_a_new_card_in_the_portal_unit(network, committed):
    with committed():
        sign_up(phone="13800138000", language="ru")
    account = services.account_verify(token=verification_token_of(mail.outbox[0]))
    card = account.customer
    assert card.name == "Zhang Wei" and card.kind == "person"
    assert card.unit == network.hq  # PORTAL_UNIT_CODE unset: the root unit
    assert card.language == "ru"
    assert list(card.emails.values_list("address", flat=True)) == ["zhang.wei@example.com"]
    assert list(card.phones.values_list("number", flat=True)) == ["+8613800138000"]


def test_portal_unit_code_chooses_the_unit_of_new_cards(network, settings, committed):
    settings.PORTAL_UNIT_CODE = network.centre.code
    with committed():
        sign_up()
    account = services.account_verify(token=verification_token_of(mail.outbox[0]))
    assert account.customer.unit == network.centre


def test_following_the_link_twice_is_harmless(network, committed):
    with committed():
        sign_up()
    token = verification_token_of(mail.outbox[0])
    first = services.account_verify(token=token)
    second = services.account_verify(token=token)
    assert first.customer == second.customer
    assert Customer.objects.count() == 1


def test_an_expired_or_altered_link_is_refused(network):
    account = sign_up()
    old = _SignedDaysAgo(4, salt=services.VERIFY_SALT).sign_object([account.pk, account.email])
    with pytest.raises(ValidationError) as expired:
        services.account_verify(token=old)
    assert expired.value.code == "expired"
    good = services.verification_token(account)
    for bad in (good[:-2] + "xx", "", "garbage", services.reset_token(account)):
        with pytest.raises(ValidationError) as invalid:
            services.account_verify(token=bad)
        assert invalid.value.code == "invalid"
    assert not PortalAccount.objects.get(pk=account.pk).is_verified


def test_a_link_of_three_days_still_works(network):
    account = sign_up()
    token = _SignedDaysAgo(2, salt=services.VERIFY_SALT).sign_object([account.pk, account.email])
    assert services.account_verify(token=token).is_verified


def test_signing_up_again_with_the_same_address_creates_nothing_and_changes_no_password(
    network, committed
):
    with committed():
        first = sign_up()
    mail.outbox.clear()
    PortalAccount.objects.filter(pk=first.pk).update(last_email_at=None)
    with committed():
        again = sign_up(email="ZHANG.WEI@example.com", password="another-long-secret-7")
    assert again.pk == first.pk
    assert PortalAccount.objects.count() == 1
    assert check_password(PASSWORD, PortalAccount.objects.get().password)
    [message] = mail.outbox  # the verification link again
    assert "/portal/verify/" in message.body


def test_a_verified_address_signing_up_again_gets_a_reminder_not_an_error(portal, committed):
    with committed():
        sign_up(email="alice@example.com")
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "already has an account" in message.body
    assert "/portal/password/" in message.body


def test_links_are_not_sent_more_than_once_a_minute(network, committed):
    with committed():
        account = sign_up()
        assert services.verification_send(account=account) is False
    assert len(mail.outbox) == 1


def test_weak_passwords_bad_phones_and_unknown_languages_are_refused(network):
    with pytest.raises(ValidationError) as error:
        sign_up(password="12345678", phone="not a phone", language="xx")
    assert set(error.value.message_dict) == {"password", "phone", "language"}
    with pytest.raises(ValidationError) as similar:
        sign_up(email="zhangwei2024@example.com", password="zhangwei2024")
    assert "password" in similar.value.message_dict
    assert not PortalAccount.objects.exists()


# --- Sign-in ---------------------------------------------------------------------------------


def test_sign_in_with_the_right_password(portal):
    account = services.account_authenticate(
        email="ALICE@example.com", password=PASSWORD, address=ADDRESS
    )
    assert account == portal.alice_account
    assert account.last_login_at is not None


def test_a_wrong_password_is_refused_and_counted(portal):
    with pytest.raises(ValidationError) as error:
        services.account_authenticate(email="alice@example.com", password="nope", address=ADDRESS)
    assert error.value.code == "invalid"
    assert LoginFailure.objects.filter(username="portal:alice@example.com").count() == 1
    with pytest.raises(ValidationError) as unknown:
        services.account_authenticate(email="nobody@example.com", password="x", address=ADDRESS)
    assert unknown.value.messages == error.value.messages  # no hint who has an account


def test_an_unverified_account_cannot_sign_in(network):
    sign_up()
    with pytest.raises(ValidationError) as error:
        services.account_authenticate(
            email="zhang.wei@example.com", password=PASSWORD, address=ADDRESS
        )
    assert error.value.code == "unverified"


def test_after_five_failures_even_the_right_password_waits(portal, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        with pytest.raises(ValidationError):
            services.account_authenticate(
                email="alice@example.com", password="guess", address=ADDRESS
            )
    with pytest.raises(ValidationError) as error:
        services.account_authenticate(
            email="alice@example.com", password=PASSWORD, address="198.51.100.7"
        )
    assert error.value.code == "locked_out"


def test_a_deactivated_account_cannot_sign_in(portal):
    PortalAccount.objects.filter(pk=portal.alice_account.pk).update(is_active=False)
    with pytest.raises(ValidationError) as error:
        services.account_authenticate(email="alice@example.com", password=PASSWORD, address=ADDRESS)
    assert error.value.code == "invalid"


# --- Password reset --------------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once(portal, committed):
    with committed():
        services.password_reset_request(email="Alice@Example.com")
    [message] = mail.outbox
    assert "/portal/password/new/?token=" in message.body
    token = _unquote(link_in(message).split("token=")[1])
    services.password_reset(token=token, password="a-brand-new-secret-42")
    account = PortalAccount.objects.get(pk=portal.alice_account.pk)
    assert check_password("a-brand-new-secret-42", account.password)
    with pytest.raises(ValidationError):
        services.password_reset(token=token, password="yet-another-secret-43")


def test_a_reset_for_an_unknown_address_sends_nothing(portal, committed):
    with committed():
        services.password_reset_request(email="stranger@example.com")
    assert mail.outbox == []


def test_a_reset_keeps_the_password_rules(portal):
    token = services.reset_token(portal.alice_account)
    with pytest.raises(ValidationError) as error:
        services.password_reset(token=token, password="password")
    assert "password" in error.value.message_dict


def test_a_pending_account_asking_for_a_reset_gets_its_verification_link(network, committed):
    account = make_portal_account(verified=False, email="late@example.com")
    with committed():
        services.password_reset_request(email=account.email)
    [message] = mail.outbox
    assert "/portal/verify/" in message.body
