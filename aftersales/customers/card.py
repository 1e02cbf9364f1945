"""What the customer card shows, extended by the apps downstream of customers.

The card belongs to this app, but its contents grow with the product: installed products,
requests, repairs, contracts and complaints arrive in later apps, which import nothing into
this one. Each registers, in its AppConfig.ready():

- a card section: a template rendered on the card with a context the app computes, and
- a timeline source: a function giving the customer's dated events for the history timeline.

The card renders each section as
`{% include section.template_name with customer=customer section=<its context> %}`, with the
context's keys also set as plain variables: a section template reads `{{ customer }}`,
`{{ products }}` or `{{ section.products }}`, and the page's `request`, `user` and `perms`.

Both are called with the customer and the user looking at it and must read through
`visible_to(user)`; each should take a fixed number of queries whatever the customer holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime.datetime
    kind: str  # a short, translated label: "Product registered", "Request", …
    title: str
    url: str = ""
    icon: str = "circle"


@dataclass(frozen=True)
class CardSection:
    key: str
    template_name: str
    # (customer, user) → template context; None hides the section (e.g. no permission)
    context: Callable[[Customer, User], dict[str, Any] | None]
    order: int = 100


TimelineSource = Callable[["Customer", "User"], Iterable[TimelineEvent]]

_SECTIONS: dict[str, CardSection] = {}
_TIMELINE: dict[str, TimelineSource] = {}


def register_section(section: CardSection) -> None:
    _SECTIONS[section.key] = section


def register_timeline(key: str, source: TimelineSource) -> None:
    _TIMELINE[key] = source


@dataclass
class RenderedSection:
    section: CardSection
    context: dict[str, Any] = field(default_factory=dict)


def sections_for(customer: Customer, user: User) -> list[RenderedSection]:
    rendered = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        context = section.context(customer, user)
        if context is not None:
            rendered.append(RenderedSection(section, context))
    return rendered


def timeline_for(customer: Customer, user: User, limit: int = 200) -> list[TimelineEvent]:
    """Every source's events, newest first."""
    events = [event for source in _TIMELINE.values() for event in source(customer, user)]
    events.sort(key=lambda event: event.when, reverse=True)
    return events[:limit]
