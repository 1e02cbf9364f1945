"""Phone normalisation for bulk loads: the same answer as customers.phones.normalise, faster.

`normalise` collects every valid reading of a number (search needs them all) and returns the
first; a load only needs the first, so this stops at the first region that reads the number
validly: one parse instead of four for a Chinese mobile typed without +86 (~70 µs → ~20 µs a
number, a third of a million-row load). tests/test_phones.py checks both agree."""

import phonenumbers
from django.conf import settings
from phonenumbers.re_util import enable_pattern_cache

from aftersales.customers.phones import MAX_TYPED_LENGTH

# Keep phonenumbers' compiled metadata patterns instead of looking each one up in the re
# module's cache on every call (the library's own switch; same results).
enable_pattern_cache()


def normalise_fast(raw: str) -> str | None:
    """E.164 of a typed number, or None when it is not a valid number."""
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_TYPED_LENGTH or not any(ch.isdigit() for ch in raw):
        return None
    regions = [None] if raw.startswith("+") else settings.PHONE_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
