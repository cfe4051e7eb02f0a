"""Sign-in for the dashboard pages: a CSRF-safe form, expiring sessions, one-time links, logout.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when configured) holding the
user name, a CSRF token and when the person was last seen; a session idle for longer than
``dashboard.session_idle_minutes`` ends. Pages call :func:`require_sign_in` from their
blueprint's ``before_request``; the webhook receivers and ops endpoints never do, and the JSON
API authenticates with bearer tokens of its own.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers.response import Response as WerkzeugResponse

from connector.config.models.dashboard import DashboardConfig
from connector.runtime import Runtime
from connector.store import Store
from webhooks.login_links import LoginLinks
from webhooks.passwords import check_password

log = logging.getLogger(__name__)
bp = Blueprint("signin", __name__, template_folder="templates")

#: app.extensions key of the process's :class:`LoginLinks`
LOGIN_LINKS = "baton.login_links"
#: app config flag (tests only) that opens the pages without signing in
OPEN_FLAG = "BATON_DASHBOARD_OPEN"
CSRF_FIELD = "csrf_token"


def init_app(app: Flask, config: DashboardConfig, store: Store) -> None:
    """Configure signed, expiring session cookies and mount the sign-in routes; one-time
    links are kept in ``store``, so every web process can redeem them."""
    secret = config.session_secret.get_secret_value() if config.session_secret else None
    if not app.config.get("SECRET_KEY"):  # an override (tests) wins over the file's
        app.config["SECRET_KEY"] = secret or secrets.token_bytes(32)
    app.config.update(
        SESSION_COOKIE_NAME="baton_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config.session_idle_minutes),
    )
    app.extensions[LOGIN_LINKS] = LoginLinks(store, ttl_s=config.login_link_minutes * 60)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.register_blueprint(bp)


def login_link(app: Flask, username: str, base_url: str) -> str:
    """A one-time sign-in URL for ``username`` (the demo prints it)."""
    token = app.extensions[LOGIN_LINKS].issue(username)
    return f"{base_url.rstrip('/')}/signin/link/{token}"


def signed_in_user() -> str | None:
    """The user of this request's live session, or None (an idle session ends here)."""
    username = session.get("user")
    if username is None:
        return None
    idle = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if time.time() - session.get("seen", 0) > idle:
        session.clear()
        return None
    session["seen"] = int(time.time())
    return username


def require_sign_in() -> WerkzeugResponse | None:
    """``before_request`` for pages: send anyone not signed in to the sign-in form."""
    if current_app.config.get(OPEN_FLAG) or signed_in_user() is not None:
        return None
    return redirect(url_for("signin.form", next=_local_path(request.full_path)))


def csrf_token() -> str:
    """This session's CSRF token (made on first use), for a hidden form field."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Refuse a form post whose token is not this session's (400, nothing changed)."""
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        abort(400, description=_("The form was out of date. Please try again."))


def _start_session(username: str) -> None:
    session.clear()  # a fresh session (and CSRF token) per sign-in: no fixation
    session.permanent = True
    session["user"] = username
    session["seen"] = int(time.time())


def _local_path(target: str | None) -> str:
    """Only same-site paths ("/…", not "//host") are followed after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target.rstrip("?") or "/"


def _dashboard_config() -> DashboardConfig:
    runtime: Runtime = current_app.extensions["baton"]
    return runtime.config.dashboard


@bp.get("/signin")
def form() -> str:
    """The sign-in form."""
    return render_template(
        "signin/form.html", next=_local_path(request.args.get("next")), error=None
    )


@bp.post("/signin")
def submit() -> str | tuple[str, int] | WerkzeugResponse:
    """Check the password; on success start a session and go where the person was headed."""
    check_csrf()
    username = request.form.get("username", "")
    user = check_password(_dashboard_config().users, username, request.form.get("password", ""))
    target = _local_path(request.form.get("next"))
    if user is None:
        log.info("dashboard sign-in refused")  # no user name: it may be a mistyped password
        error = _("That user name and password do not match.")
        return render_template("signin/form.html", next=target, error=error), 401
    _start_session(user)
    log.info("dashboard sign-in")  # no user name in logs: names stay out of the logs
    return redirect(target)


@bp.get("/signin/link/<token>")
def link(token: str) -> str | tuple[str, int] | WerkzeugResponse:
    """Redeem a one-time login link."""
    user = current_app.extensions[LOGIN_LINKS].redeem(token)
    if user is None:
        error = _("This login link was already used or has expired. Ask for a new one.")
        return render_template("signin/form.html", next="/", error=error), 410
    _start_session(user)
    log.info("dashboard sign-in by one-time link")
    return redirect("/")


@bp.post("/signout")
def signout() -> WerkzeugResponse:
    """End the session."""
    check_csrf()
    session.clear()
    return redirect(url_for("signin.form"))


@bp.get("/language/<code>")
def language(code: str) -> Response | WerkzeugResponse:
    """Remember the reader's language choice (a cookie, so it works before sign-in too)."""
    from webhooks.i18n import LANGUAGE_COOKIE, LANGUAGES

    if code not in LANGUAGES:
        abort(404, description=f"no language {code!r}; Baton speaks {', '.join(LANGUAGES)}")
    answer = redirect(_local_path(request.args.get("next")))
    answer.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 86_400, samesite="Lax", httponly=True)
    return answer
