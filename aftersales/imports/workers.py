"""What an import's parse worker process runs. Kept free of module-level Django imports: a
spawned worker unpickles these functions by importing this module before Django is set up."""

from __future__ import annotations

import os
from typing import Any


def start() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def parse_batch(entity: str, mapping: dict[int, str], batch: list[tuple[int, list[str]]]) -> Any:
    from aftersales.imports.entities import ENTITIES, parse_row

    spec = ENTITIES[entity]
    rows = [parse_row(spec, mapping, number, cells) for number, cells in batch]
    if entity == "customers":
        _customer_search_text(rows)
    return rows


def _customer_search_text(rows: list[Any]) -> None:
    """A new customer's search column needs only its own row when the row has its number: work
    the writing process would otherwise do, done here in parallel (loaders use it for rows
    that create a customer; an update recomputes it with the card's contacts and addresses)."""
    from aftersales.customers.search_text import customer_search_text

    for row in rows:
        values = row.values
        if row.errors or not values.get("code") or "name" not in values:
            continue
        values["search_text"] = customer_search_text(
            values["name"],
            values["code"],
            [values["contact_name"]] if "contact_name" in values else [],
            [values["address"]] if "address" in values else [],
        )
