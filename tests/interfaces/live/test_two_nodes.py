"""Two app nodes, one PostGIS, one Redis: two gunicorn instances on their own ports, sharing the
database, the upload folder, the rate-limit store and the secret, as docs/deploy.md sets them up
behind nginx. Whatever one node counts, books or stores, the other sees.

Each test speaks as client addresses of its own (X-Forwarded-For, trusted from one proxy as
behind nginx), so the address counters of one test do not reach the next.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select

from core.auth import throttle
from core.auth.operations import create_token
from core.db import db
from shoots.models import Shoot
from tests.conftest import PASSWORD
from tests.interfaces.live.app_nodes import PROJECT_ROOT, Node, free_port, gunicorn_nodes
from tests.shoots.conftest import NAMUR, circle, offset

LOGIN_LIMIT = 4  # per address and minute, in the shared store
FREE_ACCOUNT_FAILURES = 2  # then the account waits (core.auth.throttle, in the database)
RACERS = 16
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def node_settings(database_url: str, storage: str, uploads: Path) -> dict[str, str]:
    """The environment every node shares, as in deploy/tournages.env.example."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "one-secret-shared-by-every-node",
        "TOURNAGES_ENV": "production",
        "TOURNAGES_SECURE_COOKIES": "0",  # plain HTTP on the loopback; nginx adds TLS
        "TOURNAGES_PROXY_COUNT": "1",
        "TOURNAGES_UPLOAD_FOLDER": str(uploads),
        "TOURNAGES_RATELIMIT_STORAGE": storage,
        "TOURNAGES_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT}/minute",
        "TOURNAGES_LOGIN_FREE_FAILURES_PER_ACCOUNT": str(FREE_ACCOUNT_FAILURES),
        "TOURNAGES_LOGIN_FREE_FAILURES_PER_ADDRESS": "100",
    }


@pytest.fixture(scope="module")
def uploads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("shared-uploads")


@pytest.fixture(scope="module")
def nodes(_app, redis_url, uploads, tmp_path_factory) -> Iterator[list[Node]]:
    """Nodes A and B, each with 2 workers of 4 threads: 16 requests at once are served at once."""
    settings = node_settings(_app.config["DATABASE_URL"], redis_url, uploads)
    folder = tmp_path_factory.mktemp("nodes")
    with gunicorn_nodes([settings, settings], folder, workers=2, threads=4) as started:
        yield started


def sign_in(
    browser: requests.Session, form_url: str, post_url: str, email: str, password: str, address
) -> requests.Response:
    """A log-in as a balanced browser may send it: the form (and its CSRF token, in the session
    cookie) from one node, the post to another."""
    headers = {"X-Forwarded-For": address}
    form = browser.get(f"{form_url}/login", headers=headers, timeout=30)
    token = CSRF_FIELD.search(form.text).group(1)  # type: ignore[union-attr]
    return browser.post(
        f"{post_url}/login",
        data={"csrf_token": token, "email": email, "password": password},
        # Over HTTPS the CSRF check also wants the page the form came from, as browsers send it.
        headers={**headers, "Referer": f"{form_url}/login"},
        allow_redirects=False,
        timeout=30,
    )


def test_the_log_in_limit_is_counted_across_nodes(nodes):
    a, b = nodes
    browser = requests.Session()
    remaining = []
    for number in range(LOGIN_LIMIT):  # A, B, A, B: each a different unknown account
        first, second = (a, b) if number % 2 else (b, a)
        response = sign_in(
            browser, first.url, second.url, f"nobody{number}@example.be", "x", "192.0.2.10"
        )
        assert response.status_code == 401
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == [3, 2, 1, 0]  # one count, whichever node answered
    for node in nodes:  # one more, on either node: refused
        refused = sign_in(browser, node.url, node.url, "nobody@example.be", "x", "192.0.2.10")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other_address = sign_in(browser, a.url, b.url, "nobody@example.be", "x", "192.0.2.11")
    assert other_address.status_code == 401


