"""French first; English and German on request (the nine East-Belgian communes speak German)."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, redirect, request, session, url_for
from werkzeug.wrappers import Response

from core.extensions import babel


def select_locale() -> str | None:
    if not has_request_context():  # CLI commands, the outbox, threads of the tests
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    # This request's choice, then this browser's session's (which sign-in starts with the
    # account's language, core.auth.views._start_session), then what the browser asks for.
    # Never the database: a locale is chosen while a failed flush waits for its rollback too.
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


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
