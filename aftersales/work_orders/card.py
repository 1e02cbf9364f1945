"""What work orders add to the customer card: the customer's orders (one query) with the
"New work order" and "Take in a device" buttons. Registered in WorkOrdersConfig.ready()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.urls import reverse

from aftersales.work_orders import selectors

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer

VIEW = "work_orders.view_workorder"
ADD = "work_orders.add_workorder"
CARD_ROWS = 10


def work_orders_section(customer: Customer, user: User) -> dict[str, Any] | None:
    """Context of work_orders/card_work_orders.html; None (hidden) without the permission."""
    if not user.has_perm(VIEW):
        return None
    rows = list(selectors.orders_of_customer(customer, user)[: CARD_ROWS + 1])
    return {
        "customer": customer,
        "work_order_rows": rows[:CARD_ROWS],
        "more_work_orders": len(rows) > CARD_ROWS,
        "work_orders_url": reverse("work_orders:order_list")
        + "?"
        + urlencode({"customer": customer.code or customer.name}),
        "can_add_work_order": user.has_perm(ADD),
    }
