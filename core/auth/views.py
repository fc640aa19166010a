"""HTML log-in and log-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from core.auth.operations import authenticate
from core.db import db
from core.extensions import limiter

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after log-in (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("pages.home")


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_rate() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _attempted_account() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
# Password guessing: per client address, and per account from any number of addresses.
@limiter.limit(_login_rate, methods=["POST"])
@limiter.limit(_account_rate, methods=["POST"], key_func=_attempted_account)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()  # keeps a re-hashed password, if any
            session.clear()  # a fresh session on log-in (no fixation)
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(user)
            flash(_("Welcome, %(email)s.", email=user.email), "success")
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Unknown e-mail or wrong password."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("pages.home"))
