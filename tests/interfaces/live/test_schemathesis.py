"""schemathesis generates requests from the OpenAPI descriptions against a live server, valid
and invalid ones (`--mode all`), and runs every check: no server error; statuses, content
types, headers and bodies as described; invalid input refused; valid input accepted; the
declared security enforced. With each role's token, on a scene made through the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from core.db import db
from tests.interfaces import api_scene

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
ROOT = Path(__file__).resolve().parents[3]
HOOKS = {"SCHEMATHESIS_HOOKS": "tests.interfaces.live.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
CHECKS = "all"

# Valid by the schema, refused by a rule no JSON Schema can state: a 400 naming the field is
# the right answer there (schemathesis accepts 2xx, 401, 403, 404, 409 for valid input).
CROSS_FIELD_RULES = {
    "GET /api/v1/conflicts": "to before from",
    "GET /api/v1/shoots": "to before from; a bbox's minimum above its maximum",
    "GET /api/v1/permits": "to before from",
    "GET /api/v1/locations": "radius_m needs near; available_from before available_to; a "
    "commune, province or place named by nothing; a bbox's minimum above its maximum",
    "GET /api/v1/locations/export": "as GET /api/v1/locations",
    "GET /api/v1/locations/map-points": "as GET /api/v1/locations",
    "POST /api/v1/locations": "a point or outline outside Wallonia, an outline not a polygon",
    "PATCH /api/v1/locations/{location_id}": "as POST /api/v1/locations",
    "POST /api/v1/locations/import": "the file's rows (GeoJSON or CSV) and CRS",
    "POST /api/v1/locations/{location_id}/photos": "the bytes must be an image",
    "POST /api/v1/permits/{request_id}/insurance": "the bytes must be a PDF",
    "POST /api/v1/permits/{request_id}/documents": "the bytes must be a PDF or an image; "
    "valid_until not before valid_from",
    "PUT /api/v1/permits/communes/{nis}/services/{kind}": "a name that is not blank; an e-mail "
    "address that is one",
    "PUT /api/v1/permits/communes/{nis}/conditions/{condition}": "texts that are not blank",
    "PUT /api/v1/permits/{request_id}/notice-delivery": "a moment that exists (ISO 8601 or "
    "Brussels wall-clock time), not in the future; a method that is not blank",
    "POST /api/v1/productions": "coordinators are coordinators' e-mails; a unique file reference",
    "PATCH /api/v1/productions/{production_id}": "as POST /api/v1/productions",
    "POST /api/v1/shoots": "a footprint in Wallonia, valid; ends after it starts, at most 90 "
    "days; a known location and production; a footprint when no location",
    "PATCH /api/v1/shoots/{shoot_id}": "as POST /api/v1/shoots; a reason once a commune has it",
    "POST /api/v1/conflicts/check": "as POST /api/v1/shoots",
    "POST /api/v1/shoot-series": "as POST /api/v1/shoots; the repeated days after the first, "
    "within the limit and the dates we hold",
    "POST /api/v1/shoot-series/check": "as POST /api/v1/shoot-series",
    "POST /api/v1/shoots/{shoot_id}/copies": "the repeated days after the shoot's",
    "PATCH /api/v1/shoot-series/{series_id}": "as PATCH /api/v1/shoots; hours, not dates",
    "POST /api/v1/shoots/{shoot_id}/overrides": "a warning the shoot has now",
    "POST /api/v1/blackouts": "a known commune; ends after it starts; an area in the commune; "
    "weekday, daily_start and daily_end together",
    "PUT /api/v1/blackouts/{blackout_id}": "as POST /api/v1/blackouts",
    "POST /api/v1/permits": "shoots of that production",
    "POST /api/v1/introductions": "two different productions",
    "POST /api/v1/permits/{request_id}/transitions": "a comment for the moves that need one "
    "(workflow.TRANSITIONS: refuse, ask for changes, ...)",
    "POST /api/v1/amendments/{amendment_id}/transitions": "as the request's transitions",
    "POST /api/v1/calendars/feeds": "a target of the scope's kind (an id, a NIS code)",
    "GET /api/v1/calendars/{scope}/{target}.ics": "as POST /api/v1/calendars/feeds",
    # The generic items path and each collection's own (/ogc/collections/shoots/items, ...).
    r"^GET /ogc/collections/[^/]+/items$": "a datetime on a day that exists (no 30 "
    "February), an interval ending after it starts; a bbox's minimum above its maximum",
}


def selector(name: str) -> str:
    """The schemathesis.toml filter for an operation's name, or for names matching a regex
    (written ^...$; a TOML literal string, so its backslashes stay)."""
    if name.startswith("^"):
        return f"include-name-regex = '{name}'"
    return f'include-name = "{name}"'


def config_file(folder: Path) -> Path:
    """A schemathesis.toml letting CROSS_FIELD_RULES' operations answer 400 to valid input."""
    statuses = '["2xx", "400", "401", "403", "404", "409"]'
    blocks = [
        f"[[operations]]\n# {why}\n{selector(name)}\n"
        f"checks.positive_data_acceptance.expected-statuses = {statuses}\n"
        for name, why in CROSS_FIELD_RULES.items()
    ]
    path = folder / "schemathesis.toml"
    path.write_text("\n".join(blocks))
    return path


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


def schemathesis(url: str, *options: str, examples: int = 30, config: Path | None = None) -> str:
    """Run schemathesis on the description at URL; its report, once it has passed."""
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            *(("--config-file", str(config)) if config else ()),
            "run",
            url,
            "--checks",
            CHECKS,
            "--mode",
            "all",
            "--generation-allow-x00",
            "false",  # NUL is refused by every operation (PostgreSQL text cannot hold it)
            "--max-examples",
            str(examples),
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
        env={**os.environ, **HOOKS},
        cwd=ROOT,
        timeout=900,  # a loaded 2-core machine (CI) takes several times the quiet 2 minutes
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    # Every operation of the description was exercised.
    assert f"Tested: {operations(url)}" in run.stdout, run.stdout[-3000:]
    return run.stdout


@pytest.fixture
def scene(app, make_user, token_for, tmp_path) -> dict[str, str]:
    """The API's scene (tests/interfaces/api_scene.py), committed; a token of each role."""
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    users = {role: make_user(role) for role in api_scene.ROLES}
    db.session.commit()
    headers = {role: token_for(user) for role, user in users.items()}
    db.session.commit()
    client = app.test_client()
    api_scene.build(
        lambda method, path, role, **kw: client.open(
            path, method=method, headers=headers[role], **kw
        )
    )
    return {role: headers[role]["Authorization"] for role in api_scene.ROLES}


@pytest.mark.parametrize(
    ("role", "examples"), [("admin", 25), ("coordinator", 8), ("officer", 8), ("scout", 8)]
)
def test_schemathesis_finds_no_error_in_the_json_api(live_server, scene, tmp_path, role, examples):
    report = schemathesis(
        f"{live_server}/api/v1/openapi.json",
        "-H",
        f"Authorization: {scene[role]}",
        examples=examples,
        config=config_file(tmp_path),
    )
    if role == "admin":
        assert "401 Unauthorized" not in report  # the token let it past the access checks


def test_schemathesis_finds_no_error_in_the_ogc_api(
    live_server, create_location, create_shoot, tmp_path
):
    create_location()
    create_shoot()
    db.session.commit()
    schemathesis(f"{live_server}/ogc/api?f=json", config=config_file(tmp_path))
