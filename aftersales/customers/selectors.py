"""Reads about customers: the search column, lists, the card, duplicates, the timeline."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from aftersales.core.scoping import ancestor_paths, scope_paths, subtree_q
from aftersales.customers import phones as phone_numbers
from aftersales.customers.card import TimelineEvent, timeline_for
from aftersales.customers.models import Address, Contact, Customer, CustomerMerge, Email, Phone
from aftersales.customers.search_text import query_tokens
from aftersales.organisation.choices import UnitKind
from aftersales.organisation.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from aftersales.accounts.models import User


def _is_han(token: str) -> bool:
    return "\u3400" <= token[0] <= "\ufaff"


def matching_text(queryset: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Customers whose names, contacts or addresses contain every word of `query`, through the
    database's index on the search column. Tokens are letters and digits only and travel as a
    bound parameter, so nothing the user types reaches the SQL text."""
    tokens = query_tokens(query)
    if not tokens:
        return queryset.none()
    # Han tokens are whole (bigrams or single characters). Of the other words only the last,
    # the one still being typed, matches as a prefix: a prefix on every word cost the index
    # 2-10x more at 2M customers (bench/README.md, finding 11).
    prefix = [index == len(tokens) - 1 and not _is_han(token) for index, token in enumerate(tokens)]
    table = Customer._meta.db_table
    if connection.vendor == "postgresql":
        tsquery = " & ".join(
            f"'{token}':*" if is_prefix else f"'{token}'"
            for token, is_prefix in zip(tokens, prefix, strict=True)
        )
        condition = RawSQL(
            f"array_to_tsvector(string_to_array({table}.search_text, ' ')) @@ %s::tsquery",
            [tsquery],
            output_field=BooleanField(),
        )
    else:
        match = " ".join(
            f'"{token}"*' if is_prefix else f'"{token}"'
            for token, is_prefix in zip(tokens, prefix, strict=True)
        )
        condition = RawSQL(
            f"{table}.id IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s)",
            [match],
            output_field=BooleanField(),
        )
    return queryset.filter(condition)


# --- choices that depend on who asks ---------------------------------------------------------


def region_choices(user: User | AnonymousUser) -> QuerySet[Unit]:
    """Regions an address may name: the regions in the user's subtree and the regions above
    their units. An outlet's staff record addresses in their own region, which sits above them
    in the tree; the tree's shape is not a secret to the people working in it."""
    regions = Unit.objects.filter(kind=UnitKind.REGION)
    paths = scope_paths(user)
    if paths is None:
        return regions
    above = {ancestor for path in paths for ancestor in ancestor_paths(path)}
    return regions.filter(subtree_q("", paths) | Q(path__in=above))


def responsible_choices(user: User | AnonymousUser) -> QuerySet[Any]:
    """Active colleagues of the user's units who may be named responsible for a customer."""
    from aftersales.accounts.models import User as UserModel

    return (
        UserModel.objects.visible_to(user)
        .filter(is_active=True)
        .order_by("last_name", "first_name", "username")
    )


# --- lists and the card ----------------------------------------------------------------------


