"""Reads of service contracts beyond a filter."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from aftersales.contracts.models import ContractStatus, ServiceContract

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer


def is_in_force(contract: ServiceContract, on_date: datetime.date) -> bool:
    """The same answer as ServiceContract.objects.in_force(on_date), for one contract."""
    return (
        contract.status == ContractStatus.ACTIVE
        and contract.valid_from <= on_date
        and (contract.valid_to is None or contract.valid_to >= on_date)
    )


def contracts_of_customer(customer: Customer, user: User) -> QuerySet[ServiceContract]:
    """The customer's contracts the user sees, the latest first."""
    return (
        ServiceContract.objects.visible_to(user)
        .filter(customer=customer)
        .order_by("-valid_from", "-pk")
    )


def requests_under(contract: ServiceContract, user: User) -> QuerySet[Any]:
    """Requests served under the contract that the user sees, the latest first. Through the
    reverse relation: requests are downstream of contracts and are not imported here."""
    return (
        contract.service_requests.visible_to(user)
        .select_related("request_type")
        .order_by("-registered_at", "-pk")
    )


def source_request_model() -> type[Any]:
    """The request model, read from the contract's own link to it (see views.FromRequestView)."""
    return ServiceContract._meta.get_field("source_request").related_model
