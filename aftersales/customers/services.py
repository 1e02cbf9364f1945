"""Writes to the customer card: create, update (with contacts, phones, e-mails, addresses and
tags in the same transaction) and merge of duplicates.

Nested lists are given as plain dicts (the form's formsets and the API's nested serializers
both produce them). A list that is given replaces the stored one; rows keep their identity
where they can (contacts and addresses by `id`, phones by number, e-mails by address), so
history and links from other apps survive an edit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from aftersales.customers import phones as phone_numbers
from aftersales.customers.models import (
    Address,
    Contact,
    Customer,
    CustomerKind,
    CustomerMerge,
    Email,
    Phone,
    PhoneKind,
    Tag,
)
from aftersales.customers.search_text import customer_search_text
from aftersales.customers.selectors import region_choices
from aftersales.organisation.models import Unit

if TYPE_CHECKING:
    from aftersales.accounts.models import User

CODE_FORMAT = "C%08d"
# Fields of the card itself (not the nested lists).
CARD_FIELDS = ("code", "kind", "name", "tax_number", "unit", "responsible", "notes", "is_active")
# Tags typed as text: separated by commas (Latin or full-width) or semicolons.
TAG_SEPARATORS = re.compile(r"[,;，；、]")


def split_tags(text: str) -> list[str]:
    return [name.strip() for name in TAG_SEPARATORS.split(text or "") if name.strip()]


# --- preparing the nested lists (validation before any write) --------------------------------


class _Errors:
    """Collects messages by field, so one answer names every problem of the input."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _phone_entries(
    items: Iterable[Any], field: str, errors: _Errors, seen: set[str]
) -> list[tuple[str, str | None]]:
    """(E.164 number, kind or None for "keep/default") for each typed phone."""
    found: list[tuple[str, str | None]] = []
    for item in items:
        raw, kind = (
            (item, None) if isinstance(item, str) else (item.get("number"), item.get("kind"))
        )
        try:
            number = phone_numbers.normalise(raw or "")
        except ValidationError as error:
            errors.add(field, error.messages[0])
            continue
        if kind is not None and kind not in PhoneKind.values:
            errors.add(field, _("“%(value)s” is not a kind of phone.") % {"value": kind})
            continue
        if number in seen:
            errors.add(
                field,
                _("The number %(number)s is listed twice.")
                % {"number": phone_numbers.display(number)},
            )
            continue
        seen.add(number)
        found.append((number, kind))
    return found


def _email_entries(items: Iterable[Any], field: str, errors: _Errors, seen: set[str]) -> list[str]:
    found = []
    for item in items:
        raw = item if isinstance(item, str) else item.get("address")
        address = (raw or "").strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            errors.add(
                field, _("“%(value)s” is not a valid e-mail address.") % {"value": address[:254]}
            )
            continue
        if len(address) > 254:
            errors.add(field, _("An e-mail address has at most 254 characters."))
            continue
        if address in seen:
            errors.add(field, _("The e-mail %(address)s is listed twice.") % {"address": address})
            continue
        seen.add(address)
        found.append(address)
    return found


def _text(item: Mapping[str, Any], name: str, limit: int, field: str, errors: _Errors) -> str:
    value = (item.get(name) or "").strip()
    if len(value) > limit:
        errors.add(
            field,
            _("Ensure this value has at most %(limit)d characters (it has %(length)d).")
            % {"limit": limit, "length": len(value)},
        )
    return value


