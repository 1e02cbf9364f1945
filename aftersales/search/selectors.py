"""One-box search: whatever a hotline agent types (a phone in any format, an e-mail, a serial
or IMEI, a tax number, a customer number, a name in any script) → the customers it points at.

Exact keys are tried first, each one index probe: phone (E.164 readings of the input),
e-mail, serial, tax number and customer number. When any of them matches, those customers are
the answer and the name search is skipped: a caller's number identifies them, and a name index
match on the digits of that number would only add noise. Otherwise the words are looked up in
the customers' search column (customers.selectors.matching_text: GIN on PostgreSQL, FTS5 on
SQLite). Everything reads through `visible_to(user)`; the input only ever travels as bound
parameters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, TextChoices, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from aftersales.customers import phones
from aftersales.customers.models import Customer, Email, Phone
from aftersales.customers.selectors import matching_text
from aftersales.installed_base.models import InstalledProduct, normalise_serial

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from aftersales.accounts.models import User

# Longer input is no phone, serial, e-mail or name anyone types into a search box.
MAX_QUERY_LENGTH = 200
# A phone query: digits with the punctuation people type around them, at least 5 digits.
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
# Serials, tax numbers and customer numbers are letters and digits with separators.
_KEY_LIKE = re.compile(r"^[\w\s\-./]+$")


class MatchedBy(TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    SERIAL = "serial", _("serial number")
    TAX_NUMBER = "tax_number", _("tax number")
    CODE = "code", _("customer number")
    NAME = "name", _("name")


@dataclass(frozen=True)
class SearchHit:
    customer: Customer
    matched_by: MatchedBy
    # For a serial match: the product whose serial was typed.
    product: InstalledProduct | None = None
    # What matched, for the result line: the phone or e-mail as stored, the serial …
    matched_value: str = ""


def clean_query(query: str) -> str:
    """The query as searched: NFKC (full-width digits and letters become ASCII), control
    characters removed (PostgreSQL refuses NUL in text), surrounding space stripped.
    ValidationError (keyed "q") when it is too long."""
    if len(query or "") > MAX_QUERY_LENGTH:
        raise ValidationError(
            {"q": _("Type at most %(limit)d characters to search.") % {"limit": MAX_QUERY_LENGTH}},
            code="max_length",
        )
    text = unicodedata.normalize("NFKC", query or "")
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def _phone_keys(query: str) -> list[str]:
    if not _PHONE_LIKE.match(query) or sum(ch.isdigit() for ch in query) < 5:
        return []
    return phones.candidates(query)


def _looks_like_key(query: str) -> bool:
    return bool(_KEY_LIKE.match(query)) and any(ch.isdigit() for ch in query)


def one_box_search(user: User | AnonymousUser, query: str, limit: int = 20) -> list[SearchHit]:
    """Customers the user may see that `query` points at, best evidence first, at most `limit`
    (one hit per customer). Raises ValidationError for a query over MAX_QUERY_LENGTH."""
    query = clean_query(query)
    if not query or limit <= 0:
        return []
    hits: dict[int, SearchHit] = {}

    def add(hit: SearchHit) -> None:
        if hit.customer.pk not in hits and len(hits) < limit:
            hits[hit.customer.pk] = hit

    customers = Customer.objects.visible_to(user).select_related("unit")

    if "@" in query:
        address = query.replace(" ", "").lower()
        emails = (
            Email.objects.visible_to(user)
            .filter(address=address)
            .select_related("customer__unit")
            .order_by("customer__name", "pk")[:limit]
        )
        for email in emails:
            add(SearchHit(email.customer, MatchedBy.EMAIL, matched_value=email.address))
        # An e-mail is no phone, serial, number or name: done, found or not.
        return list(hits.values())

    numbers = _phone_keys(query)
    if numbers:
        found = (
            Phone.objects.visible_to(user)
            .filter(number__in=numbers)
            .select_related("customer__unit")
            .order_by("customer__name", "pk")[:limit]
        )
        for phone in found:
            add(SearchHit(phone.customer, MatchedBy.PHONE, matched_value=str(phone)))

    if _looks_like_key(query):
        serial = normalise_serial(query)
        products = (
            InstalledProduct.objects.visible_to(user)
            .filter(serial=serial)
            .select_related("customer__unit", "model")
            .order_by("customer__name", "pk")[:limit]
        )
        for product in products:
            add(
                SearchHit(product.customer, MatchedBy.SERIAL, product=product, matched_value=serial)
            )
        # Tax numbers are compared without spaces in upper case; customer numbers as typed or
        # in upper case (imported numbers keep the case of the previous system). One query:
        # both columns are indexed, the planner ORs the two index probes.
        tax_number = query.replace(" ", "").upper()
        codes = list(dict.fromkeys([query, query.upper()]))
        for customer in customers.filter(Q(tax_number=tax_number) | Q(code__in=codes)).order_by(
            "name", "pk"
        )[:limit]:
            if customer.code in codes:
                add(SearchHit(customer, MatchedBy.CODE, matched_value=customer.code or ""))
            else:
                add(SearchHit(customer, MatchedBy.TAX_NUMBER, matched_value=customer.tax_number))

    if hits:
        return list(hits.values())

    # No ORDER BY in the database: a common surname matches tens of thousands of customers,
    # and sorting them all to show 20 would cost more than the search. The index gives the
    # first `limit` matches, sorted here; the page asks the agent to narrow a long list.
    by_name = list(matching_text(customers, query).order_by()[:limit])
    by_name.sort(key=lambda customer: (customer.name, customer.pk))
    for customer in by_name:
        add(SearchHit(customer, MatchedBy.NAME))
    return list(hits.values())


def with_phones(hits: list[SearchHit]) -> list[SearchHit]:
    """Load the phones of every hit's customer in one query (the result list shows them)."""
    prefetch_related_objects(
        [hit.customer for hit in hits],
        Prefetch("phones", queryset=Phone.objects.order_by("pk")),
    )
    return hits
