"""Browser journeys: Playwright driving the machine's Chromium (never a downloaded browser).

Skipped, with a line saying so, when no Chromium is installed; under CI=true a missing
Chromium is a failure. On a failing journey, a screenshot and the page HTML are kept under
test-artifacts/browser/<test name>/ and the report names the folder.
"""

import os
import re
import shutil
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

    one_at_a_time = threading.Lock()

    class SerialHandler(StaticFilesHandler):
        def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
            with one_at_a_time:
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