def test_failures_on_one_node_make_the_account_wait_on_the_other(nodes, make_user):
    user = make_user("scout")
    db.session.commit()
    a, b = nodes
    owner = requests.Session()
    assert sign_in(owner, a.url, a.url, user.email, PASSWORD, "192.0.2.20").status_code == 302
    assert owner.cookies.get(throttle.DEVICE_COOKIE)  # node A trusts the owner's browser now

    # A guesser, from a new address each time, fails on A and B in turn, each time once the
    # delay of the failures before has passed: each failure counts, on both nodes.
    guesser = requests.Session()
    wait = 0
    for number in range(FREE_ACCOUNT_FAILURES + 3):
        time.sleep(wait + 0.1)
        node = nodes[number % 2]
        failed = sign_in(guesser, node.url, node.url, user.email, "wrong", f"192.0.2.{30 + number}")
        assert failed.status_code == 401
        wait = throttle.wait_seconds(number + 1, FREE_ACCOUNT_FAILURES, ceiling=300)
    assert wait == 8  # the last failure was on A: node B makes the account wait 8 s
    refused = sign_in(guesser, b.url, b.url, user.email, PASSWORD, "192.0.2.40")
    assert refused.status_code == 429  # even with the password
    # The account's delay (not the address's cap), in seconds left of the last failure's.
    seconds = re.search(r"infructueuses : réessayez dans (\d+) s", refused.text)
    assert seconds and 1 <= int(seconds.group(1)) <= wait
    stranger = sign_in(requests.Session(), a.url, b.url, user.email, PASSWORD, "192.0.2.41")
    assert stranger.status_code == 429

    # The owner's browser, trusted by node A, is trusted by node B: it signs in all the same.
    assert sign_in(owner, b.url, b.url, user.email, PASSWORD, "192.0.2.20").status_code == 302
    assert owner.get(f"{a.url}/api/v1/me", timeout=30).json()["email"] == user.email


@pytest.mark.parametrize("by", ["location", "footprint"])
def test_of_sixteen_clashing_bookings_split_across_nodes_one_wins(
    nodes, by, make_user, create_production, create_location
):
    coordinator = make_user("coordinator")
    production = create_production(coordinators=[coordinator])
    location = create_location(*NAMUR, name="Gare de Namur")
    headers = {"Authorization": f"Bearer {create_token(db.session, coordinator)}"}
    db.session.commit()
    bodies = []
    for number in range(RACERS):
        body = {
            "production_id": production.id,
            "starts_at": "2027-06-14T07:00",
            "ends_at": "2027-06-14T17:00",
            # all different footprints, each intersecting all the others
            "footprint": circle(*offset(*NAMUR, number * 3), 30),
        }
        if by == "location":
            body["location_id"] = location.id
            body["footprint"] = circle(*offset(*NAMUR, number * 500), 10)  # disjoint
        bodies.append(body)

    barrier = threading.Barrier(RACERS, timeout=60)  # never hang the suite
    statuses: list[int] = []

    def book(number: int) -> None:
        node = nodes[number % 2]
        barrier.wait()
        response = requests.post(
            f"{node.url}/api/v1/shoots", json=bodies[number], headers=headers, timeout=60
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=book, args=(number,)) for number in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(statuses) == [201] + [409] * (RACERS - 1)
    assert db.session.scalar(select(func.count()).select_from(Shoot)) == 1


def test_a_photo_uploaded_through_one_node_is_served_by_the_other(
    nodes, uploads, make_user, create_location
):
    scout = make_user("scout")
    location = create_location(name="Abbaye d'Aulne")
    headers = {"Authorization": f"Bearer {create_token(db.session, scout)}"}
    db.session.commit()
    a, b = nodes
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(picture, "PNG")
    uploaded = requests.post(
        f"{a.url}/api/v1/locations/{location.id}/photos",
        files={"file": ("aulne.png", picture.getvalue(), "image/png")},
        headers=headers,
        timeout=60,
    )
    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()
    assert any((uploads / "locations" / str(location.id)).iterdir())  # in the shared folder
    for variant, size in (("full", (640, 480)), ("thumb", (480, 360))):
        served = requests.get(f"{b.url}{photo[variant]}", headers=headers, timeout=30)
        assert served.status_code == 200
        assert Image.open(io.BytesIO(served.content)).size == size
        assert served.content == requests.get(f"{a.url}{photo[variant]}", timeout=30).content

    listed = requests.get(f"{b.url}/api/v1/locations/{location.id}/photos", timeout=30)
    assert [p["id"] for p in listed.json()["photos"]] == [photo["id"]]
    deleted = requests.delete(
        f"{b.url}/api/v1/locations/{location.id}/photos/{photo['id']}", headers=headers, timeout=30
    )
    assert deleted.status_code == 204
    assert requests.get(f"{a.url}{photo['full']}", timeout=30).status_code == 404
    assert not any((uploads / "locations" / str(location.id)).iterdir())


