"""schemathesis generates requests from the OpenAPI descriptions against a live server: no
server error, and every response matches the description."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.auth.operations import create_token
from core.db import db

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


def schemathesis(url: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
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
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_schemathesis_finds_no_error_in_the_json_api(live_server, make_user, create_location):
    admin = make_user("admin")
    create_location()
    token = create_token(db.session, admin)
    db.session.commit()
    run = schemathesis(f"{live_server}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}")
    assert run.returncode == 0, run.stdout[-6000:]
    assert "0 passed" not in run.stdout and "Tested: 5" in run.stdout


def test_schemathesis_finds_no_error_in_the_ogc_api(live_server, create_location, create_shoot):
    create_location()
    create_shoot()
    db.session.commit()
    run = schemathesis(f"{live_server}/ogc/api?f=json")
    assert run.returncode == 0, run.stdout[-6000:]
    assert "Tested: 6" in run.stdout
