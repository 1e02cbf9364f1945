"""Per entity: find the existing record of each parsed row (its natural key, see entities.py),
report what cannot be loaded, and write a batch.

`resolve(rows)` runs in the dry run and the load alike (reads only, a few queries per batch of
5,000 rows); `write(rows)` runs only in the load, inside the caller's transaction. Customers,
the big one, are written with the set-based helpers of bulk.py (COPY on PostgreSQL); the
others, smaller by nature, with the ORM's bulk_create/bulk_update."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from aftersales.catalog.models import Part, ProductCategory, ProductModel
from aftersales.core.scoping import scope_paths
from aftersales.customers.models import Address, Contact, Customer, Email, Phone
from aftersales.customers.search_text import customer_search_text
from aftersales.imports import bulk
from aftersales.imports.entities import ParsedRow
from aftersales.installed_base.models import InstalledProduct, normalise_serial


class Loader:
    def __init__(self, *, unit, user) -> None:  # type: ignore[no-untyped-def]
        self.unit = unit
        self.user = user
        self.paths = scope_paths(user)

    def visible(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(p) for p in self.paths)

    def resolve(self, rows: list[ParsedRow]) -> None:
        """Set row.key (natural key) and row.existing (pk or None), or add row errors."""
        raise NotImplementedError

    def write(self, rows: list[ParsedRow]) -> None:
        raise NotImplementedError

    def customers_by_code(self, rows: list[ParsedRow], field: str) -> dict[str, int]:
        """Visible customers named by `field` in the rows; errors on the others."""
        codes = {row.values[field] for row in rows if field in row.values}
        found: dict[str, int] = {}
        for code, pk, path in Customer.objects.filter(code__in=codes).values_list(
            "code", "pk", "unit__path"
        ):
            found[code] = pk if self.visible(path) else -1
        for row in rows:
            code = row.values.get(field)
            if code is None:
                continue
            if code not in found:
                row.errors.append((field, "unknown_customer", {"value": code}))
            elif found[code] == -1:
                row.errors.append((field, "foreign_customer", {"value": code}))
        return {code: pk for code, pk in found.items() if pk != -1}


def refresh_search_text(customer_ids: set[int]) -> None:
    """Recompute the search column of these customers from their name, code, contacts and
    addresses (after contacts were added by an import)."""
    if not customer_ids:
        return
    contacts: dict[int, list[str]] = defaultdict(list)
    for cid, name in Contact.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "name"
    ):
        contacts[cid].append(name)
    addresses: dict[int, list[str]] = defaultdict(list)
    for cid, text in Address.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "text"
    ):
        addresses[cid].append(text)
    rows = [
        (pk, customer_search_text(name, code, contacts[pk], addresses[pk]))
        for pk, name, code in Customer.objects.filter(pk__in=customer_ids).values_list(
            "pk", "name", "code"
        )
    ]
    bulk.update_rows(Customer, ["search_text"], rows)


# --- Customers -----------------------------------------------------------------------------------


class CustomerLoader(Loader):
    def resolve(self, rows: list[ParsedRow]) -> None:
        for row in rows:
            values = row.values
            if values.get("code"):
                row.key = ("code", values["code"])
            elif values.get("tax_number"):
                row.key = ("tax", values["tax_number"])
            elif values.get("phone"):
                row.key = ("phone", values["phone"][0])
            else:
                row.errors.append(("", "no_customer_key", {}))
            row.existing = None
        keyed = [row for row in rows if not row.errors]
        wanted: dict[str, set[str]] = defaultdict(set)
        for row in keyed:
            wanted[row.key[0]].add(row.key[1])
        matches: dict[tuple[str, str], list[int]] = defaultdict(list)
        foreign: set[tuple[str, str]] = set()
        if wanted["code"]:
            for code, pk, path in bulk.select_in(
                "SELECT c.code, c.id, u.path FROM customers_customer c "
                "JOIN organisation_unit u ON u.id = c.unit_id",
                "c.code",
                wanted["code"],
            ):
                if self.visible(path):
                    matches[("code", code)].append(pk)
                else:
                    foreign.add(("code", code))
        visible = Customer.objects.visible_to(self.user)
        if wanted["tax"]:
            for tax, pk in visible.filter(tax_number__in=wanted["tax"]).values_list(
                "tax_number", "pk"
            ):
                matches[("tax", tax)].append(pk)
        if wanted["phone"]:
            for number, pk in (
                Phone.objects.filter(number__in=wanted["phone"], customer__in=visible)
                .values_list("number", "customer_id")
                .distinct()
            ):
                matches[("phone", number)].append(pk)
        columns = {"code": "code", "tax": "tax_number", "phone": "phone"}
        for row in keyed:
            kind, value = row.key
            if row.key in foreign:
                row.errors.append((columns[kind], "foreign_customer", {"value": value}))
                continue
            found = matches.get(row.key, [])
            if len(found) > 1:
                row.errors.append(
                    (columns[kind], "ambiguous_customer", {"value": value, "count": len(found)})
                )
            elif found:
                row.existing = found[0]

    def write(self, rows: list[ParsedRow]) -> None:
        bulk.tune_for_bulk()
        now = timezone.now()
        new = [row for row in rows if row.existing is None]
        old = [row for row in rows if row.existing is not None]
        phones: list[tuple[Any, ...]] = []
        emails: list[tuple[Any, ...]] = []
        addresses: list[tuple[Any, ...]] = []
        contacts: list[tuple[Any, ...]] = []

        def children(pk: int, values: dict[str, Any], first_address: bool) -> None:
            for number in values.get("phone", ()):
                phones.append((pk, number, "mobile"))
            for address in values.get("email", ()):
                emails.append((pk, address))
            if "address" in values:
                addresses.append((pk, values["address"], values.get("postcode", ""), first_address))
            if "contact_name" in values:
                contacts.append((pk, values["contact_name"], "", True))

        ids = bulk.reserve_ids(Customer, len(new))
        generated = {
            row_id: f"C{row_id:08d}"
            for row, row_id in zip(new, ids, strict=True)
            if not row.values.get("code")
        }
        taken = set(
            Customer.objects.filter(code__in=generated.values()).values_list("code", flat=True)
        ) | {row.values["code"] for row in rows if row.values.get("code")}
        customer_rows = []
        for row, pk in zip(new, ids, strict=True):
            values = row.values
            code = values.get("code") or generated[pk]
            if code in taken and not values.get("code"):
                code = f"{code}-{pk}"  # an old system's number looked like ours
            contact_names = [values["contact_name"]] if "contact_name" in values else []
            address_texts = [values["address"]] if "address" in values else []
            customer_rows.append(
                (
                    pk,
                    code,
                    values.get("kind", "person"),
                    values["name"],
                    values.get("tax_number", ""),
                    self.unit.pk,
                    values.get("notes", ""),
                    values.get("is_active", True),
                    now,
                    now,
                    values.get("search_text")
                    or customer_search_text(values["name"], code, contact_names, address_texts),
                )
            )
            children(pk, values, True)
        bulk.insert_rows(
            Customer,
            [
                "id",
                "code",
                "kind",
                "name",
                "tax_number",
                "unit_id",
                "notes",
                "is_active",
                "created_at",
                "updated_at",
                "search_text",
            ],
            customer_rows,
        )
        new_phones, new_emails = phones[:], emails[:]
        new_addresses, new_contacts = addresses[:], contacts[:]
        phones.clear(), emails.clear(), addresses.clear(), contacts.clear()

        if old:
            self._update(old, now, children)
        bulk.insert_rows(Phone, ["customer_id", "number", "kind"], new_phones)
        bulk.insert_rows(Email, ["customer_id", "address"], new_emails)
        bulk.insert_rows(Address, ["customer_id", "text", "postcode", "is_default"], new_addresses)
        bulk.insert_rows(Contact, ["customer_id", "name", "position", "is_primary"], new_contacts)
        bulk.insert_missing(Phone, ["customer_id", "number", "kind"], phones)
        bulk.insert_missing(Email, ["customer_id", "address"], emails)
        bulk.insert_rows(Address, ["customer_id", "text", "postcode", "is_default"], addresses)
        bulk.insert_rows(Contact, ["customer_id", "name", "position", "is_primary"], contacts)

    def _update(self, rows: list[ParsedRow], now, children) -> None:  # type: ignore[no-untyped-def]
        """Existing customers: filled cells replace the card's values (empty cells keep them),
        phones, e-mails, an address and a contact are added when the card lacks them. Rows that
        change nothing write nothing, so loading the same file again only reads."""
        ids = {row.existing for row in rows}
        fields = ("kind", "name", "tax_number", "notes", "is_active")
        columns = ", ".join(f'"{name}"' for name in ("id", "code", *fields))
        current = {
            values[0]: dict(zip(("pk", "code", *fields), values, strict=True))
            for values in bulk.select_in(
                f"SELECT {columns} FROM {Customer._meta.db_table}", "id", ids
            )
        }
        if connection.vendor == "sqlite":  # SQLite hands back booleans as 0/1
            for item in current.values():
                item["is_active"] = bool(item["is_active"])
        related: dict[str, dict[int, list[str]]] = {}
        for key, model, column in (
            ("contacts", Contact, "name"),
            ("addresses", Address, "text"),
            ("phones", Phone, "number"),
            ("emails", Email, "address"),
        ):
            related[key] = defaultdict(list)
            for cid, value in bulk.select_in(
                f'SELECT customer_id, "{column}" FROM {model._meta.db_table}', "customer_id", ids
            ):
                related[key][cid].append(value)
        updates = []
        for row in rows:
            pk = row.existing
            values = row.values
            item = current[pk]
            before = tuple(item[name] for name in fields)
            for name in fields:
                if name in values:
                    item[name] = values[name]
            contact_names = related["contacts"][pk]
            address_texts = related["addresses"][pk]
            add: dict[str, Any] = {
                "phone": [n for n in values.get("phone", ()) if n not in related["phones"][pk]],
                "email": [a for a in values.get("email", ()) if a not in related["emails"][pk]],
            }
            if "address" in values and values["address"] not in address_texts:
                add["address"] = values["address"]
                add["postcode"] = values.get("postcode", "")
            if "contact_name" in values and values["contact_name"] not in contact_names:
                add["contact_name"] = values["contact_name"]
            children(pk, add, not address_texts)
            address_texts += [add["address"]] if "address" in add else []
            contact_names += [add["contact_name"]] if "contact_name" in add else []
            if before == tuple(item[name] for name in fields) and not (
                "address" in add or "contact_name" in add
            ):
                continue
            updates.append(
                (
                    pk,
                    *(item[name] for name in fields),
                    now,
                    customer_search_text(item["name"], item["code"], contact_names, address_texts),
                )
            )
        bulk.update_rows(Customer, [*fields, "updated_at", "search_text"], updates)


# --- Contacts ------------------------------------------------------------------------------------


class ContactLoader(Loader):
    def resolve(self, rows: list[ParsedRow]) -> None:
        customers = self.customers_by_code(rows, "customer_code")
        pairs = [
            (customers[row.values["customer_code"]], row.values["name"])
            for row in rows
            if not row.errors
        ]
        existing: dict[tuple[int, str], int] = {}
        if pairs:
            found = Contact.objects.filter(
                customer_id__in={cid for cid, _ in pairs}, name__in={name for _, name in pairs}
            ).order_by("pk")
            for pk, cid, name in found.values_list("pk", "customer_id", "name"):
                existing.setdefault((cid, name), pk)
        for row in rows:
            row.existing = None
            if row.errors:
                continue
            cid = customers[row.values["customer_code"]]
            row.key = (cid, row.values["name"])
            row.customer_id = cid
            row.existing = existing.get(row.key)

    def write(self, rows: list[ParsedRow]) -> None:
        new = [
            Contact(
                customer_id=row.customer_id,
                name=row.values["name"],
                position=row.values.get("position", ""),
                is_primary=row.values.get("is_primary", False),
            )
            for row in rows
            if row.existing is None
        ]
        Contact.objects.bulk_create(new, batch_size=1000)
        created = iter(new)
        changed = []
        for row in rows:
            if row.existing is None:
                row.existing = next(created).pk
            elif "position" in row.values or "is_primary" in row.values:
                contact = Contact(pk=row.existing, customer_id=row.customer_id)
                contact.position = row.values.get("position", "")
                contact.is_primary = row.values.get("is_primary", False)
                changed.append((row, contact))
        for row, contact in changed:
            fields = [name for name in ("position", "is_primary") if name in row.values]
            Contact.objects.filter(pk=contact.pk).update(
                **{name: getattr(contact, name) for name in fields}
            )
        Phone.objects.bulk_create(
            [
                Phone(customer_id=row.customer_id, contact_id=row.existing, number=number)
                for row in rows
                for number in row.values.get("phone", ())
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        Email.objects.bulk_create(
            [
                Email(customer_id=row.customer_id, contact_id=row.existing, address=address)
                for row in rows
                for address in row.values.get("email", ())
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        refresh_search_text({row.customer_id for row in rows})


# --- Catalog -------------------------------------------------------------------------------------


class ProductModelLoader(Loader):
    def resolve(self, rows: list[ParsedRow]) -> None:
        codes = {row.values["code"] for row in rows if "code" in row.values}
        existing = dict(ProductModel.objects.filter(code__in=codes).values_list("code", "pk"))
        categories = {row.values["category"] for row in rows if "category" in row.values}
        self.categories = dict(
            ProductCategory.objects.filter(code__in=categories).values_list("code", "pk")
        )
        for row in rows:
            row.existing = None
            if row.errors:
                continue
            row.key = row.values["code"]
            row.existing = existing.get(row.key)
            category = row.values.get("category")
            if category is not None and category not in self.categories:
                row.errors.append(("category", "unknown_category", {"value": category}))
            if row.existing is None:
                if "name" not in row.values:
                    row.errors.append(("name", "name_required", {}))
                if category is None:
                    row.errors.append(("category", "category_required", {}))

    def write(self, rows: list[ParsedRow]) -> None:
        fields = {"name", "warranty_months", "is_active"}
        new = []
        for row in rows:
            values = {k: v for k, v in row.values.items() if k in fields}
            if row.values.get("category"):
                values["category_id"] = self.categories[row.values["category"]]
            if row.existing is None:
                new.append(ProductModel(code=row.values["code"], **values))
            elif values:
                ProductModel.objects.filter(pk=row.existing).update(**values)
        ProductModel.objects.bulk_create(new, batch_size=1000)


class PartLoader(Loader):
    NAMES = ("name_en", "name_zh_hans", "name_zh_hant", "name_ru")

    def resolve(self, rows: list[ParsedRow]) -> None:
        numbers = {row.values["part_number"] for row in rows if "part_number" in row.values}
        existing = dict(
            Part.objects.filter(part_number__in=numbers).values_list("part_number", "pk")
        )
        for row in rows:
            row.existing = None
            if row.errors:
                continue
            row.key = row.values["part_number"]
            row.existing = existing.get(row.key)
            if row.existing is None and not any(name in row.values for name in self.NAMES):
                row.errors.append(("", "name_required", {}))

    def write(self, rows: list[ParsedRow]) -> None:
        new = []
        for row in rows:
            values = {k: v for k, v in row.values.items() if k != "part_number"}
            if row.existing is None:
                new.append(Part(part_number=row.values["part_number"], **values))
            elif values:
                Part.objects.filter(pk=row.existing).update(**values)
        Part.objects.bulk_create(new, batch_size=1000)


# --- Installed base ------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class InstalledBaseLoader(Loader):
    def resolve(self, rows: list[ParsedRow]) -> None:
        codes = {row.values["model"] for row in rows if "model" in row.values}
        models = {
            code: (pk, months)
            for code, pk, months in ProductModel.objects.filter(code__in=codes).values_list(
                "code", "pk", "warranty_months"
            )
        }
        customers = self.customers_by_code(rows, "customer_code")
        today = timezone.localdate()
        keys = []
        for row in rows:
            row.existing = None
            values = row.values
            model = values.get("model")
            if model is not None and model not in models:
                row.errors.append(("model", "unknown_model", {"value": model}))
            purchase = values.get("purchase_date")
            if purchase is not None and purchase > today:
                row.errors.append(
                    ("purchase_date", "purchase_in_future", {"value": purchase.isoformat()})
                )
            if row.errors:
                continue
            model_id, default_months = models[model]
            serial = normalise_serial(values["serial"])
            if not serial:
                row.errors.append(("serial", "required", {}))
                continue
            row.key = (model_id, serial)
            row.customer_id = customers[values["customer_code"]]
            values["serial"] = serial
            if purchase is not None and "warranty_end" not in values:
                values["warranty_end"] = add_months(
                    purchase, values.get("warranty_months", default_months)
                )
            end = values.get("warranty_end")
            if purchase is not None and end is not None and end < purchase:
                row.errors.append(("warranty_end", "warranty_before_purchase", {}))
                continue
            keys.append(row.key)
        if not keys:
            return
        condition = Q(pk__in=[])
        for model_id in {model_id for model_id, _ in keys}:
            serials = [serial for mid, serial in keys if mid == model_id]
            condition |= Q(model_id=model_id, serial__in=serials)
        existing = {
            (model_id, serial): (pk, owner)
            for pk, model_id, serial, owner in InstalledProduct.objects.filter(
                condition
            ).values_list("pk", "model_id", "serial", "customer_id")
        }
        for row in rows:
            if row.errors or row.key not in existing:
                continue
            pk, owner = existing[row.key]
            if owner != row.customer_id:
                row.errors.append(("customer_code", "other_owner", {}))
            else:
                row.existing = pk

    def write(self, rows: list[ParsedRow]) -> None:
        fields = {"purchase_date", "warranty_months", "warranty_end", "dealer", "notes"}
        new = []
        for row in rows:
            values = {k: v for k, v in row.values.items() if k in fields}
            if row.existing is None:
                new.append(
                    InstalledProduct(
                        customer_id=row.customer_id,
                        model_id=row.key[0],
                        serial=row.key[1],
                        **values,
                    )
                )
            elif values:
                InstalledProduct.objects.filter(pk=row.existing).update(**values)
        InstalledProduct.objects.bulk_create(new, batch_size=1000)


LOADERS: dict[str, type[Loader]] = {
    "customers": CustomerLoader,
    "contacts": ContactLoader,
    "product_models": ProductModelLoader,
    "parts": PartLoader,
    "installed_base": InstalledBaseLoader,
}