def test_a_token_revoked_through_one_node_is_refused_by_the_other_at_once(nodes, make_user):
    """Tokens are looked up in the database on every request (core.auth.operations
    .user_for_token), never cached in a node: a revocation holds everywhere from its commit."""
    coordinator = make_user("coordinator")
    token = create_token(db.session, coordinator, label="laptop")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    a, b = nodes
    for node in nodes:  # both nodes know the token (and would have it in a cache, if any)
        assert requests.get(f"{node.url}/api/v1/me", headers=headers, timeout=30).ok
    listed = requests.get(f"{a.url}/api/v1/tokens", headers=headers, timeout=30).json()
    (token_id,) = [t["id"] for t in listed["tokens"] if t["label"] == "laptop"]
    revoked = requests.delete(f"{a.url}/api/v1/tokens/{token_id}", headers=headers, timeout=30)
    assert revoked.status_code == 204
    for node in (b, a):
        refused = requests.get(f"{node.url}/api/v1/me", headers=headers, timeout=30)
        assert refused.status_code == 401


def attempts_in_turn(nodes: list[Node], count: int, address: str) -> list[int]:
    """The statuses of COUNT failed log-ins from ADDRESS, on each node in turn."""
    browser = requests.Session()
    return [
        sign_in(browser, node.url, node.url, f"nobody{n}@example.be", "x", address).status_code
        for n in range(count)
        for node in [nodes[n % len(nodes)]]
    ]


def test_without_a_shared_store_each_node_counts_alone(_app, uploads, tmp_path):
    """Why the nodes share Redis: with memory:// (the default) two nodes let through twice the
    limit."""
    settings = node_settings(_app.config["DATABASE_URL"], "memory://", uploads)
    with gunicorn_nodes([settings, settings], tmp_path, workers=1) as pair:
        statuses = attempts_in_turn(pair, 2 * LOGIN_LIMIT + 1, "192.0.2.50")
    assert statuses == [401] * (2 * LOGIN_LIMIT) + [429]


def test_an_unreachable_store_leaves_log_in_working_counted_per_process(_app, uploads, tmp_path):
    """Redis down: each process counts on its own (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) rather
    than every log-in failing with a 500."""
    gone = f"redis+unix://{tmp_path / 'no-redis-here.sock'}"
    settings = node_settings(_app.config["DATABASE_URL"], gone, uploads)
    with gunicorn_nodes([settings], tmp_path, workers=1) as (node,):
        statuses = attempts_in_turn([node], LOGIN_LIMIT + 1, "192.0.2.60")
    assert statuses == [401] * LOGIN_LIMIT + [429]


# ---- nginx in front (deploy/nginx.conf.example) ------------------------------------------------

NGINX = "/usr/sbin/nginx"
EXAMPLE = PROJECT_ROOT / "deploy" / "nginx.conf.example"


@dataclass(frozen=True)
class Proxy:
    https: str  # https://127.0.0.1:PORT
    http: str
    certificate: Path  # self-signed, for 127.0.0.1

    def browser(self) -> requests.Session:
        """A client that trusts the proxy's certificate (and not the environment's CA bundle,
        which requests would otherwise prefer)."""
        browser = requests.Session()
        browser.trust_env = False
        browser.verify = str(self.certificate)
        return browser


def site_config(nodes: list[Node], http_port: int, https_port: int, folder: Path) -> str:
    """The example with the test's nodes, ports, certificate and code folder in place of the
    production ones; each swap must find its text, so the example cannot drift from the test."""
    a, b = (node.url.removeprefix("http://") for node in nodes)
    swaps = [
        ("server 10.0.0.11:8000 ", f"server {a} ", 1),
        ("server 10.0.0.12:8000 ", f"server {b} ", 1),
        ("listen 80;", f"listen 127.0.0.1:{http_port};", 1),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", 1),
        ("/etc/letsencrypt/live/tournages.example.be/fullchain.pem", f"{folder}/cert.pem", 1),
        ("/etc/letsencrypt/live/tournages.example.be/privkey.pem", f"{folder}/key.pem", 1),
        ("/srv/tournages/", f"{PROJECT_ROOT}/", 2),
    ]
    text = EXAMPLE.read_text()
    for old, new, count in swaps:
        assert text.count(old) == count, f"{old!r} is no longer in {EXAMPLE.name}"
        text = text.replace(old, new)
    return text


