"""The public shoots: the page /permits/public, the map /maps/public and the OGC `shoots`
collection list the same shoots with the same fields (permits.public owns both)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from core.db import db
from permits.models import PermitStatus
from permits.operations import create_requests
from permits.public import PUBLIC_SHOOT_FIELDS
from permits.workflow import apply_transition
from shoots.models import ProductionStatus, ShootStatus
from tests.conftest import BRUSSELS
from tests.permits.conftest import BORDER, CITADEL, NAMUR, PROFONDEVILLE, pdf_bytes

JUNE = datetime(2027, 6, 14, 7, 0, tzinfo=BRUSSELS)


# ---- the three outputs, read back --------------------------------------------------------------


class _PublicRows(HTMLParser):
    """The rows of /permits/public: shoot id -> production, times, place and communes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, dict] = {}
        self._row: dict | None = None
        self._into: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        css = attributes.get("class") or ""
        if tag == "tr" and "data-shoot-id" in attributes:
            self._row = {"times": [], "production": "", "place": "", "communes": ""}
            self.rows[int(attributes["data-shoot-id"])] = self._row
        elif self._row is not None and tag == "time":
            self._row["times"].append(attributes["datetime"])
        elif self._row is not None and css in ("production", "place", "communes"):
            self._into = css

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        if tag in ("td", "span"):
            self._into = None

    def handle_data(self, data):
        if self._row is not None and self._into:
            self._row[self._into] += data


def page_rows(client) -> dict[int, dict]:
    parser = _PublicRows()
    parser.feed(client.get("/permits/public").get_data(as_text=True))
    return parser.rows


def map_layers(client) -> tuple[dict[int, dict], dict[int, dict]]:
    """The public map's footprints (id -> properties) and parking zones (id -> geometry)."""
    html = client.get("/maps/public").get_data(as_text=True)
    found = re.findall(r"TournagesMaps\.polygons\(\s*(.*?), (\{.*?\})\);", html, re.S)
    footprints, *parking = [json.loads(data)["features"] for data, _options in found]
    return (
        {f["id"]: f["properties"] for f in footprints},
        {f["id"]: f["geometry"] for layer in parking for f in layer},
    )


def ogc_features(client) -> dict[int, dict]:
    body = client.get("/ogc/collections/shoots/items?limit=100").get_json()
    return {f["id"]: f for f in body["features"]}


def public_everywhere(client) -> set[int]:
    """The ids of the public shoots, asserting the three outputs agree on them."""
    page, (footprints, _parking), ogc = page_rows(client), map_layers(client), ogc_features(client)
    assert set(page) == set(footprints) == set(ogc)
    return set(ogc)


# ---- the scenario ------------------------------------------------------------------------------


def decide(permit, coordinator, officer, action="approve", comment=""):
    apply_transition(db.session, permit.id, "submit", coordinator)
    apply_transition(db.session, permit.id, "take_into_review", officer)
    apply_transition(db.session, permit.id, action, officer, comment)


@pytest.fixture
def requested(app, make_user, create_production):
    """Factory: a new production's draft requests of its shoots, insurance attached."""

    def make(*shoots):
        production = shoots[0].production
        coordinator = production.coordinators[0]
        permits = create_requests(db.session, production, [s.id for s in shoots], coordinator)
        for permit in permits:
            permit.insurance_filename, permit.insurance_pdf = "insurance.pdf", pdf_bytes()
        return sorted(permits, key=lambda p: p.commune_nis != NAMUR)

    return make


