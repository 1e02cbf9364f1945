"""Every list that exports, exports only what its user may see.

Walks the URL configuration for list pages with `export_columns`, so a new export is probed
without new test code: an outlet administrator's CSV holds exactly the rows of their own
subtree (a foreign outlet's record exists and is absent), and every text cell is neutralised
against formula injection."""

import csv
import io

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import SHARED_MODELS, load_all_factories
from aftersales.core.views import ObjectListView
from tests.test_access_matrix import _fill, html_pages


def _exporting_lists():  # type: ignore[no-untyped-def]
    for page in html_pages():
        view = page.view
        if (
            view is not None
            and issubclass(view, ObjectListView)
            and view.export_columns
            and "pk>" not in page.route
        ):
            yield page


def test_every_export_is_scoped_and_neutralised(client, network):
    makers = load_all_factories()
    user = make_user("administrator", network.outlet_a)
    client.force_login(user)
    probed = 0
    for page in _exporting_lists():
        model = page.view.model
        makers[model](network.outlet_a)
        makers[model](network.outlet_b)
        response = client.get(_fill(page.route, None) + "?export=csv")
        assert response.status_code == 200, page.name
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))[1:]
        visible = model.objects.visible_to(user).count()
        assert len(rows) == visible, (page.name, len(rows), visible)
        if model not in SHARED_MODELS:
            assert visible < model._base_manager.count(), page.name
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (page.name, cell)
        probed += 1
    assert probed >= 10
