"""Phone numbers as people type them → E.164, the one form stored and matched.

"138 0013 8000", "+86 138-0013-8000" and "008613800138000" are the same line; so are
"8 (912) 345-67-89" and "+7 912 345 67 89". A number without a country code is read in each
of the organisation's phone regions in turn (settings.PHONE_REGIONS, the home region first)."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Long enough for any E.164 number with extension-free formatting characters around it.
MAX_TYPED_LENGTH = 40


def _parse(raw: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def candidates(raw: str) -> list[str]:
    """Every valid E.164 reading of `raw`, the home region's first (for search)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_TYPED_LENGTH or not any(ch.isdigit() for ch in raw):
        return []
    found: list[str] = []
    regions: list[str | None] = [None] if raw.startswith("+") else list(settings.PHONE_REGIONS)
    for region in regions:
        number = _parse(raw, region)
        if number is not None:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in found:
                found.append(e164)
    return found


def normalise(raw: str) -> str:
    """The E.164 form of a typed number; ValidationError when it is not a valid number."""
    found = candidates(raw)
    if not found:
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."),
            code="invalid_phone",
            params={"value": (raw or "")[:MAX_TYPED_LENGTH]},
        )
    return found[0]


def display(e164: str) -> str:
    """International format for reading: +86 138 0013 8000."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