def _prepare_nested(
    *,
    user: User,
    contacts: Iterable[Mapping[str, Any]] | None,
    phones: Iterable[Any] | None,
    emails: Iterable[Any] | None,
    addresses: Iterable[Mapping[str, Any]] | None,
    existing_numbers: Iterable[str] = (),
    existing_addresses: Iterable[str] = (),
) -> dict[str, Any]:
    """Validate and normalise the nested lists; raises ValidationError keyed by list name."""
    errors = _Errors()
    prepared: dict[str, Any] = {}
    # Numbers and addresses are unique per customer, across the card and its contacts. A list
    # that is not given keeps its stored values, which still count.
    seen_numbers: set[str] = set(existing_numbers)
    seen_emails: set[str] = set(existing_addresses)
    if contacts is not None:
        prepared["contacts"] = []
        primary = 0
        for item in contacts:
            name = _text(item, "name", 200, "contacts", errors)
            if not name:
                errors.add("contacts", _("Every contact needs a name."))
            primary += bool(item.get("is_primary"))
            prepared["contacts"].append(
                {
                    "id": item.get("id"),
                    "name": name,
                    "position": _text(item, "position", 200, "contacts", errors),
                    "is_primary": bool(item.get("is_primary")),
                    "phones": _phone_entries(
                        item.get("phones") or (), "contacts", errors, seen_numbers
                    ),
                    "emails": _email_entries(
                        item.get("emails") or (), "contacts", errors, seen_emails
                    ),
                }
            )
        if primary > 1:
            errors.add("contacts", _("Only one contact can be the main contact."))
    if phones is not None:
        prepared["phones"] = _phone_entries(phones, "phones", errors, seen_numbers)
    if emails is not None:
        prepared["emails"] = _email_entries(emails, "emails", errors, seen_emails)
    if addresses is not None:
        prepared["addresses"] = []
        allowed_regions: set[int] | None = None
        defaults = 0
        for item in addresses:
            text = _text(item, "text", 500, "addresses", errors)
            if not text:
                errors.add("addresses", _("Every address needs its text."))
            region = item.get("region")
            if region is not None:
                if allowed_regions is None:
                    allowed_regions = set(region_choices(user).values_list("pk", flat=True))
                region_pk = region.pk if isinstance(region, Unit) else region
                if region_pk not in allowed_regions:
                    errors.add("addresses", _("Choose a region from the list."))
                region = region_pk
            defaults += bool(item.get("is_default"))
            prepared["addresses"].append(
                {
                    "id": item.get("id"),
                    "text": text,
                    "postcode": _text(item, "postcode", 20, "addresses", errors),
                    "region_id": region,
                    "is_default": bool(item.get("is_default")),
                }
            )
        if defaults > 1:
            errors.add("addresses", _("Only one address can be the main address."))
        elif defaults == 0 and prepared["addresses"]:
            prepared["addresses"][0]["is_default"] = True
    errors.raise_if_any()
    return prepared


def _check_card(*, customer: Customer, user: User) -> None:
    """Rules on the card's own fields that depend on who writes (scoping) — raised with the
    model's own validation, all at once."""
    from aftersales.accounts.models import User as UserModel

    errors: dict[str, list[str]] = {}
    try:
        customer.full_clean(exclude=["search_text", "tags"])
    except ValidationError as error:
        errors.update(error.message_dict)
    units = Unit.objects.visible_to(user)
    if customer.unit_id and "unit" not in errors and not units.filter(pk=customer.unit_id).exists():
        errors["unit"] = [_("Choose a unit in your part of the organisation.")]
    if customer.responsible_id and "responsible" not in errors:
        visible = UserModel.objects.visible_to(user).filter(
            pk=customer.responsible_id, is_active=True
        )
        if not visible.exists():
            errors["responsible"] = [_("Choose an active colleague from your units.")]
    if errors:
        raise ValidationError(errors)


def _tags_from(values: Iterable[Any]) -> list[Tag]:
    tags: list[Tag] = []
    names: list[str] = []
    for value in values:
        if isinstance(value, Tag):
            tags.append(value)
        else:
            name = str(value).strip()
            if len(name) > 60:
                raise ValidationError(
                    {"tags": [_("A tag has at most 60 characters: “%(name)s”.") % {"name": name}]}
                )
            if name and name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
    if names:
        existing = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        for name in names:
            tag = existing.get(name.casefold())
            if tag is None:
                tag = Tag.objects.create(name=name)
                existing[name.casefold()] = tag
            tags.append(tag)
    return list({tag.pk: tag for tag in tags}.values())


# --- writing the nested lists ----------------------------------------------------------------


