"""Reads about the installed base, and THE warranty answer.

`warranty_status(product, on_date)` and `is_in_warranty(product, on_date)` are the one place
that decides whether a product is covered on a date. Repairs, warranty settlement, reports and
the API must call them rather than compare dates themselves, so that "in warranty" means the
same thing everywhere (the end day is covered; an extended warranty counts as covered; a
product with no known purchase date is UNKNOWN, never silently covered).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from aftersales.installed_base.models import InstalledProduct, OwnershipChange

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer


def add_months(start: datetime.date, months: int) -> datetime.date:
    """`start` plus calendar months; a day the target month lacks becomes its last day
    (31 January + 1 month → 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def warranty_end_for(
    purchase_date: datetime.date | None, months: int | None, model_months: int
) -> datetime.date | None:
    """The last day of the standard warranty: purchase + the sale's months, else the model's."""
    if purchase_date is None:
        return None
    return add_months(purchase_date, model_months if months is None else months)


class WarrantyState(models.TextChoices):
    IN_WARRANTY = "in_warranty", _("In warranty")
    EXTENDED = "extended", _("Extended warranty")
    EXPIRED = "expired", _("Warranty expired")
    BEFORE_PURCHASE = "before_purchase", _("Not yet purchased")
    UNKNOWN = "unknown", _("Warranty unknown")


COVERED_STATES = frozenset({WarrantyState.IN_WARRANTY, WarrantyState.EXTENDED})


@dataclass(frozen=True)
class WarrantyStatus:
    """The answer for one product on one date."""

    state: WarrantyState
    on_date: datetime.date
    warranty_end: datetime.date | None
    extended_warranty_end: datetime.date | None

    @property
    def is_in_warranty(self) -> bool:
        return self.state in COVERED_STATES

    @property
    def covered_until(self) -> datetime.date | None:
        """The last covered day, counting an extended warranty."""
        ends = [end for end in (self.warranty_end, self.extended_warranty_end) if end]
        return max(ends) if ends else None

    @property
    def label(self) -> str:
        return str(self.state.label)

    @property
    def badge(self) -> str:
        """Bootstrap colour of the badge showing the state."""
        return {
            WarrantyState.IN_WARRANTY: "success",
            WarrantyState.EXTENDED: "info",
            WarrantyState.EXPIRED: "secondary",
        }.get(self.state, "warning")


def warranty_status(product: InstalledProduct, on_date: datetime.date) -> WarrantyStatus:
    """Whether `product` is covered on `on_date`. Repairs, settlement, reports and the API call
    this function (or `is_in_warranty`), never their own date arithmetic.

    - UNKNOWN: no purchase date (or no warranty end) is known.
    - BEFORE_PURCHASE: `on_date` is before the purchase date.
    - IN_WARRANTY: from the purchase date to the warranty end, both days included.
    - EXTENDED: after the warranty end, up to the extended warranty end included.
    - EXPIRED: after both.
    """
    end, extended = product.warranty_end, product.extended_warranty_end
    if product.purchase_date is None or end is None:
        state = WarrantyState.UNKNOWN
    elif on_date < product.purchase_date:
        state = WarrantyState.BEFORE_PURCHASE
    elif on_date <= end:
        state = WarrantyState.IN_WARRANTY
    elif extended is not None and on_date <= extended:
        state = WarrantyState.EXTENDED
    else:
        state = WarrantyState.EXPIRED
    return WarrantyStatus(
        state=state, on_date=on_date, warranty_end=end, extended_warranty_end=extended
    )


def is_in_warranty(product: InstalledProduct, on_date: datetime.date) -> bool:
    """True when `product` is covered on `on_date` (an extended warranty counts). The one test
    every repair and settlement makes; see `warranty_status` for the details."""
    return warranty_status(product, on_date).is_in_warranty


def warranty_state_q(state: str, on_date: datetime.date) -> Q:
    """The rows whose `warranty_status(row, on_date).state` is `state`, as a database filter
    (for lists); kept next to `warranty_status` so the two cannot drift apart."""
    known = Q(purchase_date__isnull=False, warranty_end__isnull=False)
    if state == WarrantyState.UNKNOWN:
        return ~known
    if state == WarrantyState.BEFORE_PURCHASE:
        return known & Q(purchase_date__gt=on_date)
    started = known & Q(purchase_date__lte=on_date)
    if state == WarrantyState.IN_WARRANTY:
        return started & Q(warranty_end__gte=on_date)
    if state == WarrantyState.EXTENDED:
        return started & Q(warranty_end__lt=on_date, extended_warranty_end__gte=on_date)
    if state == WarrantyState.EXPIRED:
        return (
            started
            & Q(warranty_end__lt=on_date)
            & (Q(extended_warranty_end__isnull=True) | Q(extended_warranty_end__lt=on_date))
        )
    raise ValueError(state)


# --- the customer card -----------------------------------------------------------------------


def products_of_customer(customer: Customer, user: User) -> models.QuerySet[InstalledProduct]:
    """The customer's current products the user may see, with what a row shows (one query)."""
    return (
        InstalledProduct.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("model", "batch")
        .order_by("-purchase_date", "-pk")
    )


def products_registered_to(customer: Customer, user: User) -> models.QuerySet[InstalledProduct]:
    """Products first registered to `customer` (the first previous owner of a product that
    changed hands, else its current owner), among those the user may see."""
    first_owner = Subquery(
        OwnershipChange.objects.filter(product=OuterRef("pk"))
        .order_by("changed_on", "pk")
        .values("previous_owner")[:1]
    )
    return (
        InstalledProduct.objects.visible_to(user)
        .filter(Q(customer=customer) | Q(ownership_changes__previous_owner=customer))
        .annotate(
            first_owner=Coalesce(
                first_owner, F("customer_id"), output_field=models.BigIntegerField()
            )
        )
        .filter(first_owner=customer.pk)
        .select_related("model")
        .distinct()
    )


def ownership_changes_of(customer: Customer, user: User) -> models.QuerySet[OwnershipChange]:
    """Changes the customer took part in (gave or received a product), the user may see."""
    return (
        OwnershipChange.objects.visible_to(user)
        .filter(Q(previous_owner=customer) | Q(new_owner=customer))
        .select_related("product__model", "previous_owner", "new_owner")
    )


def products_with_history(
    queryset: models.QuerySet[InstalledProduct],
) -> models.QuerySet[InstalledProduct]:
    """Annotate whether a product ever changed hands (for lists)."""
    return queryset.annotate(
        changed_hands=Exists(OwnershipChange.objects.filter(product=OuterRef("pk")))
    )
