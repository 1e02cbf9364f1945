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
    return [parse_row(spec, mapping, number, cells) for number, cells in batch]
