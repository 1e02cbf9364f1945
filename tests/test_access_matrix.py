"""Every page and every API operation × every position × own unit / foreign unit.

Pages and operations are discovered from the URL configuration and the OpenAPI description,
and records are made by the factories apps register (aftersales.core.testing), so a new
endpoint is covered the day it is added, and a page that declares no permission fails here
unless it is listed below as open to every signed-in user.

Expected answers:
  signed out                      → login redirect (pages) / 401 (API)
  position lacks the permission   → 403
  record in another unit's subtree → 404, the same as a record that does not exist
  otherwise                       → 200 (reads); for writes, anything but 401/403/404/5xx
"""

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from aftersales.accounts.models import Position
from aftersales.accounts.positions import SYSTEM_POSITION_NAMES
from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import SHARED_MODELS, load_all_factories

# Pages any signed-in user may open: they show only the user's own things.
OPEN_TO_SIGNED_IN = {
    "dashboard:home",
    "accounts:profile",
    "accounts:password_change",
    "notifications:list",
    "notifications:bell",
}
# Pages and endpoints outside the matrix, each with the reason.
NOT_IN_MATRIX = {
    "accounts:login": "public sign-in page",
    "accounts:logout": "POST-only sign-out",
    "core:set_language": "POST-only language switch for anyone",
    "accounts:token_create": "POST-only, acts on the caller's own tokens",
    "accounts:token_revoke": "POST-only, own tokens only (others' are 404: test_api_tokens)",
    "api:schema": "public API description",
    "api:docs": "public API documentation page",
    "notifications:open": "own notifications only (others' are 404: notifications test_views)",
    "notifications:mark_read": "POST-only, marks the caller's own notifications",
    "work_orders:customer_link": "public one-time customer link, the token is the key "
    "(work_orders tests/test_views.py: test_link_*)",
}
# portal: the customers' pages take a portal account (their own session key), never a staff
# login or permission; aftersales/portal/tests/test_security.py covers them.
NAMESPACES_OUTSIDE = {"admin", "djdt", "portal"}
# Routes with no name, by prefix: uploaded files served by the development server (DEBUG only).
ROUTES_OUTSIDE = ("media/",)
API_PREFIX = "/api/v1/"


@dataclass
class Page:
    name: str
    route: str
    view: Any


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Page]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in NAMESPACES_OUTSIDE:
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            view = getattr(entry.callback, "view_class", None) or getattr(
                entry.callback, "cls", None
            )
            yield Page(name=name, route=prefix + str(entry.pattern), view=view)


def html_pages() -> list[Page]:
    return [
        page
        for page in _walk(get_resolver().url_patterns)
        if not page.route.startswith(API_PREFIX.lstrip("/"))
        and page.name not in NOT_IN_MATRIX
        and not page.route.lstrip("^").startswith(ROUTES_OUTSIDE)
    ]


def _fill(route: str, pk: int | None) -> str:
    path = "/" + re.sub(r"<(?:int:)?pk>", str(pk), route)
    assert "<" not in path, f"route {route} has a parameter the matrix cannot fill"
    return path


POSITIONS = sorted(SYSTEM_POSITION_NAMES)


@pytest.fixture
def makers() -> dict:
    return load_all_factories()


def _expected_read(has_perm: bool, own: bool, shared: bool) -> int:
    if not has_perm:
        return 403
    if own or shared:
        return 200
    return 404


def test_every_page_declares_its_permission_or_is_listed() -> None:
    unclassified = [
        page.name
        for page in html_pages()
        if page.name not in OPEN_TO_SIGNED_IN
        and not getattr(page.view, "permission_required", None)
    ]
    assert not unclassified, (
        f"pages with no permission_required and not listed as open: {unclassified}"
    )


@pytest.mark.parametrize("position_code", POSITIONS)
def test_pages_by_position_and_unit(client, network, makers, position_code) -> None:
    user = make_user(position_code, network.outlet_a)
    client.force_login(user)
    checked = 0
    for page in html_pages():
        if page.name in OPEN_TO_SIGNED_IN:
            assert client.get(_fill(page.route, None)).status_code == 200, page.name
            continue
        permission = page.view.permission_required
        has_perm = user.has_perm(permission)
        if "<pk>" not in page.route and "<int:pk>" not in page.route:
            response = client.get(_fill(page.route, None))
            assert response.status_code == (200 if has_perm else 403), (page.name, position_code)
            checked += 1
            continue
        model = page.view.model
        assert model in makers, f"{page.name}: register a scoped_factory for {model.__name__}"
        shared = model in SHARED_MODELS
        for own, unit in ((True, network.outlet_a), (False, network.outlet_b)):
            record = makers[model](unit)
            response = client.get(_fill(page.route, record.pk))
            if response.streaming:  # a download holds its file until read to the end
                b"".join(response.streaming_content)
            expected = _expected_read(has_perm, own, shared)
            assert response.status_code == expected, (
                page.name,
                position_code,
                "own" if own else "foreign",
                response.status_code,
            )
            checked += 1
    assert checked > 0


def test_pages_send_signed_out_visitors_to_login(client, network, makers) -> None:
    for page in html_pages():
        pk = None
        if "pk>" in page.route:
            pk = makers[page.view.model](network.outlet_a).pk
        response = client.get(_fill(page.route, pk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], page.name


# --- API ---------------------------------------------------------------------------------------


@functools.cache
def api_operations() -> list[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append((path, method))
    return operations


def _api_view(path: str) -> Any:
    match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    return getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)


def _required_permission(view: Any, model: Any, method: str) -> str | None:
    explicit = getattr(view, "permission_required", None)
    if explicit:
        return explicit
    from aftersales.api.permissions import PositionModelPermissions

    if model is None:
        return None
    template = PositionModelPermissions.perms_map[method.upper()]
    return template[0] % {"app_label": model._meta.app_label, "model_name": model._meta.model_name}


@pytest.mark.parametrize("position_code", POSITIONS)
def test_api_by_position_and_unit(network, makers, position_code) -> None:
    user = make_user(position_code, network.outlet_a)
    api = APIClient()
    api.force_authenticate(user)
    for path, method in api_operations():
        view = _api_view(path)
        model = getattr(view, "model", None)
        permission = _required_permission(view, model, method)
        has_perm = permission is None or user.has_perm(permission)
        targets: list[tuple[bool, int | None]] = [(True, None)]
        if "{" in path:
            assert model in makers, (
                f"{method.upper()} {path}: register a scoped_factory for {model}"
            )
            targets = [
                (own, makers[model](unit).pk)
                for own, unit in ((True, network.outlet_a), (False, network.outlet_b))
            ]
        for own, pk in targets:
            url = re.sub(r"\{[^}]+\}", str(pk), path)
            response = getattr(api, method)(url, {}, format="json")
            code = response.status_code
            where = (method.upper(), path, position_code, "own" if own else "foreign", code)
            assert code < 500, where
            if not has_perm:
                assert code == 403, where
            elif pk is not None and not own and model not in SHARED_MODELS:
                assert code == 404, where
            elif method == "get":
                assert code == 200, where
            else:
                assert code not in {401, 403, 404}, where


def test_api_refuses_anonymous_callers(network, makers) -> None:
    api = APIClient()
    for path, method in api_operations():
        view = _api_view(path)
        pk = makers[view.model](network.outlet_a).pk if "{" in path else None
        url = re.sub(r"\{[^}]+\}", str(pk), path)
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code == 401, (method, path, response.status_code)
        assert "error" in response.json()


def test_every_system_position_exists(db) -> None:
    assert set(Position.objects.values_list("code", flat=True)) >= set(POSITIONS)
