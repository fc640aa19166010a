"""The production set-up as far as one machine allows: several app instances and gunicorn
processes sharing one PostGIS, behind a proxy that speaks HTTPS."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from core import create_app
from core.db import db
from tests.conftest import PASSWORD
from tests.interfaces.live.app_nodes import PROJECT_ROOT, gunicorn_nodes


def test_a_session_opened_on_one_instance_works_on_another(app, make_user, create_location):
    """Sessions are signed cookies (shared SECRET_KEY), data lives in the one database: any
    instance can serve any request."""
    user = make_user("scout")
    create_location(name="Château de Walzin")
    db.session.commit()
    settings = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "TESTING")}
    first, second = (create_app({**settings, "WTF_CSRF_ENABLED": False}) for _ in range(2))
    browser = first.test_client()
    assert (
        browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    other = second.test_client()
    other.set_cookie("session", browser.get_cookie("session").value)
    me = other.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    items = other.get("/ogc/collections/locations/items").get_json()
    assert [f["properties"]["name"] for f in items["features"]] == ["Château de Walzin"]


@pytest.fixture
def gunicorn(app, tmp_path):
    """gunicorn with deploy/gunicorn.conf.py, two workers, as in production behind a proxy."""
    settings = {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "a-production-secret-for-the-test",
        "TOURNAGES_ENV": "production",
        "TOURNAGES_PROXY_COUNT": "1",
    }
    with gunicorn_nodes([settings], tmp_path, workers=2) as (node,):
        yield node.url, node.log


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_gunicorn_workers_behind_an_https_proxy(gunicorn, create_location):
    create_location(name="Carrière de Maffle")
    db.session.commit()
    base, log = gunicorn
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "tournages.example.be"}

    def one(number: int):
        return fetch(
            f"{base}/ogc/collections/locations/items?f=json",
            {**proxy, "X-Request-ID": f"test-{number}"},
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(40)))
    assert all(status == 200 for status, _, _ in results)
    names = {json.loads(body)["features"][0]["properties"]["name"] for _, _, body in results}
    assert names == {"Carrière de Maffle"}
    _, headers, body = results[0]
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert b"https://tournages.example.be/ogc/collections/locations" in body
    lines = log.read_text()
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", lines))) == 2
    assert sorted(map(int, served_ids(log, expected=40))) == list(range(40))  # each with its id


def served_ids(log, expected: int) -> list[str]:
    """The request ids in the access log, once EXPECTED lines are there (a worker writes its
    line after the response has gone out) or after a few seconds."""
    deadline = time.monotonic() + 10
    while True:
        ids = re.findall(r"\[test-(\d+)\] \"GET /ogc/collections/locations/items", log.read_text())
        if len(ids) >= expected or time.monotonic() > deadline:
            return ids
        time.sleep(0.1)


def example_environment() -> dict[str, str]:
    lines = (PROJECT_ROOT / "deploy" / "tournages.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_deployment_examples_agree_with_the_code_and_each_other():
    """Every variable of the nodes' environment file is one the app, gunicorn's settings or the
    unit reads, and the unit may write where the uploads go."""
    environment = example_environment()
    readers = "".join(
        (PROJECT_ROOT / path).read_text() for path in ("core/config.py", "deploy/gunicorn.conf.py")
    )
    unit = (PROJECT_ROOT / "deploy" / "tournages@.service").read_text()
    unread = [
        name for name in environment if f'"{name}"' not in readers and f"${{{name}}}" not in unit
    ]
    assert unread == []
    uploads = environment["TOURNAGES_UPLOAD_FOLDER"]
    assert f"ReadWritePaths={uploads}\n" in unit and f"RequiresMountsFor={uploads}\n" in unit
    assert "EnvironmentFile=/etc/tournages/tournages.env\n" in unit
    assert " -c deploy/gunicorn.conf.py " in unit
    assert (
        environment["TOURNAGES_ENV"] == "production" and environment["TOURNAGES_PROXY_COUNT"] == "1"
    )
