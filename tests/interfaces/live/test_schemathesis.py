"""schemathesis generates requests from the OpenAPI descriptions against a live server: no
server error, and every response matches the description."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from core.auth.operations import create_token
from core.db import db

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


# Revoking tokens would revoke the very token the run authenticates with (then every later
# request is a 401): tests/test_accounts.py covers it.
EXCLUDED = ("auth_api.delete_token.delete",)


def operations(url: str) -> int:
    """Operations of the description, but the one serving it (schemathesis leaves it out) and
    the excluded ones."""
    with urllib.request.urlopen(url) as response:
        paths = json.load(response)["paths"]
    own = urllib.parse.urlsplit(url).path
    return sum(
        1
        for path, methods in paths.items()
        if path != own
        for operation in methods.values()
        if operation.get("operationId") not in EXCLUDED
    )


def schemathesis(url: str, *options: str) -> str:
    """Run schemathesis on the description at URL; its report, once it has passed."""
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            url,
            "--checks",
            CHECKS,
            "--max-examples",
            "30",
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "7",
            "--generation-database",
            "none",
            "--request-timeout",
            "20",
            "--no-color",
            *(option for name in EXCLUDED for option in ("--exclude-operation-id", name)),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=900,  # a loaded 2-core machine (CI) takes several times the quiet 2 minutes
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    # Every operation of the description was exercised.
    assert f"Tested: {operations(url)}" in run.stdout, run.stdout[-3000:]
    return run.stdout


def test_schemathesis_finds_no_error_in_the_json_api(live_server, make_user, create_location):
    admin = make_user("admin")
    create_location()
    token = create_token(db.session, admin)
    db.session.commit()
    report = schemathesis(
        f"{live_server}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}"
    )
    assert "401 Unauthorized" not in report  # the token let it past the access checks


def test_schemathesis_finds_no_error_in_the_ogc_api(live_server, create_location, create_shoot):
    create_location()
    create_shoot()
    db.session.commit()
    schemathesis(f"{live_server}/ogc/api?f=json")
