"""What the installed base adds to the customer card: a products section and timeline events.
Registered in InstalledBaseConfig.ready(); each takes a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.customers.card import TimelineEvent
from aftersales.installed_base import selectors

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer

VIEW = "installed_base.view_installedproduct"
ADD = "installed_base.add_installedproduct"
# Rows on the card; the rest is one click away on the filtered list.
CARD_ROWS = 20


def products_section(customer: Customer, user: User) -> dict[str, Any] | None:
    """Context of installed_base/card_products.html; None (hidden) without the permission."""
    if not user.has_perm(VIEW):
        return None
    today = timezone.localdate()
    products = list(selectors.products_of_customer(customer, user)[: CARD_ROWS + 1])
    more = len(products) > CARD_ROWS
    rows = [
        (product, selectors.warranty_status(product, today)) for product in products[:CARD_ROWS]
    ]
    return {
        "customer": customer,
        "product_rows": rows,
        "more_products": more,
        "products_url": reverse("installed_base:product_list") + f"?customer={customer.pk}",
        "can_register": user.has_perm(ADD),
        "register_url": reverse("installed_base:product_register", args=[customer.pk]),
    }


def _on_day(day: datetime.date, recorded: datetime.datetime) -> datetime.datetime:
    # A change is dated by the day it happened; the moment it was recorded places it within
    # that day when it was recorded the same day, else it stands at noon.
    if timezone.localdate(recorded) == day:
        return recorded
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def products_timeline(customer: Customer, user: User) -> Iterable[TimelineEvent]:
    """ "Product registered" and "Ownership changed" events of the customer (two queries)."""
    if not user.has_perm(VIEW):
        return []
    events = []
    for product in selectors.products_registered_to(customer, user):
        events.append(
            TimelineEvent(
                when=product.created_at,
                kind=_("Product registered"),
                title=f"{product.model.code} · {product.model.name} · {product.serial}",
                url=reverse("installed_base:product_detail", args=[product.pk]),
                icon="box-seam",
            )
        )
    for change in selectors.ownership_changes_of(customer, user):
        product = change.product
        if change.previous_owner_id == customer.pk:
            title = _("%(product)s passed to %(owner)s") % {
                "product": f"{product.model.code} · {product.serial}",
                "owner": change.new_owner.name,
            }
        else:
            title = _("%(product)s received from %(owner)s") % {
                "product": f"{product.model.code} · {product.serial}",
                "owner": change.previous_owner.name,
            }
        events.append(
            TimelineEvent(
                when=_on_day(change.changed_on, change.recorded_at),
                kind=_("Ownership changed"),
                title=title,
                url=reverse("installed_base:product_detail", args=[product.pk]),
                icon="arrow-left-right",
            )
        )
    return events
