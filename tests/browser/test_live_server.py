"""The journeys' live server on the in-memory SQLite test database: requests that overlap,
and the test's own queries between them, do not corrupt one another (conftest: one lock).
Without that lock this test failed in about half of its runs; the journeys, in CI, now and
then ("bad parameter or other API misuse")."""

import threading
import urllib.request

from aftersales.accounts.services import api_token_create
from aftersales.accounts.tests.factories import make_user
from aftersales.organisation.models import Unit


def test_overlapping_requests_and_the_tests_own_queries_all_succeed(live_server, network):
    _, key = api_token_create(user=make_user("administrator", network.hq), name="journeys")
    statuses: list[int] = []

    def fetch() -> None:
        for _ in range(25):
            # The token, the permissions, the units: several queries a request.
            request = urllib.request.Request(
                f"{live_server.url}/api/v1/units/", headers={"Authorization": f"Bearer {key}"}
            )
            with urllib.request.urlopen(request) as response:
                statuses.append(response.status)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    counted = [Unit.objects.count() for _ in range(500)]
    for thread in threads:
        thread.join()
    assert statuses == [200] * 200
    assert set(counted) == {Unit.objects.count()}
