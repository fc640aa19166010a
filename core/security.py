"""Hardening of every response: security headers, a request id in each log line, size limits,
the proxy in front of the app, and the log-in rate limit.

Content-Security-Policy: scripts only from our own files or inline blocks carrying this
request's nonce (`csp_nonce()` in templates). folium writes its maps as inline scripts: map
pages pass folium's HTML through `with_script_nonces`, which trusts every <script> folium
rendered. That is stricter than 'unsafe-inline' (no inline event handlers, no javascript:
URLs, no injected script on any other page), but it is not a defence against a user string
that reaches folium unescaped: escaping before folium (see the brief's known traps) stays
the real protection there. Styles allow 'unsafe-inline': folium and Leaflet write style
blocks and attributes, and CSS cannot run code.
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
)
from flask_babel import gettext as _
from werkzeug.datastructures import Headers
from werkzeug.exceptions import NotFound, RequestEntityTooLarge, TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from core.errors import wants_json
from core.extensions import limiter
from core.validation import MAX_DATABASE_ID

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")  # what we accept from a proxy
_SCRIPT_TAG = re.compile(r"<script(?=[\s>])")
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
HSTS = "max-age=31536000; includeSubDomains"
PUBLIC_DATA_PREFIXES = ("/ogc",)  # open data: any web page may read it (no cookies involved)
_STATIC_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors for old browsers
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), payment=()"),
]


# Settings that give flask-limiter limits of its own, beyond the views' (`@limiter.limit`).
_LIMITER_WIDE_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def _views_check_their_own_limits(app: Flask) -> None:
    """flask-limiter's before_request hook checks default, application-wide and meta limits;
    this app sets none (core.extensions): its limits are on views (`@limiter.limit`), whose
    decorator checks them when the view runs. The hook did nothing on every request but cost
    some 130 Python calls (docs/shoots.md, "Profile"), so it is taken out, unless the
    configuration gives such limits."""
    if not any(app.config.get(name) for name in _LIMITER_WIDE_SETTINGS):
        app.before_request_funcs[None].remove(limiter._check_request_limit)


def csp_nonce() -> str:
    """This request's script nonce (created on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def with_script_nonces(html: str) -> str:
    """Give every <script> tag of trusted, generated HTML (a folium map) this request's nonce."""
    return _SCRIPT_TAG.sub(f'<script nonce="{csp_nonce()}"', html)


def content_security_policy() -> str:
    before, after = _policy_around_nonce(current_app)
    return f"{before}{csp_nonce()}{after}"


def _policy_around_nonce(app: Flask) -> tuple[str, str]:
    """The app's policy before and after the nonce, put together once per app (it depends
    only on the configuration)."""
    if "tournages.csp" not in app.extensions:
        config = app.config
        images = " ".join(
            ["'self'", "data:", "blob:", *config["CSP_IMAGE_SOURCES"], *_tile_origins(config)]
        )
        directives = {
            "default-src": "'self'",
            "script-src": "'self' 'nonce-\0'",
            "style-src": "'self' 'unsafe-inline'",
            "img-src": images,
            "font-src": "'self' data:",
            "connect-src": "'self'",
            "object-src": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        }
        policy = "; ".join(f"{name} {value}" for name, value in directives.items())
        before, _, after = policy.partition("\0")
        app.extensions["tournages.csp"] = (before, after)
    return app.extensions["tournages.csp"]


def request_id() -> str:
    """The proxy's X-Request-ID when it is sane, else one of our own."""
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
    return g.request_id


def _install_log_record_factory() -> None:
    """Every log record (ours, SQLAlchemy's, Werkzeug's) carries the current request id."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_id", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id() if has_request_context() else "-"
        return record

    factory.adds_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _set_log_format(app: Flask) -> None:
    from flask.logging import default_handler

    default_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    if not app.debug:
        app.logger.setLevel(logging.INFO)


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` path segments are PostgreSQL `integer` ids: a larger number is a 404 instead
    of reaching the database out of range (a 500, found by schemathesis). Raised here rather
    than with the converter's `max`: werkzeug's matcher then answered 405 where another
    method's rule has the same path."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_DATABASE_ID:
            raise NotFound()
        return number


def _tile_origins(config: Mapping[str, Any]) -> list[str]:
    """Origins of the base-map tile URLs configured as TOURNAGES_TILES_* (maps load images)."""
    origins = []
    for key, value in config.items():
        if key.startswith("TOURNAGES_TILES_") and isinstance(value, str):
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def _add_missing(headers: Headers, pairs: list[tuple[str, str]]) -> None:
    """Add the PAIRS whose header is not set yet: a header a view set itself stays. One look
    at the headers instead of one per header (werkzeug's setdefault scans them each time)."""
    present = {name.lower() for name, _value in headers.items()}
    headers.extend((name, value) for name, value in pairs if name.lower() not in present)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        # Trust X-Forwarded-For/-Proto/-Host/-Port/-Prefix from that many proxies, no more:
        # client address (rate limits), https (secure cookies, HSTS) and links come from them.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=proxies,
            x_proto=proxies,
            x_host=proxies,
            x_port=proxies,
            x_prefix=proxies,
        )
    limiter.init_app(app)
    _views_check_their_own_limits(app)
    _install_log_record_factory()
    _set_log_format(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def check_request() -> None:
        request_id()
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge(
                f"The request body is larger than the limit of {limit} bytes."
            )

    @app.errorhandler(429)
    def too_many_requests(exc: TooManyRequests):
        if wants_json():
            body = {"error": "too_many_requests", "detail": _("Too many attempts: wait a moment.")}
            return jsonify(body), 429
        return render_template("security/too_many_requests.html", limit=exc.description), 429

    @app.after_request
    def secure_headers(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = request_id()
        wanted = [("Content-Security-Policy", content_security_policy()), *_STATIC_HEADERS]
        if request.is_secure:
            wanted.append(("Strict-Transport-Security", HSTS))
        if request.path.startswith(PUBLIC_DATA_PREFIXES):
            wanted.append(("Access-Control-Allow-Origin", "*"))
        _add_missing(response.headers, wanted)
        return response
