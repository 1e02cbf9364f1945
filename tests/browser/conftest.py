"""Browser journeys: Playwright driving the machine's Chromium (never a downloaded browser).

Skipped, with a line saying so, when no Chromium is installed; under CI=true a missing
Chromium is a failure. On a failing journey, a screenshot and the page HTML are kept under
test-artifacts/browser/<test name>/ and the report names the folder.
"""

import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    if chromium_path() is not None:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError("CI=true but no Chromium found: browser journeys cannot run")
    skip = pytest.mark.skip(
        reason="browser journeys skipped: Chromium is not installed (apt-get install chromium)"
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


# One lock for everything that touches the test database while a journey runs: the live
# server's requests, and each call the test's own thread makes on a shared SQLite connection.
_ONE_AT_A_TIME = threading.RLock()


@pytest.fixture(scope="session")
def live_server(request):  # type: ignore[no-untyped-def]
    """pytest-django's live server, except that it answers one request at a time.

    On the in-memory SQLite test database the server's threads share the test's single
    connection, and two requests at once on one sqlite3 connection corrupt each other ("bad
    parameter or other API misuse", a page answering 404 for a row that exists): a page load
    overlapping an htmx swap or a poll did that in CI. PostgreSQL gives each thread its own
    connection, but the journeys do not test concurrency, so both backends serve serially."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from pytest_django.live_server_helper import LiveServer

    class SerialHandler(StaticFilesHandler):
        def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
            with _ONE_AT_A_TIME:
                # The body is produced, and the response closed (request_finished), inside the
                # lock too: a streamed response reads the database while it is being sent.
                response = super().__call__(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

    server = LiveServer(request.config.getvalue("liveserver") or "localhost", start=False)
    server.thread.static_handler = SerialHandler
    server.start()
    yield server
    server.stop()


class _Serialised:
    """`target` (a sqlite3 connection, or a cursor it made) with each of its methods called
    under `_ONE_AT_A_TIME`; the cursors it returns are wrapped too."""

    def __init__(self, target: object) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> object:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args: object, **kwargs: object) -> object:
            with _ONE_AT_A_TIME:
                result = value(*args, **kwargs)
            return _Serialised(result) if isinstance(result, sqlite3.Cursor) else result

        return call

    def __setattr__(self, name: str, value: object) -> None:
        setattr(self._target, name, value)

    def __iter__(self) -> Iterator[object]:
        while True:
            with _ONE_AT_A_TIME:
                row = self._target.fetchone()  # type: ignore[attr-defined]
            if row is None:
                return
            yield row


@pytest.fixture(autouse=True)
def _test_thread_waits_for_the_server(request):  # type: ignore[no-untyped-def]
    """While a journey runs, the test's own queries (setting up, checking the result) wait
    for a request the server is answering, and the server waits for them: on in-memory
    SQLite both go through the one connection (a poll every 3 s, the call pop-up's, could
    otherwise land in the middle of the test reading a row)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    from django.db import connections

    shared = [
        conn
        for conn in connections.all(initialized_only=True)
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    ]
    for conn in shared:
        conn.ensure_connection()
        conn.connection = _Serialised(conn.connection)
    try:
        yield
    finally:
        for conn in shared:
            conn.connection = conn.connection._target


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Playwright's sync API keeps an event loop running in the test thread; the ORM calls that
    set up data there are still synchronous and safe, so Django's async guard is lifted while
    the browser lives (and restored after; subprocess-based tests drop the variable)."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=chromium_path(), args=LAUNCH_ARGS, headless=True
            )
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.journey_failed = report.failed


def _new_page(browser, request, viewport, locale):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, locale=locale)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    if getattr(request.node, "journey_failed", False):
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "page.png"), full_page=True)
        (folder / "page.html").write_text(page.content(), encoding="utf-8")
        request.node.add_report_section("call", "browser artifacts", f"kept in {folder}")
        print(f"\nbrowser artifacts kept in {folder}")  # noqa: T201 — named in the test report
    context.close()


@pytest.fixture
def page(browser, request):  # type: ignore[no-untyped-def]
    yield from _new_page(browser, request, DESKTOP, "en-US")


@pytest.fixture
def phone_page(browser, request):  # type: ignore[no-untyped-def]
    yield from _new_page(browser, request, PHONE, "ru-RU")


def sign_in(page, live_server, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
