"""Writes of the customer portal: sign-up, e-mail verification, sign-in (throttled), password
reset and language. The customer's steps on a request (register, write, confirm, dispute,
rate, reopen) are service_requests.services, called by the portal's views.

Links in e-mails are signed (django.core.signing), so no token table is needed: a
verification link carries the account and its address, a reset link a fingerprint of the
current password hash and last sign-in, so it stops working once used.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from aftersales.accounts import throttle
from aftersales.accounts.models import User
from aftersales.customers import phones
from aftersales.customers.models import Customer, CustomerKind
from aftersales.customers.services import customer_create
from aftersales.notifications.services import email_address
from aftersales.organisation.models import Unit
from aftersales.portal.models import PortalAccount

VERIFY_SALT = "aftersales.portal.verify"
RESET_SALT = "aftersales.portal.reset"
VERIFY_MAX_AGE = datetime.timedelta(days=3)
# A second link to the same account within this time is not sent (mailbox flooding).
EMAIL_INTERVAL = datetime.timedelta(seconds=60)
# Sign-in failures share accounts.throttle's table; the prefix keeps portal addresses apart
# from staff usernames (which cannot contain a colon).
THROTTLE_PREFIX = "portal:"
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def normalise_email(raw: str) -> str:
    return (raw or "").strip().lower()


def throttle_key(email: str) -> str:
    return (THROTTLE_PREFIX + normalise_email(email))[:150]


def _link(name: str, token: str) -> str:
    return reverse(name) + "?" + urlencode({"token": token})


def _may_email(account: PortalAccount, now: datetime.datetime) -> bool:
    """True (and the time recorded) unless a link went to this account very recently."""
    if account.last_email_at is not None and now - account.last_email_at < EMAIL_INTERVAL:
        return False
    PortalAccount.objects.filter(pk=account.pk).update(last_email_at=now)
    account.last_email_at = now
    return True


# --- Sign-up and verification ----------------------------------------------------------------


def verification_token(account: PortalAccount) -> str:
    return signing.TimestampSigner(salt=VERIFY_SALT).sign_object([account.pk, account.email])


def verification_send(*, account: PortalAccount, now: datetime.datetime | None = None) -> bool:
    """Mail the account its verification link (valid three days); False when one was sent a
    moment ago or the account needs none."""
    if account.is_verified or not account.is_active:
        return False
    if not _may_email(account, now or timezone.now()):
        return False
    url = _link("portal:verify", verification_token(account))
    name = account.name
    email_address(
        account.email,
        language=account.language,
        subject=lambda: _("Confirm your e-mail address"),
        body=lambda: (
            _(
                "Hello %(name)s,\n\nplease confirm your e-mail address to start using the "
                "customer portal. The link below is valid for %(days)d days."
            )
            % {"name": name, "days": VERIFY_MAX_AGE.days}
        ),
        url=url,
    )
    return True


def _validate_password(password: str, account: PortalAccount) -> None:
    try:
        password_validation.validate_password(password, user=account)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


@transaction.atomic
def account_sign_up(
    *, name: str, email: str, password: str, language: str, phone: str = ""
) -> PortalAccount:
    """A new, unverified account, and its verification link by e-mail.

    An address that already has an account gets a mail, not an error on the page, so the
    form does not tell strangers who is registered: a verified account is reminded that it
    exists (with the password-reset link), a pending one gets its verification link again
    (its password is not changed by whoever signs up a second time)."""
    email = normalise_email(email)
    existing = PortalAccount.objects.filter(email__iexact=email).first() if email else None
    if existing is not None:
        _remind_existing(existing)
        return existing
    errors: dict[str, list[str]] = {}
    number = ""
    if (phone or "").strip():
        try:
            number = phones.normalise(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if language not in LANGUAGE_CODES:
        errors["language"] = [_("Choose a language.")]
    account = PortalAccount(
        email=email, name=" ".join((name or "").split()), phone=number, language=language
    )
    try:
        _validate_password(password, account)
    except ValidationError as error:
        errors.update(error.message_dict)
    account.password = make_password(password)
    try:
        account.full_clean(exclude=["password", "customer"] + list(errors))
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # the same address signed up at the same moment
        existing = PortalAccount.objects.get(email__iexact=email)
        _remind_existing(existing)
        return existing
    verification_send(account=account)
    return account


def _remind_existing(account: PortalAccount) -> None:
    if not account.is_verified:
        verification_send(account=account)
        return
    if not account.is_active or not _may_email(account, timezone.now()):
        return
    name = account.name
    email_address(
        account.email,
        language=account.language,
        subject=lambda: _("You already have an account"),
        body=lambda: (
            _(
                "Hello %(name)s,\n\nsomeone (perhaps you) tried to sign up on the customer "
                "portal with this address, which already has an account. Sign in, or set a new "
                "password on the page below if you have forgotten it."
            )
            % {"name": name}
        ),
        url=reverse("portal:password_reset"),
    )


def portal_unit() -> Unit:
    """The unit that serves customers who first appear through the portal."""
    code = settings.PORTAL_UNIT_CODE
    unit = (
        Unit.objects.filter(code=code).first()
        if code
        else Unit.objects.filter(depth=1).order_by("path").first()
    )
    if unit is None:
        raise ImproperlyConfigured(f"PORTAL_UNIT_CODE={code!r}: no such unit")
    return unit


def _portal_actor() -> User:
    """customer_create checks that the person writing may serve the card's unit. The portal
    writes on the organisation's behalf into the unit the configuration names, so it acts
    through an unsaved stand-in that sees every unit; it is never stored (the card's history
    shows no user)."""
    return User(username="portal", is_active=True, is_superuser=True)


def _customer_for(account: PortalAccount) -> Customer:
    """The customer whose card lists the account's address; with several, the most recently
    created card (the newest is the likeliest to be current); with none, a new card."""
    match = (
        Customer.objects.filter(emails__address=account.email)
        .order_by("-created_at", "-pk")
        .first()
    )
    if match is not None:
        return match
    return customer_create(
        user=_portal_actor(),
        name=account.name,
        unit=portal_unit(),
        kind=CustomerKind.PERSON,
        phones=[account.phone] if account.phone else [],
        emails=[account.email],
    )


@transaction.atomic
def account_verify(*, token: str, now: datetime.datetime | None = None) -> PortalAccount:
    """Follow a verification link: the account is verified and linked to its customer (found
    by e-mail, or a new card), whose language becomes the account's. A second click on the
    same link is harmless."""
    try:
        pk, email = signing.TimestampSigner(salt=VERIFY_SALT).unsign_object(
            token or "", max_age=VERIFY_MAX_AGE
        )
    except signing.SignatureExpired:
        raise ValidationError(
            _("This link has expired. Sign in to have a new one sent to you."), code="expired"
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(_("This link is not valid."), code="invalid") from None
    account = (
        PortalAccount.objects.select_for_update().filter(pk=pk, email=email, is_active=True).first()
    )
    if account is None:
        raise ValidationError(_("This link is not valid."), code="invalid")
    if account.is_verified:
        return account
    customer = _customer_for(account)
    account.customer = customer
    account.verified_at = now or timezone.now()
    account.save(update_fields=["customer", "verified_at"])
    if account.language and customer.language != account.language:
        # The card's language is what e-mails about its requests are written in; the
        # customer just told us theirs.
        customer.language = account.language
        customer.save(update_fields=["language", "updated_at"])
    return account


# --- Sign-in ---------------------------------------------------------------------------------


def account_authenticate(*, email: str, password: str, address: str) -> PortalAccount:
    """The account for this address and password, or ValidationError with code "locked_out"
    (too many failures for the address or from the client), "invalid" or "unverified" (the
    password was right; the address is not confirmed yet).

    Not one transaction on purpose: a failure must stay recorded although the caller sees an
    error (an atomic block would roll the record back with the exception)."""
    email = normalise_email(email)
    key = throttle_key(email)
    if throttle.is_locked_out(key, address):
        raise ValidationError(
            _("Too many failed sign-in attempts. Please wait a few minutes and try again."),
            code="locked_out",
        )
    account = PortalAccount.objects.filter(email=email).first() if email else None
    if account is None:
        make_password(password)  # as slow as a real check: timing tells nothing
    if account is None or not account.is_active or not check_password(password, account.password):
        throttle.record_failure(key, address)
        raise ValidationError(_("The e-mail address or the password is wrong."), code="invalid")
    throttle.record_success(key)
    if not account.is_verified:
        raise ValidationError(
            _(
                "Your e-mail address is not confirmed yet. Follow the link in the e-mail we "
                "sent you, or have a new one sent."
            ),
            code="unverified",
        )
    account.last_login_at = timezone.now()
    account.save(update_fields=["last_login_at"])
    return account


def account_set_language(*, account: PortalAccount, language: str) -> PortalAccount:
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose a language.")})
    if account.language != language:
        account.language = language
        account.save(update_fields=["language"])
    return account


# --- Password reset --------------------------------------------------------------------------


def _password_fingerprint(account: PortalAccount) -> str:
    last = account.last_login_at.isoformat() if account.last_login_at else ""
    return salted_hmac(RESET_SALT, f"{account.password}|{last}", algorithm="sha256").hexdigest()[
        :32
    ]


def reset_token(account: PortalAccount) -> str:
    return signing.TimestampSigner(salt=RESET_SALT).sign_object(
        [account.pk, _password_fingerprint(account)]
    )


def password_reset_request(*, email: str) -> None:
    """Mail a password-reset link to the account with this address, if there is one (the
    page says the same either way). A pending account gets its verification link instead."""
    account = PortalAccount.objects.filter(email=normalise_email(email), is_active=True).first()
    if account is None:
        return
    if not account.is_verified:
        verification_send(account=account)
        return
    if not _may_email(account, timezone.now()):
        return
    url = _link("portal:password_reset_confirm", reset_token(account))
    name = account.name
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    email_address(
        account.email,
        language=account.language,
        subject=lambda: _("Set a new password"),
        body=lambda: (
            _(
                "Hello %(name)s,\n\nfollow the link below to set a new password for the "
                "customer portal. It is valid for %(hours)d hours and works once. If you did "
                "not ask for it, ignore this e-mail."
            )
            % {"name": name, "hours": hours}
        ),
        url=url,
    )


def _reset_claim(token: str) -> tuple[int, str]:
    try:
        pk, fingerprint = signing.TimestampSigner(salt=RESET_SALT).unsign_object(
            token or "", max_age=settings.PASSWORD_RESET_TIMEOUT
        )
    except signing.SignatureExpired:
        raise ValidationError(
            _("This link has expired. Ask for a new one."), code="expired"
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(_("This link is not valid."), code="invalid") from None
    return pk, fingerprint


def account_for_reset(token: str, *, lock: bool = False) -> PortalAccount:
    """The account a reset link is for, or ValidationError if it is invalid, expired or used."""
    pk, fingerprint = _reset_claim(token)
    rows = PortalAccount.objects.filter(pk=pk, is_active=True)
    account = (rows.select_for_update() if lock else rows).first()
    if account is None or _password_fingerprint(account) != fingerprint:
        raise ValidationError(_("This link is not valid or has been used."), code="invalid")
    return account


@transaction.atomic
def password_reset(*, token: str, password: str) -> PortalAccount:
    """Set a new password through a reset link; the link then stops working, and sessions
    signed in with the old password end (see portal.auth)."""
    account = account_for_reset(token, lock=True)
    _validate_password(password, account)
    account.password = make_password(password)
    account.save(update_fields=["password"])
    throttle.record_success(throttle_key(account.email))
    return account
