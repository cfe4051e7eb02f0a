"""The operations view in Dutch, on a phone-friendly layout, behind the same sign-in."""

from __future__ import annotations

import html
import sys
from pathlib import Path

from dashboard_helpers import AppFactory, sign_in

from connector.store import Store

sys.path.insert(0, str(Path(__file__).parent.parent / "demo"))
from demo_report_data import fill


def test_the_operations_view_speaks_dutch(sqlite_store: Store, make_app: AppFactory) -> None:
    fill(sqlite_store)
    client = make_app().test_client()
    sign_in(client)
    page = html.unescape(
        client.get("/dashboard/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    )
    assert "Overgedragen aan sales" in page and "Tegengehouden MQL's" in page
    assert "1 schrijfactie geweigerd door een CRM" in page
    assert "dagen geleden" in page  # the known history is from 2025
    assert 'data-label="Eigenaar"' in page and "(Europe/Amsterdam)" in page
