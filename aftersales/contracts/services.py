"""Writes of service contracts: drawing one up (from scratch, from the customer's card or from a
request) and correcting it."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aftersales.contracts.models import ContractStatus, ServiceContract, ServiceLevel
from aftersales.customers.models import Customer

if TYPE_CHECKING:
    from aftersales.accounts.models import User

NUMBER_PREFIX = "K"
NUMBER_MAX_LENGTH = ServiceContract._meta.get_field("number").max_length
TITLE_MAX_LENGTH = ServiceContract._meta.get_field("title").max_length


def format_number(pk: int) -> str:
    return f"{NUMBER_PREFIX}{pk:08d}"


def _clean_number(raw: str) -> str:
    return " ".join((raw or "").split())


def _check(
    *,
    user: User,
    customer: Customer,
    number: str,
    title: str,
    service_level: str,
    status: str,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    exclude_pk: int | None,
) -> None:
    errors: dict[str, str] = {}
    if not Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
        errors["customer"] = _("Choose a customer of your units.")
    if not title:
        errors["title"] = _("Say what the contract covers.")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("At most %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
    if len(number) > NUMBER_MAX_LENGTH:
        errors["number"] = _("At most %(max)d characters.") % {"max": NUMBER_MAX_LENGTH}
    elif number:
        taken = ServiceContract.objects.filter(number=number)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        # Across all units: the number is the company's, whoever may see the other contract.
        if taken.exists():
            errors["number"] = _("Another contract has the number %(number)s.") % {"number": number}
    if service_level not in ServiceLevel.values:
        errors["service_level"] = _("Choose a service level.")
    if status not in ContractStatus.values:
        errors["status"] = _("Choose a status.")
    if valid_from is None:
        errors["valid_from"] = _("Give the date the contract starts.")
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("The contract cannot end before it starts (%(start)s).") % {
            "start": valid_from.isoformat()
        }
    if errors:
        raise ValidationError(errors)


def _assign_number(contract: ServiceContract) -> None:
    """K + the id, zero-padded; a number typed by hand may already hold it (numbers from an
    earlier system), in which case a suffix makes it unique."""
    base = format_number(contract.pk)
    number, suffix = base, 1
    while ServiceContract.objects.filter(number=number).exclude(pk=contract.pk).exists():
        suffix += 1
        number = f"{base}-{suffix}"
    contract.number = number
    contract.save(update_fields=["number"])


def _save(contract: ServiceContract, *, number_given: bool) -> ServiceContract:
    try:
        with transaction.atomic():  # a savepoint: a lost race on the number reads as an error
            if not number_given:
                # A unique placeholder until the id is known (an empty number would collide
                # with a concurrent creation's until it commits).
                contract.number = f"~{secrets.token_hex(16)}"
            contract.save()
            if not number_given:
                _assign_number(contract)
    except IntegrityError as error:
        if ServiceContract.objects.filter(number=contract.number).exclude(pk=contract.pk).exists():
            raise ValidationError(
                {
                    "number": _("Another contract has the number %(number)s.")
                    % {"number": contract.number}
                }
            ) from error
        raise
    return contract


@transaction.atomic
def contract_create(
    *,
    user: User,
    customer: Customer,
    title: str,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None = None,
    service_level: str = ServiceLevel.STANDARD,
    status: str = ContractStatus.DRAFT,
    number: str = "",
    notes: str = "",
    source_request: Any = None,
) -> ServiceContract:
    """Draw up a contract for `customer` (one of the user's units). Without a number it gets
    "K" + its id. `source_request` is the request it was drawn up from: the same customer's,
    and one the user sees."""
    number = _clean_number(number)
    title = " ".join((title or "").split())
    _check(
        user=user,
        customer=customer,
        number=number,
        title=title,
        service_level=service_level,
        status=status,
        valid_from=valid_from,
        valid_to=valid_to,
        exclude_pk=None,
    )
    if source_request is not None:
        # The request model is downstream of contracts: it is reached through the instance's
        # own manager, never imported here.
        visible = type(source_request).objects.visible_to(user).filter(pk=source_request.pk)
        if source_request.customer_id != customer.pk or not visible.exists():
            raise ValidationError(
                {"source_request": _("The contract is drawn up for the request's customer.")}
            )
    contract = ServiceContract(
        customer=customer,
        number=number,
        title=title,
        service_level=service_level,
        status=status,
        valid_from=valid_from,
        valid_to=valid_to,
        notes=notes or "",
        source_request=source_request,
        created_by=user,
    )
    return _save(contract, number_given=bool(number))


@transaction.atomic
def contract_update(
    *,
    contract: ServiceContract,
    user: User,
    customer: Customer | None = None,
    title: str,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    service_level: str,
    status: str,
    number: str = "",
    notes: str = "",
) -> ServiceContract:
    """Correct a contract. An emptied number keeps the number it had; a contract drawn up from
    a request stays with the request's customer."""
    contract = ServiceContract.objects.select_for_update().get(pk=contract.pk)
    customer = customer or contract.customer
    number = _clean_number(number)
    title = " ".join((title or "").split())
    _check(
        user=user,
        customer=customer,
        number=number,
        title=title,
        service_level=service_level,
        status=status,
        valid_from=valid_from,
        valid_to=valid_to,
        exclude_pk=contract.pk,
    )
    if contract.source_request_id is not None and customer.pk != contract.customer_id:
        raise ValidationError(
            {"customer": _("A contract drawn up from a request stays with its customer.")}
        )
    contract.customer = customer
    contract.title = title
    contract.service_level = service_level
    contract.status = status
    contract.valid_from = valid_from
    contract.valid_to = valid_to
    contract.notes = notes or ""
    contract.number = number or contract.number
    return _save(contract, number_given=True)