def _changed(instance: models.Model, values: Mapping[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _write_contacts(customer: Customer, items: list[dict[str, Any]]) -> list[Contact]:
    existing = {contact.pk: contact for contact in customer.contacts.all()}
    kept_ids = {item["id"] for item in items if item["id"] in existing}
    for pk, contact in existing.items():
        if pk not in kept_ids:
            contact.delete()
    saved = []
    for item in items:
        values = {k: item[k] for k in ("name", "position", "is_primary")}
        contact = existing.get(item["id"]) if item["id"] in kept_ids else None
        if contact is None:
            contact = Contact.objects.create(customer=customer, **values)
        elif _changed(contact, values):
            contact.save()
        saved.append(contact)
    return saved


def _write_phones(
    customer: Customer, wanted: dict[str, tuple[str | None, Contact | None]], scope: models.Q
) -> None:
    """`wanted`: number → (kind or None, contact). Only the phones within `scope` (the card's
    own, a contact's, or all) are replaced."""
    existing = {phone.number: phone for phone in customer.phones.filter(scope)}
    Phone.objects.filter(pk__in=[p.pk for n, p in existing.items() if n not in wanted]).delete()
    for number, (kind, contact) in wanted.items():
        phone = existing.get(number)
        if phone is None:
            # The number may sit elsewhere on the card (a contact's → the card's): move it.
            phone = customer.phones.filter(number=number).first()
        if phone is None:
            Phone.objects.create(
                customer=customer, contact=contact, number=number, kind=kind or PhoneKind.MOBILE
            )
        elif _changed(phone, {"contact": contact, "kind": kind or phone.kind}):
            phone.save()


def _write_emails(customer: Customer, wanted: dict[str, Contact | None], scope: models.Q) -> None:
    existing = {email.address: email for email in customer.emails.filter(scope)}
    Email.objects.filter(pk__in=[e.pk for a, e in existing.items() if a not in wanted]).delete()
    for address, contact in wanted.items():
        email = existing.get(address) or customer.emails.filter(address=address).first()
        if email is None:
            Email.objects.create(customer=customer, contact=contact, address=address)
        elif _changed(email, {"contact": contact}):
            email.save()


def _write_addresses(customer: Customer, items: list[dict[str, Any]]) -> None:
    existing = {address.pk: address for address in customer.addresses.all()}
    kept_ids = {item["id"] for item in items if item["id"] in existing}
    for pk, address in existing.items():
        if pk not in kept_ids:
            address.delete()
    for item in items:
        values = {k: item[k] for k in ("text", "postcode", "region_id", "is_default")}
        address = existing.get(item["id"]) if item["id"] in kept_ids else None
        if address is None:
            Address.objects.create(customer=customer, **values)
        elif _changed(address, values):
            address.save()


def _write_nested(customer: Customer, prepared: dict[str, Any]) -> None:
    if "contacts" in prepared:
        contacts = _write_contacts(customer, prepared["contacts"])
        numbers: dict[str, tuple[str | None, Contact | None]] = {}
        addresses: dict[str, Contact | None] = {}
        for contact, item in zip(contacts, prepared["contacts"], strict=True):
            numbers.update({number: (kind, contact) for number, kind in item["phones"]})
            addresses.update({address: contact for address in item["emails"]})
        _write_phones(customer, numbers, models.Q(contact__isnull=False))
        _write_emails(customer, addresses, models.Q(contact__isnull=False))
    if "phones" in prepared:
        own = {number: (kind, None) for number, kind in prepared["phones"]}
        _write_phones(customer, own, models.Q(contact__isnull=True))
    if "emails" in prepared:
        _write_emails(customer, dict.fromkeys(prepared["emails"]), models.Q(contact__isnull=True))
    if "addresses" in prepared:
        _write_addresses(customer, prepared["addresses"])


def refresh_search_text(customer: Customer) -> str:
    """Recompute the search column from what is stored now (after any change to the name,
    contacts or addresses) and write it without touching the history."""
    text = customer_search_text(
        customer.name,
        customer.code,
        list(Contact.objects.filter(customer=customer).values_list("name", flat=True)),
        list(Address.objects.filter(customer=customer).values_list("text", flat=True)),
    )
    if text != customer.search_text:
        Customer.objects.filter(pk=customer.pk).update(search_text=text)
        customer.search_text = text
    return text


# --- the services ----------------------------------------------------------------------------


@transaction.atomic
def customer_create(
    *,
    user: User,
    name: str,
    unit: Unit,
    kind: str = CustomerKind.PERSON,
    code: str | None = None,
    tax_number: str = "",
    responsible: User | None = None,
    notes: str = "",
    is_active: bool = True,
    tags: Iterable[Any] = (),
    contacts: Iterable[Mapping[str, Any]] = (),
    phones: Iterable[Any] = (),
    emails: Iterable[Any] = (),
    addresses: Iterable[Mapping[str, Any]] = (),
) -> Customer:
    """Register a customer with its contacts, phones (any typed format → E.164), e-mails
    (lowercased), addresses and tags. Without a code the customer gets "C" + its id."""
    customer = Customer(
        name=(name or "").strip(),
        unit=unit,
        kind=kind,
        code=(code or "").strip() or None,
        tax_number=(tax_number or "").strip(),
        responsible=responsible,
        notes=notes or "",
        is_active=is_active,
    )
    _check_card(customer=customer, user=user)
    prepared = _prepare_nested(
        user=user,
        contacts=list(contacts),
        phones=list(phones),
        emails=list(emails),
        addresses=list(addresses),
    )
    tag_list = _tags_from(tags)
    customer.save()
    if customer.code is None:
        customer.code = CODE_FORMAT % customer.pk
        if Customer.objects.filter(code=customer.code).exclude(pk=customer.pk).exists():
            raise ValidationError({"code": [_("This customer number is already in use.")]})
        # The number belongs to the card from its first moment: written on the row and on the
        # creation's history record, not as a second "changed" record.
        Customer.objects.filter(pk=customer.pk).update(code=customer.code)
        customer.history.filter(history_type="+").update(code=customer.code)
    _write_nested(customer, prepared)
    if tag_list:
        customer.tags.set(tag_list)
    refresh_search_text(customer)
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    user: User,
    tags: Iterable[Any] | None = None,
    contacts: Iterable[Mapping[str, Any]] | None = None,
    phones: Iterable[Any] | None = None,
    emails: Iterable[Any] | None = None,
    addresses: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Customer:
    """Change the card. Nested lists that are given replace the stored ones; those left out
    (None) stay. Nothing is written unless everything is valid."""
    unknown = set(fields) - set(CARD_FIELDS)
    if unknown:
        raise TypeError(f"customer_update got unknown fields: {sorted(unknown)}")
    before = {name: getattr(customer, name) for name in CARD_FIELDS}
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip() or before["code"]
    for name in ("name", "tax_number"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    for name, value in fields.items():
        setattr(customer, name, value)
    try:
        _check_card(customer=customer, user=user)
        stored = customer.phones.all()
        prepared = _prepare_nested(
            user=user,
            contacts=None if contacts is None else list(contacts),
            phones=None if phones is None else list(phones),
            emails=None if emails is None else list(emails),
            addresses=None if addresses is None else list(addresses),
            # Numbers in a list that is not replaced still belong to the card.
            existing_numbers=[
                p.number
                for p in stored
                if (p.contact_id is None and phones is None)
                or (p.contact_id is not None and contacts is None)
            ],
            existing_addresses=[
                e.address
                for e in customer.emails.all()
                if (e.contact_id is None and emails is None)
                or (e.contact_id is not None and contacts is None)
            ],
        )
        tag_list = None if tags is None else _tags_from(tags)
    except ValidationError:
        for name, value in before.items():  # the caller's object shows what is stored
            setattr(customer, name, value)
        raise
    if any(before[name] != getattr(customer, name) for name in CARD_FIELDS):
        customer.save()
    _write_nested(customer, prepared)
    if tag_list is not None and {t.pk for t in tag_list} != set(
        customer.tags.values_list("pk", flat=True)
    ):
        customer.tags.set(tag_list)
    refresh_search_text(customer)
    return customer


def _snapshot(customer: Customer) -> dict[str, Any]:
    """The removed card as it was, for the merge record (JSON-safe)."""
    card = model_to_dict(customer, fields=[*CARD_FIELDS, "created_at"])
    return {
        "id": customer.pk,
        **card,
        "created_at": customer.created_at.isoformat(),
        "tags": sorted(customer.tags.values_list("name", flat=True)),
        "contacts": list(customer.contacts.values("id", "name", "position", "is_primary")),
        "phones": list(customer.phones.values("number", "kind", "contact_id")),
        "emails": list(customer.emails.values("address", "contact_id")),
        "addresses": list(
            customer.addresses.values("id", "text", "postcode", "region_id", "is_default")
        ),
    }


def _unique_field_sets(model: type[models.Model], fk_name: str) -> list[list[str]]:
    """The other fields of each unique rule of `model` that includes `fk_name`: rows of the
    duplicate that would collide with the survivor's on these cannot move."""
    sets: list[list[str]] = []
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.condition is None
            and fk_name in constraint.fields
        ):
            sets.append([f for f in constraint.fields if f != fk_name])
    for together in model._meta.unique_together:
        if fk_name in together:
            sets.append([f for f in together if f != fk_name])
    field = model._meta.get_field(fk_name)
    if getattr(field, "unique", False):
        sets.append([])
    return sets


def _move_related(survivor: Customer, duplicate: Customer, user: User) -> dict[str, dict[str, int]]:
    """Point every record that refers to the duplicate at the survivor, over every relation
    any installed app declares to Customer (so apps added later move too). A row that would
    break a unique rule (a phone or e-mail the survivor already has) is dropped instead.
    Models with a history get a history record of the move."""
    report: dict[str, dict[str, int]] = {}
    for relation in Customer._meta.related_objects:
        model = relation.related_model
        label = f"{model._meta.label}.{relation.field.name}"
        if relation.many_to_many:
            # Another model's many-to-many to customers: move the link rows of its table.
            through = relation.through
            to_customer = relation.field.m2m_reverse_field_name()
            other = relation.field.m2m_field_name()
            links = through._default_manager.filter(**{to_customer: duplicate})
            held = through._default_manager.filter(**{to_customer: survivor}).values(other)
            dropped, _details = links.filter(**{f"{other}__in": held}).delete()
            moved = links.update(**{to_customer: survivor})
            report[label] = {"moved": moved, "dropped": dropped}
            continue
        fk = relation.field.name
        manager = model._base_manager
        rows = manager.filter(**{fk: duplicate})
        dropped = 0
        for others in _unique_field_sets(model, fk):
            held = manager.filter(**{fk: survivor})
            if others:
                taken = {tuple(row) for row in held.values_list(*others)}
                clashing = [
                    pk for pk, *values in rows.values_list("pk", *others) if tuple(values) in taken
                ]
            else:
                clashing = list(rows.values_list("pk", flat=True)) if held.exists() else []
            if clashing:
                dropped += manager.filter(pk__in=clashing).delete()[1].get(model._meta.label, 0)
        objects = list(rows)
        for obj in objects:
            setattr(obj, fk, survivor)
        if objects:
            if hasattr(model, "history") and hasattr(model.history, "model"):
                bulk_update_with_history(objects, model, [fk], default_user=user)
            else:
                manager.bulk_update(objects, [fk])
        report[label] = {"moved": len(objects), "dropped": dropped}
    return report


@transaction.atomic
def customer_merge(*, survivor: Customer, duplicate: Customer, user: User) -> CustomerMerge:
    """Fold `duplicate` into `survivor`: every record of the duplicate moves to the survivor
    (phones and e-mails it already has are dropped), tags are united, the survivor's empty
    fields are filled from the duplicate, a CustomerMerge keeps a snapshot of the removed card,
    and the duplicate is deleted (its history keeps the deletion)."""
    if not user.has_perm("customers.merge_customer"):
        raise PermissionDenied(_("You may not merge customers."))
    visible = Customer.objects.visible_to(user)
    # Lock both rows: two people merging the same pair at once must not both succeed.
    found = {
        c.pk: c for c in visible.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
    }
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate": [_("A customer cannot be merged with itself.")]})
    if duplicate.pk not in found:
        raise ValidationError({"duplicate": [_("Choose a customer from your units.")]})
    if survivor.pk not in found:
        raise ValidationError(_("Choose a customer from your units."))
    survivor, duplicate = found[survivor.pk], found[duplicate.pk]
    snapshot = _snapshot(duplicate)

    # Flags that may be set once per card stay with the survivor's rows.
    if survivor.addresses.filter(is_default=True).exists():
        moving = list(duplicate.addresses.filter(is_default=True))
        for address in moving:
            address.is_default = False
        if moving:
            bulk_update_with_history(moving, Address, ["is_default"], default_user=user)
    if survivor.contacts.filter(is_primary=True).exists():
        moving = list(duplicate.contacts.filter(is_primary=True))
        for contact in moving:
            contact.is_primary = False
        if moving:
            bulk_update_with_history(moving, Contact, ["is_primary"], default_user=user)

    tags = list(duplicate.tags.all())
    snapshot["moved"] = _move_related(survivor, duplicate, user)

    filled = []
    for name in ("tax_number", "notes", "responsible"):
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
            filled.append(name)
    if filled:
        survivor.save()
    new_tags = [tag for tag in tags if tag not in set(survivor.tags.all())]
    if new_tags:
        survivor.tags.add(*new_tags)

    merge = CustomerMerge.objects.create(
        survivor=survivor,
        merged_id=duplicate.pk,
        merged_code=duplicate.code or "",
        merged_name=duplicate.name,
        snapshot=snapshot,
        merged_by=user,
    )
    duplicate.delete()
    refresh_search_text(survivor)
    return merge
