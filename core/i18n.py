"""French first; English and German on request (the nine East-Belgian communes speak German)."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, redirect, request, session, url_for
from werkzeug.wrappers import Response

from core.extensions import babel


def select_locale() -> str | None:
    if not has_request_context():  # CLI commands, the outbox, threads of the tests
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    # This request's choice, this browser's, the account's (core.auth.operations.set_language),
    # then what the browser asks for.
    chosen = request.args.get("lang") or session.get("lang") or _account_language()
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _account_language() -> str | None:
    """The signed-in user's language (core.auth.operations.set_language), if any."""
    from flask_login import current_user  # the log-in manager is set up after this module

    return current_user.language if current_user.is_authenticated else None


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)  # catalogues in core/translations

    @app.get("/lang/<code>")
    def choose_language(code: str) -> Response:
        if code in app.config["LANGUAGES"]:
            session["lang"] = code
        target = request.referrer if _same_site(request.referrer) else url_for("pages.home")
        return redirect(target)


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)  # type: ignore[union-attr]
