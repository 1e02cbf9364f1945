"""Buttons on the request page that lead out of it: "create a work order from this request",
"create a contract from this request", and whatever later apps add.

The request page cannot know those apps (they come after it in the dependency order), so each
registers its action here in its AppConfig.ready():

    register_action(RequestAction(
        key="workorder", label=_("Create work order"), url_name="workorders:from_request",
        permission="workorders.add_workorder", order=10,
    ))

The page shows the registered actions whose permission the user holds, in `order`, each a link
to `reverse(url_name, args=[request.pk])`; the target page checks everything again (the
permission, that the user sees the request, that the request is in a fitting state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.service_requests.models import ServiceRequest


@dataclass(frozen=True)
class RequestAction:
    key: str
    label: Any  # a lazily translated string
    url_name: str  # takes the request's pk as its only argument
    permission: str
    order: int = 100
    icon: str = "box-arrow-up-right"  # a Bootstrap icon name
    # Whether the action fits this request (e.g. only open ones); None: always.
    applies: Callable[[ServiceRequest], bool] | None = None


@dataclass(frozen=True)
class BoundAction:
    action: RequestAction
    url: str

    @property
    def key(self) -> str:
        return self.action.key

    @property
    def label(self) -> Any:
        return self.action.label

    @property
    def icon(self) -> str:
        return self.action.icon


_ACTIONS: dict[str, RequestAction] = {}


def register_action(action: RequestAction) -> None:
    """Add (or replace, by key) an action on the request page."""
    _ACTIONS[action.key] = action


def unregister_action(key: str) -> None:
    _ACTIONS.pop(key, None)


def actions_for(request_obj: ServiceRequest, user: User) -> list[BoundAction]:
    """The actions `user` may take on `request_obj`, in order; no queries beyond the user's
    (cached) permissions and whatever an action's `applies` reads."""
    bound = []
    for action in sorted(_ACTIONS.values(), key=lambda a: (a.order, a.key)):
        if not user.has_perm(action.permission):
            continue
        if action.applies is not None and not action.applies(request_obj):
            continue
        bound.append(BoundAction(action, reverse(action.url_name, args=[request_obj.pk])))
    return bound
