"""One-time login links in the store: issued by one web process, redeemed once by any other.

Two app instances over two engines on one database stand for two gunicorn workers (or a
restart between issuing and using); on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from dashboard_helpers import dashboard_config
from flask import Flask
from sqlalchemy import select

from connector.runtime import Runtime
from connector.store import Store
from connector.store.models import LoginLink
from webhooks.app import create_app
from webhooks.login_links import LoginLinks
from webhooks.signin import LOGIN_LINKS, login_link

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def processes(store: Store) -> Iterator[tuple[Flask, Flask]]:
    """Two apps, each with an engine of its own, over the same database."""
    other = Store(store.url)
    apps = tuple(
        create_app(Runtime(config=dashboard_config(s, login_link_minutes=5), store=s), {})
        for s in (store, other)
    )
    yield apps  # type: ignore[misc]
    other.dispose()


def _path(app: Flask) -> str:
    return login_link(app, "demo", BASE).removeprefix(BASE)


def test_a_link_issued_by_one_process_signs_in_once_at_another(
    store: Store, processes: tuple[Flask, Flask]
) -> None:
    issuer, other = processes
    path = _path(issuer)
    client = other.test_client()
    assert client.get(path).status_code == 302
    assert client.get("/").status_code == 200  # signed in at the other process
    assert issuer.test_client().get(path).status_code == 410  # used: refused everywhere
    assert other.test_client().get(path).status_code == 410
    with store.session() as session:
        (row,) = session.scalars(select(LoginLink))
        token = path.removeprefix("/signin/link/")
        assert token not in (row.token_hash, row.username)  # only its hash is kept
        assert (row.username, row.used_at is not None) == ("demo", True)


def test_racing_redemptions_across_processes_let_exactly_one_win(
    store: Store, processes: tuple[Flask, Flask]
) -> None:
    issuer, other = processes
    token = _path(issuer).removeprefix("/signin/link/")
    links = [app.extensions[LOGIN_LINKS] for app in (issuer, other)] * 4
    with ThreadPoolExecutor(max_workers=len(links)) as pool:
        users = list(pool.map(lambda pair: pair.redeem(token), links))
    assert sorted(u or "" for u in users) == [""] * 7 + ["demo"]


def test_expired_links_are_refused_and_pruned(store: Store) -> None:
    now = [datetime(2026, 12, 3, 12, tzinfo=UTC)]
    links = LoginLinks(store, ttl_s=300, clock=lambda: now[0])
    stale, used = links.issue("demo"), links.issue("demo")
    assert links.redeem(used) == "demo"
    now[0] += timedelta(minutes=6)
    assert links.redeem(stale) is None  # expired: refused
    fresh = links.issue("demo")  # issuing prunes the expired rows, used or not
    with store.session() as session:
        assert [r.username for r in session.scalars(select(LoginLink))] == ["demo"]
    assert links.redeem(fresh) == "demo" and links.redeem(fresh) is None
    assert links.redeem("not-a-token") is None
