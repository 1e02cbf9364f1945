"""What contracts add to the customer card: a small contracts section (one query).
Registered in ContractsConfig.ready()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from aftersales.contracts import selectors

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer

VIEW = "contracts.view_servicecontract"
ADD = "contracts.add_servicecontract"
CARD_ROWS = 10


def contracts_section(customer: Customer, user: User) -> dict[str, Any] | None:
    """Context of contracts/card_contracts.html; None (hidden) without the permission."""
    if not user.has_perm(VIEW):
        return None
    contracts = list(selectors.contracts_of_customer(customer, user)[: CARD_ROWS + 1])
    today = timezone.localdate()
    for contract in contracts:
        contract.in_force_today = selectors.is_in_force(contract, today)
    return {
        "customer": customer,
        "contract_rows": contracts[:CARD_ROWS],
        "more_contracts": len(contracts) > CARD_ROWS,
        "contracts_url": reverse("contracts:contract_list")
        + "?"
        + urlencode({"customer": customer.code or customer.name}),
        "can_add_contract": user.has_perm(ADD),
        "add_contract_url": reverse("contracts:contract_for_customer", args=[customer.pk]),
    }
