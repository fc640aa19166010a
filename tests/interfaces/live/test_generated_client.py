"""A Python client generated from /api/v1/openapi.json (openapi-python-client) does a
coordinator's, a scout's and an officer's journey against a live server: what an integrator's
generated code would do.
A response the description gets wrong fails the client's own parsing."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from core.auth.operations import create_token
from core.db import db
from permits.operations import attach_insurance, create_requests
from permits.workflow import apply_transition
from tests.permits.conftest import pdf_bytes
from tests.shoots.conftest import NAMUR, circle

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# The generator parses JSON bodies only: our GeoJSON is JSON, the documents are bytes.
CONFIG = """\
post_hooks: []
content_type_overrides:
  application/geo+json: application/json
  application/pdf: application/octet-stream
  text/calendar: text/plain
  text/csv: text/plain
"""


def generated_client(base_url: str, folder: Path):
    """The package openapi-python-client writes from the live description, imported."""
    with urllib.request.urlopen(f"{base_url}/api/v1/openapi.json") as response:
        (folder / "openapi.json").write_text(json.dumps(json.load(response)))
    (folder / "config.yaml").write_text(CONFIG)
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(folder / "openapi.json"),
            "--config",
            str(folder / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder / "tournages_client"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Unable to" not in run.stdout, run.stdout  # every schema became a model
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module("tournages_client")
    finally:
        sys.path.remove(str(folder))


def test_a_generated_client_plans_a_shoot(live_server, make_user, create_location, tmp_path):
    coordinator = make_user("coordinator")
    location = create_location(*NAMUR)
    token = create_token(db.session, coordinator)
    db.session.commit()
    package = generated_client(live_server, tmp_path)
    models = importlib.import_module("tournages_client.models")
    client = package.AuthenticatedClient(base_url=live_server, token=token)

    modules = {
        name: importlib.import_module(f"tournages_client.api.shoots_api.shoots_api_{name}")
        for name in (
            "create_production_post",
            "create_shoot_post",
            "check_conflicts_post",
            "list_shoots_get",
        )
    }
    production = modules["create_production_post"].sync(
        client=client,
        body=models.ProductionIn.from_dict(
            {"title": "Le Dernier Train", "type": "feature", "company": "Films du Fleuve"}
        ),
    )
    assert isinstance(production, models.ProductionOut), production
    assert production.coordinators == [coordinator.email]

    footprint = circle(*NAMUR, 30)
    shoot = modules["create_shoot_post"].sync(
        client=client,
        body=models.ShootIn.from_dict(
            {
                "production_id": production.id,
                "location_id": location.id,
                "footprint": footprint,
                "starts_at": "2027-06-14T07:00",
                "ends_at": "2027-06-14T17:00",
            }
        ),
    )
    assert isinstance(shoot, models.ShootOut), shoot
    assert shoot.conflicts == [] and shoot.starts_at.isoformat() == "2027-06-14T07:00:00+02:00"

    # The same place, overlapping: the dry run says it would clash, and stores nothing.
    check = modules["check_conflicts_post"].sync(
        client=client,
        body=models.CheckIn.from_dict(
            {
                "production_id": production.id,
                "footprint": footprint,
                "starts_at": "2027-06-14T12:00",
                "ends_at": "2027-06-14T20:00",
            }
        ),
    )
    assert isinstance(check, models.CheckResult), check
    assert check.ok is False and len(check.conflicts) == 1
    assert check.conflicts[0].other["id"] == shoot.id

    page = modules["list_shoots_get"].sync(client=client, from_="2027-06-01T00:00", limit=10)
    assert isinstance(page, models.ShootPage), page
    assert (page.number_matched, page.number_returned) == (1, 1)
    (feature,) = page.features
    assert feature.id == shoot.id and feature.geometry.type_ == "MultiPolygon"
    assert feature.properties.production == "Le Dernier Train"


def api(module: str):
    """The generated module of an operation: api(\"locations_api.search_locations_get\")."""
    tag, name = module.split(".")
    return importlib.import_module(f"tournages_client.api.{tag}.{tag}_{name}")


def test_a_generated_client_adds_a_location_and_finds_it_by_place(live_server, make_user, tmp_path):
    """The scout's journey: a location added (a draft until an administrator publishes it),
    then found among the drafts near a place named in words."""
    scout = make_user("scout")
    token = create_token(db.session, scout)
    db.session.commit()
    package = generated_client(live_server, tmp_path)
    models = importlib.import_module("tournages_client.models")
    client = package.AuthenticatedClient(base_url=live_server, token=token)

    added = api("locations_api.create_location_post").sync(
        client=client,
        body=models.LocationFeatureIn.from_dict(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [NAMUR[0], NAMUR[1]]},
                "properties": {"name": "Citadelle de Namur"},  # a draft: admins publish
            }
        ),
    )
    assert isinstance(added, models.LocationFeature), added
    assert (added.properties.commune.name, added.properties.commune.nis) == ("Namur", "92094")
    assert added.properties.created_by == scout.email  # documented, so a model field
    assert added.properties.additional_properties == {}
    search = api("locations_api.search_locations_get")
    found = search.sync(
        client=client,
        near="Namur",
        radius_m=5000.0,
        status=search.LocationsApiSearchLocationsGetStatus.DRAFT,
    )
    assert isinstance(found, models.LocationPage), found
    assert [feature.id for feature in found.features] == [added.id]


def test_a_generated_client_takes_a_request_into_review_and_approves_it(
    live_server, make_user, create_shoot, tmp_path
):
    """The officer's journey: the commune's inbox, a request reviewed and approved."""
    coordinator, officer = make_user("coordinator"), make_user("officer")
    shoot = create_shoot(*NAMUR)
    shoot.production.coordinators.append(coordinator)
    (request,) = create_requests(db.session, shoot.production, [shoot.id], coordinator)
    attach_insurance(db.session, request, "assurance.pdf", pdf_bytes())
    apply_transition(db.session, request.id, "submit", coordinator)
    token = create_token(db.session, officer)
    db.session.commit()
    package = generated_client(live_server, tmp_path)
    models = importlib.import_module("tournages_client.models")
    client = package.AuthenticatedClient(base_url=live_server, token=token)

    inbox = api("permits_api.list_permits_get").sync(client=client)
    assert isinstance(inbox, models.PermitList), inbox
    assert [(p.id, p.status.value) for p in inbox.permits] == [(request.id, "submitted")]
    move = api("permits_api.transition_post")
    for action in ("take_into_review", "approve"):
        permit = move.sync(
            request.id, client=client, body=models.TransitionBody.from_dict({"action": action})
        )
        assert isinstance(permit, models.PermitDetail), permit
    assert permit.status.value == "approved"
    refused = move.sync(
        request.id, client=client, body=models.TransitionBody.from_dict({"action": "approve"})
    )
    assert isinstance(refused, models.Error), refused  # decided: no second approval
