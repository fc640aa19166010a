"""HTML log-in and log-out, and the account page: password and API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from core.auth import throttle
from core.auth.forms import LanguageForm, LoginForm, NameForm, PasswordForm, TokenForm
from core.auth.models import ApiToken, User
from core.auth.operations import (
    authenticate,
    change_password,
    create_token,
    end_sessions,
    revoke_token,
    set_display_name,
    set_language,
    tokens_of,
)
from core.auth.policy import authorize
from core.db import db, keep_despite_error_response
from core.extensions import limiter

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after log-in (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("pages.home")


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
# A hard cap per client address; the per-account and per-address delays are core.auth.throttle.
@limiter.limit(_login_rate, methods=["POST"])
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    email = form.email.data or ""
    keys = throttle.keys_for(db.session, request, email, get_remote_address())
    wait = throttle.retry_after(db.session, keys)
    if wait:
        form.form_errors.append(
            _("Too many failed attempts: try again in %(seconds)d seconds.", seconds=wait)
        )
        page = render_template("auth/login.html", form=form)
        return page, 429, {"Retry-After": str(wait)}
    user = authenticate(db.session, email, form.password.data or "")
    if user is None:
        throttle.record_failure(db.session, keys)
        keep_despite_error_response()  # the failure is counted although the answer is a 401
        form.form_errors.append(_("Unknown e-mail or wrong password."))
        return render_template("auth/login.html", form=form), 401
    throttle.record_success(db.session, keys)  # committed with a re-hashed password, if any
    _start_session(user)
    flash(_("Welcome, %(email)s.", email=user.email), "success")
    response = redirect(_safe_next(request.args.get("next")))
    throttle.trust_device(response, user)
    return response


def _start_session(user: User) -> None:
    # The language chosen before signing in, else the account's (core.i18n.select_locale).
    language = session.get("lang") or user.language
    session.clear()  # a fresh session on log-in (no fixation)
    if language:
        session["lang"] = language
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    login_user(user)


@bp.post("/logout")
@login_required
def logout():
    # Server-side: a copy of this session's cookie, or of any other of the user's, stops working.
    end_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("pages.home"))


def _account_page(status: int = 200, **context):
    user = authorize("account.view")
    context.setdefault("language_form", LanguageForm(language=user.language or ""))  # type: ignore[union-attr]
    context.setdefault("name_form", NameForm(display_name=user.display_name or ""))  # type: ignore[union-attr]
    context.setdefault("password_form", PasswordForm())
    context.setdefault("token_form", TokenForm())
    tokens = tokens_of(db.session, user)  # type: ignore[arg-type]
    return render_template("auth/account.html", tokens=tokens, **context), status


@bp.get("/account")
def account():
    return _account_page()


@bp.post("/account/password")
def password():
    user = authorize("account.view")
    form = PasswordForm()
    if not form.validate_on_submit():
        return _account_page(400, password_form=form)
    current, new = form.current_password.data or "", form.new_password.data or ""
    _changed, refused = form.attempt(lambda: change_password(user, current, new))  # type: ignore[arg-type]
    if refused is not None:
        return _account_page(refused, password_form=form)
    _start_session(user)  # type: ignore[arg-type]  # this browser stays signed in, others end
    flash(_("Your password is changed; your other sessions are ended."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/language")
def language():
    user = authorize("account.view")
    form = LanguageForm()
    if not form.validate_on_submit():
        return _account_page(400, language_form=form)
    chosen = form.language.data or None
    _done, refused = form.attempt(lambda: set_language(user, chosen))  # type: ignore[arg-type]
    if refused is not None:
        return _account_page(refused, language_form=form)
    if chosen:
        session["lang"] = chosen  # this page already in it
    else:
        session.pop("lang", None)
    flash(_("Your language is saved."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/name")
def display_name():
    user = authorize("account.view")
    form = NameForm()
    if not form.validate_on_submit():
        return _account_page(400, name_form=form)
    _done, refused = form.attempt(lambda: set_display_name(user, form.display_name.data))  # type: ignore[arg-type]
    if refused is not None:
        return _account_page(refused, name_form=form)
    flash(_("Your name is saved."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens")
def new_token():
    user = authorize("account.view")
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(400, token_form=form)
    token = create_token(db.session, user, form.label.data or None)  # type: ignore[arg-type]
    # Shown in this response only: never stored in the (signed, not encrypted) session cookie.
    response = make_response(_account_page(201, new_token=token))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    authorize("tokens.revoke", token, hide=True)
    revoke_token(token)
    flash(_("The token is revoked."), "success")
    return redirect(url_for("auth.account"))
