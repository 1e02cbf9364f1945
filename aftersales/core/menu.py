"""Navigation by position: each entry names the permission that shows it.

Apps register their entries in their AppConfig.ready(); the menu a user sees is every entry
whose permission their position carries, so positions decide the menu without a second
configuration to keep in step.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuEntry:
    section: Promise
    label: Promise
    url_name: str
    permission: str
    icon: str = "circle"
    order: int = 100


_REGISTRY: list[MenuEntry] = []


def register(*entries: MenuEntry) -> None:
    _REGISTRY.extend(entries)


def menu_for(user) -> list[dict]:  # type: ignore[no-untyped-def]
    """Sections with their entries, in order, as the user may see them."""
    if not user.is_authenticated:
        return []
    sections: dict[str, dict] = {}
    for entry in sorted(_REGISTRY, key=lambda e: e.order):
        if not user.has_perm(entry.permission):
            continue
        section = sections.setdefault(str(entry.section), {"title": entry.section, "entries": []})
        section["entries"].append(
            {"label": entry.label, "url": reverse(entry.url_name), "icon": entry.icon}
        )
    return list(sections.values())