def main_config(folder: Path) -> str:
    """What /etc/nginx/nginx.conf gives the example, with every path inside FOLDER."""
    temp_paths = "".join(
        f"    {kind}_temp_path {folder}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root the workers would run as nobody, who may not read a clone under /root.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\n"
        "events { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        f"    access_log {folder}/access.log;\n{temp_paths}"
        f"    include {folder}/tournages.conf;\n}}\n"
    )


def run_checked(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def proxy(nodes, tmp_path_factory) -> Iterator[Proxy]:
    """nginx with the example site in front of nodes A and B, on free ports, with TLS."""
    folder = tmp_path_factory.mktemp("nginx")
    run_checked(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=tournages.example.be",
        "-addext", "subjectAltName=DNS:tournages.example.be,IP:127.0.0.1",
        "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
    )  # fmt: skip
    http_port, https_port = free_port(), free_port()
    (folder / "tournages.conf").write_text(site_config(nodes, http_port, https_port, folder))
    (folder / "nginx.conf").write_text(main_config(folder))
    options = [
        "-p",
        f"{folder}/",
        "-c",
        str(folder / "nginx.conf"),
        "-e",
        str(folder / "error.log"),
    ]
    assert "test is successful" in run_checked(NGINX, "-t", *options)
    server = subprocess.Popen([NGINX, *options, "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (
                    folder / "error.log"
                ).read_text()
                time.sleep(0.05)
        yield Proxy(
            https=f"https://127.0.0.1:{https_port}",
            http=f"http://127.0.0.1:{http_port}",
            certificate=folder / "cert.pem",
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def served_by(nodes: list[Node], request_ids: list[str]) -> list[int]:
    """How many of REQUEST_IDS each node's access log names, once all are logged (a worker writes
    its line after the response has gone out) or after a few seconds."""
    deadline = time.monotonic() + 10
    while True:
        logs = [node.log.read_text() for node in nodes]
        counts = [sum(f"[{each}]" in log for each in request_ids) for log in logs]
        if sum(counts) >= len(request_ids) or time.monotonic() > deadline:
            return counts
        time.sleep(0.1)


def test_nginx_balances_the_nodes_over_https(nodes, proxy):
    browser = proxy.browser()
    plain = requests.get(f"{proxy.http}/login", allow_redirects=False, timeout=30)
    assert plain.status_code == 301 and plain.headers["Location"] == "https://127.0.0.1/login"

    responses = [browser.get(f"{proxy.https}/healthz", timeout=30) for _ in range(10)]
    assert all(r.status_code == 200 for r in responses)
    assert all(r.headers["Strict-Transport-Security"].startswith("max-age=") for r in responses)
    request_ids = [r.headers["X-Request-ID"] for r in responses]  # made by nginx
    served = served_by(nodes, request_ids)
    assert sum(served) == 10 and all(served), served  # each request on one node, both used

    links = browser.get(f"{proxy.https}/ogc?f=json", timeout=30).json()["links"]
    assert links[0]["href"].startswith(f"{proxy.https}/ogc")  # the address the client used


def test_nginx_serves_the_static_files_itself(nodes, proxy):
    for path, source in (
        ("/static/css/tournages.css", PROJECT_ROOT / "core/static/css/tournages.css"),
        ("/maps/static/tournages-maps.js", PROJECT_ROOT / "core/mapping/static/tournages-maps.js"),
    ):
        served = proxy.browser().get(f"{proxy.https}{path}", timeout=30)
        assert served.status_code == 200 and served.content == source.read_bytes()
        assert served.headers["Cache-Control"] == "max-age=604800"
        assert all(f"GET {path}" not in node.log.read_text() for node in nodes)


def test_behind_nginx_a_forged_client_address_does_not_dodge_the_log_in_limit(proxy):
    browser = proxy.browser()
    statuses = []
    for number in range(LOGIN_LIMIT + 1):  # each claiming another address, for another account
        forged = f"203.0.113.{number}"
        email = f"who{number}@example.be"
        response = sign_in(browser, proxy.https, proxy.https, email, "x", forged)
        statuses.append(response.status_code)
    assert statuses == [401] * LOGIN_LIMIT + [429]  # all counted against nginx's view: 127.0.0.1