@pytest.fixture
def scenario(app, make_user, create_production, create_shoot, create_location, requested):
    """Shoots of every kind: what the public must and must not see."""
    coordinator = make_user("coordinator")
    namur_officer = make_user("officer", commune=NAMUR)
    profondeville_officer = make_user("officer", commune=PROFONDEVILLE)

    def shoot(title, listed=True, *, at=CITADEL, **columns):
        production = create_production(title=title, listed=listed, coordinators=[coordinator])
        return create_shoot(*at, production=production, start=JUNE, **columns)

    station = create_location(*CITADEL, name="Gare de Namur", address="Place de la Station 1")
    approved = shoot("Approuvé", location=station, road_closure=True)
    conditions = shoot("Sous conditions", night_shoot=True, parking_suspension=True)
    rejected = shoot("Refusé")
    cancelled = shoot("Annulé")
    confidential = shoot("Titre confidentiel", listed=False)
    straddling = shoot("À cheval", at=BORDER, radius_m=40)

    (permit,) = requested(approved)
    decide(permit, coordinator, namur_officer)
    (permit,) = requested(conditions)
    decide(permit, coordinator, namur_officer, "approve_with_conditions", "Pas après 22 h")
    (permit,) = requested(rejected)
    decide(permit, coordinator, namur_officer, "reject", "Marché")
    (permit,) = requested(cancelled)
    decide(permit, coordinator, namur_officer)
    cancelled.production.status = ProductionStatus.CANCELLED
    (permit,) = requested(confidential)
    decide(permit, coordinator, namur_officer)
    in_namur, in_profondeville = requested(straddling)
    decide(in_namur, coordinator, namur_officer)
    apply_transition(db.session, in_profondeville.id, "submit", coordinator)
    apply_transition(db.session, in_profondeville.id, "take_into_review", profondeville_officer)
    apply_transition(db.session, in_profondeville.id, "withdraw", coordinator)
    return {
        "public": {approved, conditions, confidential},
        "hidden": {rejected, cancelled, straddling},
        "station": station,
    }


# ---- the tests ---------------------------------------------------------------------------------


def test_page_map_and_ogc_list_the_same_shoots_with_the_same_fields(client, scenario):
    public = {shoot.id for shoot in scenario["public"]}
    assert public_everywhere(client) == public
    page, (footprints, parking), ogc = page_rows(client), map_layers(client), ogc_features(client)
    for shoot_id, feature in ogc.items():
        fields = feature["properties"]
        assert set(fields) == set(PUBLIC_SHOOT_FIELDS)
        # The map carries the same values, and draws the parking zone as its own layer.
        shown = footprints[shoot_id]
        assert {name: shown[name] for name in PUBLIC_SHOOT_FIELDS if name != "parking"} == {
            name: fields[name] for name in PUBLIC_SHOOT_FIELDS if name != "parking"
        }
        assert parking.get(shoot_id) == fields["parking"]
        # The page shows them in words.
        row = page[shoot_id]
        assert row["times"] == [fields["start"], fields["end"]]
        assert row["production"] == (fields["production"] or "Une production (titre non publié)")
        assert row["place"] == (fields["place"] or "")
        assert row["communes"] == ", ".join(fields["communes"])
    approved = next(s for s in scenario["public"] if s.location is not None)
    assert ogc[approved.id]["properties"] | {"parking": None} == {
        "production": "Approuvé",
        "production_type": "feature",
        "start": "2027-06-14T07:00:00+02:00",
        "end": "2027-06-14T17:00:00+02:00",
        "place": "Place de la Station 1",
        "communes": ["Namur"],
        "road_closure": True,
        "parking_suspension": False,
        "night_shoot": False,
        "parking": None,
    }


def test_the_public_never_reads_a_confidential_title_or_a_hidden_shoot(client, scenario):
    outputs = [
        client.get(path).get_data(as_text=True)
        for path in ("/permits/public", "/maps/public", "/ogc/collections/shoots/items?limit=100")
    ]
    for text in outputs:
        assert "Titre confidentiel" not in text
        for title in ("Refusé", "Annulé", "À cheval"):
            assert title not in text and json.dumps(title)[1:-1] not in text
    confidential = next(s for s in scenario["public"] if not s.production.listed)
    assert ogc_features(client)[confidential.id]["properties"]["production"] is None


def test_a_straddling_shoot_is_public_only_while_both_communes_say_yes(
    client, make_user, create_production, create_shoot, requested
):
    coordinator = make_user("coordinator")
    namur_officer = make_user("officer", commune=NAMUR)
    profondeville_officer = make_user("officer", commune=PROFONDEVILLE)
    production = create_production(title="À cheval", listed=True, coordinators=[coordinator])
    shoot = create_shoot(*BORDER, radius_m=40, production=production, start=JUNE)
    in_namur, in_profondeville = requested(shoot)
    assert (in_namur.commune_nis, in_profondeville.commune_nis) == (NAMUR, PROFONDEVILLE)
    decide(in_namur, coordinator, namur_officer)
    assert public_everywhere(client) == set()  # Profondeville has not decided
    apply_transition(db.session, in_profondeville.id, "submit", coordinator)
    apply_transition(db.session, in_profondeville.id, "withdraw", coordinator)
    assert public_everywhere(client) == set()  # Namur's yes covers Namur's ground only
    assert in_namur.status is PermitStatus.APPROVED

    # Asked again from scratch (the old selection withdrawn), both communes approve.
    apply_transition(db.session, in_namur.id, "withdraw", coordinator)
    again_namur, again_profondeville = requested(shoot)
    decide(again_namur, coordinator, namur_officer)
    assert public_everywhere(client) == set()
    decide(again_profondeville, coordinator, profondeville_officer)
    assert public_everywhere(client) == {shoot.id}
    assert ogc_features(client)[shoot.id]["properties"]["communes"] == ["Namur", "Profondeville"]


