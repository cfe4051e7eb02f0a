"""Sign-in: a CSRF-safe form with Argon2 passwords, expiring sessions, one-time links, logout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from dashboard_helpers import PASSWORD, USER, AppFactory, csrf_of, sign_in

from webhooks.signin import LOGIN_LINKS, login_link


def test_pages_redirect_to_the_sign_in_form_and_back(make_app: AppFactory) -> None:
    client = make_app().test_client()
    answer = client.get("/?week=2026-11-23")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/signin?next=/?week%3D2026-11-23"
    assert client.get("/dashboard/").headers["Location"] == "/signin?next=/dashboard/"
    token = csrf_of(client.get("/signin?next=/dashboard/").get_data(as_text=True))
    signed = client.post(
        "/signin",
        data={"csrf_token": token, "username": USER, "password": PASSWORD, "next": "/dashboard/"},
    )
    assert signed.status_code == 302 and signed.headers["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    cookie = client.get_cookie("baton_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_a_wrong_password_or_unknown_user_is_refused_alike(make_app: AppFactory) -> None:
    client = make_app().test_client()
    wrong = sign_in(client, password="not the password")
    unknown = sign_in(client, username="nobody")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "That user name and password do not match." in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_a_post_without_the_sessions_csrf_token_is_refused(make_app: AppFactory) -> None:
    client = make_app().test_client()
    client.get("/signin")
    forged = client.post("/signin", data={"username": USER, "password": PASSWORD})
    assert forged.status_code == 400
    other = client.post(
        "/signin", data={"csrf_token": "x" * 43, "username": USER, "password": PASSWORD}
    )
    assert other.status_code == 400
    assert client.get("/").status_code == 302


def test_after_sign_in_only_local_paths_are_followed(make_app: AppFactory) -> None:
    client = make_app().test_client()
    token = csrf_of(client.get("/signin").get_data(as_text=True))
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        answer = client.post(
            "/signin",
            data={"csrf_token": token, "username": USER, "password": PASSWORD, "next": target},
        )
        assert answer.headers["Location"] == "/"
        token = csrf_of(client.get("/signin").get_data(as_text=True))


def test_an_idle_session_expires(make_app: AppFactory) -> None:
    client = make_app(session_idle_minutes=30).test_client()
    with time_machine.travel("2026-12-03 09:00 +0000", tick=False) as clock:
        assert sign_in(client).status_code == 302
        clock.shift(29 * 60)
        assert client.get("/dashboard/").status_code == 200  # and that visit counts
        clock.shift(29 * 60)
        assert client.get("/dashboard/").status_code == 200
        clock.shift(31 * 60)
        assert client.get("/dashboard/").status_code == 302


def test_sign_out_needs_the_csrf_token_and_ends_the_session(make_app: AppFactory) -> None:
    client = make_app().test_client()
    sign_in(client)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert client.post("/signout").status_code == 400  # a cross-site form cannot sign you out
    assert client.get("/dashboard/").status_code == 200
    answer = client.post("/signout", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/signin"
    assert client.get("/dashboard/").status_code == 302


def test_a_one_time_link_signs_in_once_and_expires(make_app: AppFactory) -> None:
    app = make_app(login_link_minutes=5)
    link = login_link(app, "demo", "http://127.0.0.1:8000")
    path = link.removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/signin/link/") and len(path) > 50
    first = app.test_client()
    assert first.get(path).status_code == 302
    assert first.get("/").status_code == 200
    second = app.test_client()
    assert second.get(path).status_code == 410  # single use
    assert second.get("/").status_code == 302

    links = app.extensions[LOGIN_LINKS]
    now = [datetime(2026, 12, 3, 12, tzinfo=UTC)]
    links.clock = lambda: now[0]  # the links' own clock, moved by hand
    late = login_link(app, "demo", "http://127.0.0.1:8000").removeprefix("http://127.0.0.1:8000")
    kept = login_link(app, "demo", "http://127.0.0.1:8000").removeprefix("http://127.0.0.1:8000")
    now[0] += timedelta(minutes=4)
    assert app.test_client().get(kept).status_code == 302  # within 5 minutes
    now[0] += timedelta(minutes=2)
    assert app.test_client().get(late).status_code == 410  # 6 minutes: expired


def test_receivers_and_ops_endpoints_are_not_behind_sign_in(make_app: AppFactory) -> None:
    client = make_app().test_client()
    assert client.get("/healthz").status_code == 200
    assert client.post("/webhooks/hubspot", data=b"[]").status_code == 401  # its own signature
