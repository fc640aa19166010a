"""Session log-in (Flask-Login), bearer tokens for the API, and CSRF for cookie sessions."""

from __future__ import annotations

from flask import Flask, Request, current_app, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from core.auth.models import User
from core.auth.operations import user_for_token
from core.db import db
from core.errors import wants_json
from core.extensions import csrf, login_manager

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token(req: Request) -> str | None:
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    # "basic": a changed client marks the session non-fresh. "strong" would also treat any
    # cookie session without a signed-in user (one holding only the language) as tampered
    # with, and then ignore a bearer token sent along with it.
    login_manager.session_protection = "basic"

    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, for cookie sessions only
    csrf.init_app(app)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_enabled else None

    @login_manager.request_loader
    def load_user_from_token(req: Request) -> User | None:
        token = bearer_token(req)
        return user_for_token(db.session, token) if token else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            body = {"error": "unauthorized", "detail": "Sign in or send an API token."}
            return jsonify(body), 401, {"WWW-Authenticate": "Bearer"}
        return redirect(url_for("auth.login", next=request.full_path))

    @app.before_request
    def protect_cookie_sessions() -> None:
        # A bearer token cannot be sent by a forged cross-site form, so only cookie-authenticated
        # writes need the CSRF token (form field or X-CSRFToken header).
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.method not in SAFE_METHODS and bearer_token(request) is None:
            csrf.protect()