def test_a_rejected_sibling_keeps_the_shoot_unannounced(
    client, make_user, create_production, create_shoot, requested
):
    coordinator = make_user("coordinator")
    production = create_production(listed=True, coordinators=[coordinator])
    shoot = create_shoot(*BORDER, radius_m=40, production=production, start=JUNE)
    in_namur, in_profondeville = requested(shoot)
    decide(in_namur, coordinator, make_user("officer", commune=NAMUR))
    decide(in_profondeville, coordinator, make_user("officer", commune=PROFONDEVILLE), "reject",
           "Travaux")  # fmt: skip
    assert public_everywhere(client) == set()


@pytest.mark.parametrize("how", ["the production", "the shoot"])
def test_cancelled_shoots_leave_every_public_output(
    client, make_user, create_production, create_shoot, requested, how
):
    coordinator = make_user("coordinator")
    production = create_production(listed=True, coordinators=[coordinator])
    shoot = create_shoot(*CITADEL, production=production, start=JUNE)
    (permit,) = requested(shoot)
    decide(permit, coordinator, make_user("officer", commune=NAMUR))
    assert public_everywhere(client) == {shoot.id}
    if how == "the production":
        # Only the production's status changes here: Shoot.is_live reads it.
        production.status = ProductionStatus.CANCELLED
    else:
        shoot.status = ShootStatus.CANCELLED
    assert public_everywhere(client) == set()


def test_the_public_sees_the_approved_version_until_an_amendment_is_approved(
    client, token_for, make_user, create_production, create_shoot, requested
):
    """A decision is a record: while the communes weigh a change, and after they refused it,
    every public output still announces the shoot as approved, with the approved times; an
    approved amendment's times become the public ones, everywhere at once."""
    coordinator = make_user("coordinator")
    officer = make_user("officer", commune=NAMUR)
    production = create_production(title="Amendée", coordinators=[coordinator])
    shoot = create_shoot(*CITADEL, production=production, start=JUNE, hours=10)
    (permit,) = requested(shoot)
    decide(permit, coordinator, officer)
    approved_end = "2027-06-14T17:00:00+02:00"

    def public_end() -> str:
        assert public_everywhere(client) == {shoot.id}
        (row,) = page_rows(client).values()
        (footprint,) = map_layers(client)[0].values()
        (feature,) = ogc_features(client).values()
        ends = {row["times"][1], footprint["end"], feature["properties"]["end"]}
        assert len(ends) == 1, ends
        return ends.pop()

    def propose(end: str) -> int:
        answer = client.patch(
            f"/api/v1/shoots/{shoot.id}",
            json={"ends_at": end, "reason": "Scène de nuit"},
            headers=token_for(coordinator),
        )
        assert answer.status_code == 202, answer.get_json()
        return answer.get_json()["amendment"]["id"]

    def move(amendment: int, action: str, user) -> None:
        answer = client.post(
            f"/api/v1/amendments/{amendment}/transitions",
            json={"action": action, "comment": "Vu."},
            headers=token_for(user),
        )
        assert answer.status_code == 200, answer.get_json()

    assert public_end() == approved_end
    first = propose("2027-06-14T23:00")
    assert public_end() == approved_end  # pending
    move(first, "take_into_review", officer)
    move(first, "reject", officer)
    assert public_end() == approved_end  # refused: the approval stands
    second = propose("2027-06-14T19:00")
    move(second, "take_into_review", officer)
    move(second, "approve", officer)
    assert public_end() == "2027-06-14T19:00:00+02:00"


def test_the_ogc_shoots_filter_by_an_approving_commune(client, scenario):
    """`communes` is an array queryable: the shoots whose approving communes include it."""
    public = {shoot.id for shoot in scenario["public"]}

    def ids(commune: str) -> set[int]:
        answer = client.get(f"/ogc/collections/shoots/items?communes={commune}&limit=100")
        assert answer.status_code == 200, answer.get_json()
        return {feature["id"] for feature in answer.get_json()["features"]}

    assert ids("Namur") == public
    assert ids("Profondeville") == ids("Nam") == set()