def with_list_data(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """What a list row shows, in a fixed number of queries whatever the page holds."""
    return queryset.select_related("unit", "responsible").prefetch_related(
        "tags", Prefetch("phones", queryset=Phone.objects.order_by("pk"))
    )


def customer_list(user: User | AnonymousUser) -> QuerySet[Customer]:
    """The customers a user sees, with what a list row shows."""
    return with_list_data(Customer.objects.visible_to(user))


def customer_card(user: User | AnonymousUser) -> QuerySet[Customer]:
    """Customers with everything the card shows, in a fixed number of queries whatever the
    card holds: contacts with their phones and e-mails, the card's own phones and e-mails
    (`own_phones`, `own_emails`), addresses with their regions, tags."""
    return (
        Customer.objects.visible_to(user)
        .select_related("unit", "responsible")
        .prefetch_related(
            "tags",
            Prefetch("contacts", queryset=Contact.objects.prefetch_related("phones", "emails")),
            Prefetch(
                "phones", queryset=Phone.objects.filter(contact__isnull=True), to_attr="own_phones"
            ),
            Prefetch(
                "emails", queryset=Email.objects.filter(contact__isnull=True), to_attr="own_emails"
            ),
            Prefetch("addresses", queryset=Address.objects.select_related("region")),
        )
    )


# --- duplicates ------------------------------------------------------------------------------

MAX_DUPLICATES = 20


def _duplicates(
    user: User | AnonymousUser,
    numbers: Iterable[str] | QuerySet[Any],
    addresses: Iterable[str] | QuerySet[Any],
    tax_number: str,
    exclude_pk: int | None = None,
) -> list[Customer]:
    same_phone = Phone.objects.filter(number__in=numbers)
    same_email = Email.objects.filter(address__in=addresses)
    condition = Q(pk__in=same_phone.values("customer_id")) | Q(
        pk__in=same_email.values("customer_id")
    )
    if tax_number:
        condition |= Q(tax_number=tax_number)
    found = (
        Customer.objects.visible_to(user)
        .filter(condition)
        .exclude(pk=exclude_pk)
        .select_related("unit")
        .annotate(
            same_phone=Exists(same_phone.filter(customer=OuterRef("pk"))),
            same_email=Exists(same_email.filter(customer=OuterRef("pk"))),
        )
        .order_by("name", "pk")[:MAX_DUPLICATES]
    )
    result = []
    for customer in found:
        reasons = []
        if customer.same_phone:  # type: ignore[attr-defined]
            reasons.append(_("same phone"))
        if customer.same_email:  # type: ignore[attr-defined]
            reasons.append(_("same e-mail"))
        if tax_number and customer.tax_number == tax_number:
            reasons.append(_("same tax number"))
        customer.matched_by = reasons  # type: ignore[attr-defined]
        result.append(customer)
    return result


def duplicates_of(
    *,
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    tax_number: str = "",
    user: User | AnonymousUser,
    exclude_pk: int | None = None,
) -> list[Customer]:
    """Customers the user sees with one of these phones (typed in any format), e-mails or
    this tax number: the warning shown before a new card is saved. Each carries `matched_by`,
    the reasons as short translated labels."""
    numbers: set[str] = set()
    for raw in phones:
        numbers.update(phone_numbers.candidates(raw))
    addresses = {(email or "").strip().lower() for email in emails if email}
    tax_number = (tax_number or "").strip()
    if not (numbers or addresses or tax_number):
        return []
    return _duplicates(user, sorted(numbers), sorted(addresses), tax_number, exclude_pk)


def possible_duplicates(customer: Customer, user: User | AnonymousUser) -> list[Customer]:
    """Other customers the user sees sharing a phone, an e-mail or the tax number with
    `customer` (one query)."""
    return _duplicates(
        user,
        Phone.objects.filter(customer=customer).values("number"),
        Email.objects.filter(customer=customer).values("address"),
        customer.tax_number,
        exclude_pk=customer.pk,
    )


# --- the timeline --------------------------------------------------------------------------

CREATED_LABEL = _("Customer created")


def customer_events(customer: Customer, user: User) -> list[TimelineEvent]:
    """This app's events on the customer's timeline: the creation and each merge into it."""
    events = [
        TimelineEvent(
            when=customer.created_at,
            kind=str(CREATED_LABEL),
            title=customer.name,
            icon="person-plus",
        )
    ]
    merges = CustomerMerge.objects.visible_to(user).filter(survivor=customer)
    for merge in merges.select_related("merged_by"):
        who = f" ({merge.merged_by})" if merge.merged_by else ""
        events.append(
            TimelineEvent(
                when=merge.merged_at,
                kind=str(_("Duplicate merged")),
                title=f"{merge.merged_name} {merge.merged_code}".strip() + who,
                icon="union",
            )
        )
    return events


def is_first_contact(
    customer: Customer,
    user: User | None = None,
    *,
    timeline: Iterable[TimelineEvent] | None = None,
) -> bool:
    """True until the customer has any request.

    Decision (until the requests app exists): "any request" is read as "any event on the
    timeline other than the card's creation", so the first request, product or repair that a
    later app registers on the timeline ends the first contact without a change here. A merge
    counts as history too: the merged card had its own past. Without `user` the timeline is
    read organisation-wide: the answer is one yes/no and reveals no record. A page that has the
    timeline already passes it (`timeline`) instead of reading it twice."""
    created = str(CREATED_LABEL)
    if timeline is not None:
        return all(str(event.kind) == created for event in timeline)
    if user is None:
        from aftersales.accounts.models import User as UserModel

        user = UserModel(is_superuser=True, is_active=True)  # reads only; never saved
    return all(str(event.kind) == created for event in timeline_for(customer, user))


# What a phone number looks like when typed: digits with the usual punctuation, 5+ digits.
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
MAX_QUERY_LENGTH = 200


def customers_matching(queryset: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """The list's search box: a phone (any format), an e-mail, a customer number or a tax
    number finds its customers exactly; when none matches, the words are looked up in the
    search column (matching_text)."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not query:
        return queryset
    exact = Q(code=query) | Q(code=query.upper()) | Q(tax_number=query)
    if _PHONE_LIKE.match(query) and sum(ch.isdigit() for ch in query) >= 5:
        numbers = phone_numbers.candidates(query)
        if numbers:
            exact |= Q(pk__in=Phone.objects.filter(number__in=numbers).values("customer_id"))
    if "@" in query:
        exact |= Q(pk__in=Email.objects.filter(address=query.lower()).values("customer_id"))
    if queryset.filter(exact).exists():
        return queryset.filter(exact)
    return matching_text(queryset, query)
