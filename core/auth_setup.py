"""Session log-in (Flask-Login), bearer tokens for the API, and CSRF for cookie sessions.

Authentication comes first, then CSRF: a request carrying `Authorization: Bearer …` is
authenticated by that token alone (an invalid one is 401, whatever cookies come with it) and
needs no CSRF token, since a cross-site form cannot send that header. Every other write is a
cookie-session write and always needs the CSRF token; an anonymous write to the API is 401
before that.
"""

from __future__ import annotations

from flask import (
    Flask,
    Request,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from core.auth.models import User
from core.auth.operations import user_for_token
from core.db import db
from core.errors import wants_json
from core.extensions import csrf, login_manager

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
API_PREFIX = "/api/"


def bearer_token(req: Request) -> str | None:
    """The token of an `Authorization: Bearer` header ("" when the header names the scheme but
    no token), None without such a header (other schemes, e.g. a proxy's Basic, are not ours)."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    return None


def _load_session_user(user_id: str) -> User | None:
    """The enabled user of a session id "ID:VERSION" whose version is still current."""
    number, _, version = user_id.partition(":")
    if not (number.isdigit() and version.isdigit()):
        return None  # a session from before versions existed, or tampered with
    user = db.session.get(User, int(number))
    if user is None or not user.is_enabled or user.session_version != int(version):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    # "basic": a changed client marks the session non-fresh. "strong" would also treat any
    # cookie session without a signed-in user (one holding only the language) as tampered
    # with. Ending sessions is the session version's job (_load_session_user).
    login_manager.session_protection = "basic"

    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, for cookie sessions only
    csrf.init_app(app)

    login_manager.user_loader(_load_session_user)

    @app.errorhandler(CSRFError)
    def refused_form(exc: CSRFError):
        """A page says it in the user's language; an API client gets the JSON error."""
        if wants_json():
            return jsonify({"error": "bad_request", "detail": exc.description}), 400
        return render_template("errors/csrf.html"), 400

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return _unauthorized_json("Sign in or send an API token.")
        return redirect(url_for("auth.login", next=request.full_path))

    @app.before_request
    def authenticate_then_protect():
        token = bearer_token(request)
        if token is not None:
            user = user_for_token(db.session, token) if token else None
            if user is None:
                return _unauthorized_json("The API token is invalid, revoked or expired.")
            g._login_user = user  # Flask-Login's current user: the token's, not the cookie's
            return None
        if request.method in SAFE_METHODS or request.routing_exception is not None:
            return None  # reads, and unknown paths or methods (their 404/405 comes next)
        if request.path.startswith(API_PREFIX) and not current_user.is_authenticated:
            return _unauthorized_json("Sign in or send an API token.")
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # form field or X-CSRFToken header
        return None


def _unauthorized_json(detail: str):
    body = {"error": "unauthorized", "detail": detail}
    return jsonify(body), 401, {"WWW-Authenticate": "Bearer"}
