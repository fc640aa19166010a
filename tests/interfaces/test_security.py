"""Hardening: security headers, HTTPS behind a proxy, log-in rate limits, size limits, and the
request id in responses and log lines."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import folium
import pytest
from flask import Flask

from core import create_app
from core.security import LOG_FORMAT, csp_nonce, with_script_nonces
from tests.conftest import PASSWORD


@pytest.fixture
def make_app(_app: Flask) -> Callable[..., Flask]:
    """Factory: another app instance on the test database, with some settings changed."""

    def make(**settings) -> Flask:
        base = {key: _app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "TESTING")}
        return create_app({**base, "WTF_CSRF_ENABLED": False, **settings})

    return make


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_pages_carry_security_headers(client):
    response = client.get("/")
    policy = directives(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert re.fullmatch(r"'self' 'nonce-[\w-]{24}'", policy["script-src"])
    assert "unsafe" not in policy["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    other = client.get("/")
    assert directives(other)["script-src"] != policy["script-src"]  # a nonce per response


def test_folium_map_scripts_get_the_nonce_of_the_policy(app):
    with app.test_request_context("/"):
        html = with_script_nonces(folium.Map(location=[50.46, 4.86]).get_root().render())
        nonce = csp_nonce()
    tags = re.findall(r"<script[^>]*>", html)
    assert len(tags) > 3
    assert all(f'nonce="{nonce}"' in tag for tag in tags)


def test_https_behind_the_proxy_gets_hsts_and_secure_cookies(make_app, make_user):
    app = make_app(PROXY_COUNT=1, SESSION_COOKIE_SECURE=True)
    user = make_user("scout")
    client = app.test_client()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "tournages.example.be"}
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, headers=https
    )
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    landing = client.get("/ogc?f=json", headers=https).get_json()
    assert landing["links"][0]["href"].startswith("https://tournages.example.be/ogc")


def test_forwarded_headers_are_ignored_without_a_configured_proxy(client):
    response = client.get(
        "/ogc?f=json", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    )
    assert "Strict-Transport-Security" not in response.headers
    assert "evil.example" not in response.get_data(as_text=True)


def attempt(client, email: str, address: str = "192.0.2.1"):
    return client.post(
        "/login",
        data={"email": email, "password": "wrong password!"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_log_in_attempts_are_capped_per_address(make_app, make_user):
    client = make_app(LOGIN_RATE_LIMIT="3/minute").test_client()
    user = make_user("scout")
    for number in range(3):
        assert attempt(client, f"nobody{number}@example.be").status_code == 401
    blocked = attempt(client, user.email)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Trop de tentatives" in blocked.get_data(as_text=True)  # French by default
    assert attempt(client, "other@example.be", address="192.0.2.2").status_code == 401
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200


def test_rate_limit_is_json_for_the_api_clients(make_app):
    app = make_app(LOGIN_RATE_LIMIT="1/minute")
    client = app.test_client()
    json = {"Accept": "application/json"}
    client.post("/login", data={"email": "a@b.be", "password": "x"}, headers=json)
    response = client.post("/login", data={"email": "a@b.be", "password": "x"}, headers=json)
    assert response.status_code == 429
    assert response.get_json()["error"] == "too_many_requests"


@pytest.mark.parametrize("path", ["/api/v1/communes", "/api/v1/nowhere", "/login"])
def test_oversized_bodies_are_refused_before_reading(make_app, path):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post(
        path,
        data=b"x" * 2048,
        headers={"Accept": "application/json", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "request_entity_too_large"
    assert "1024 bytes" in response.get_json()["detail"]


def test_request_id_is_echoed_or_created(client):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-42.abc"})
    assert given.headers["X-Request-ID"] == "lb-42.abc"
    for bad in ("x" * 200, "two words", "new\u2028line"):
        made = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
    first, second = (client.get("/").headers["X-Request-ID"] for _ in range(2))
    assert first != second


def test_every_log_line_of_a_request_names_its_request_id(make_app, caplog):
    app = make_app()

    @app.get("/noisy")
    def noisy():
        app.logger.warning("something to note")
        logging.getLogger("sqlalchemy.engine").warning("a library speaks too")
        raise RuntimeError("boom")

    with caplog.at_level(logging.WARNING):
        response = app.test_client().get(
            "/noisy", headers={"X-Request-ID": "req-7", "Accept": "application/json"}
        )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-7"
    records = [
        r
        for r in caplog.records
        if r.getMessage() in ("something to note", "a library speaks too", "unhandled error")
    ]
    assert len(records) == 3
    assert {record.request_id for record in records} == {"req-7"}
    assert "[req-7]" in logging.Formatter(LOG_FORMAT).format(records[0])
    outside = logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1, "m", (), None)
    assert outside.request_id == "-"


def test_open_data_is_readable_by_any_web_page(client):
    assert client.get("/ogc/collections").headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/communes").headers


def test_integer_ids_beyond_postgresql_integer_are_404_not_500(make_app):
    app = make_app()

    @app.get("/things/<int:thing_id>")
    def thing(thing_id: int):
        return {"id": thing_id}

    client = app.test_client()
    assert client.get("/things/2147483647").get_json() == {"id": 2147483647}
    assert client.get("/things/2147483648").status_code == 404
    assert client.get("/things/99999999999999999999999").status_code == 404


def test_map_tile_servers_are_allowed_images(make_app):
    app = make_app(
        TOURNAGES_TILES_OSM="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        TOURNAGES_TILES_ORTHO="https://geoservices.wallonie.be/arcgis/rest/tile/{z}/{y}/{x}.jpg",
        CSP_IMAGE_SOURCES=["https://tiles.example.be"],
    )
    images = directives(app.test_client().get("/"))["img-src"].split()
    assert images == [
        "'self'", "data:", "blob:", "https://tiles.example.be",
        "https://geoservices.wallonie.be", "https://tile.openstreetmap.org",
    ]  # fmt: skip
