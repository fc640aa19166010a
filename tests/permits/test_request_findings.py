"""The officer deciding a request sees the conflict engine's findings on its shoots: on the
request page (with a map of the neighbours and blackouts), in the request's JSON, in the PDF
annex and as marks in the inbox; another production's set as occupancy only."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta

import pytest
from geoalchemy2.shape import from_shape
from pypdf import PdfReader
from shapely.geometry import MultiPolygon, box
from sqlalchemy.dialects.postgresql import Range

from core.db import SRID, db
from permits.operations import create_requests
from permits.workflow import apply_transition
from shoots.models import Blackout, BlackoutKind, Shoot, ShootStatus
from shoots.operations.conflicts import save_settings
from shoots.operations.shoots import override_warning
from tests.conftest import BRUSSELS, to_lambert
from tests.hostile import EVALUATED
from tests.permits.conftest import CITADEL, NAMUR, PROFONDEVILLE, pdf_bytes

JUNE = datetime(2027, 6, 14, 7, 0, tzinfo=BRUSSELS)
SIDE_M = 20  # the footprints are squares of this side, in EPSG:3812
NEARBY_M = 100  # Namur's distance for the nearby-set warning, in this test
SECRET_TITLE = "Brume-Secrete"  # the neighbour's production: unlisted, never sent to Namur
REASON = '<script>window.pwned=1</script> Probe {{ 7*191 }} «On tourne à l’aube» & "avant"'


def square(west_m: float) -> MultiPolygon:
    """A SIDE_M square WEST_M metres east of the Citadel (negative: west of it)."""
    x, y = to_lambert(*CITADEL)
    return MultiPolygon([box(x + west_m, y, x + west_m + SIDE_M, y + SIDE_M)])


def add_shoot(production, footprint: MultiPolygon, start: datetime = JUNE) -> Shoot:
    shoot = Shoot(
        production=production,
        footprint=from_shape(footprint, srid=SRID),
        period=Range(start, start + timedelta(hours=10), bounds="[)"),
        crew_size=12,
    )
    db.session.add(shoot)
    db.session.flush()
    return shoot


@pytest.fixture
def scene(app, make_user, create_production):
    """Our shoot in Namur; another production's sets 99.8 m east and 100.2 m west of it on the
    same day (Namur warns within 100 m); a market blackout that morning. Our coordinator
    overrode the 99.8 m warning, with a hostile reason, then submitted the request."""
    save_settings(db.session, NAMUR, {"nearby_distance_m": NEARBY_M})
    coordinator = make_user("coordinator", display_name="Claire Coord")
    neighbour_coordinator = make_user("coordinator")
    ours = create_production(title="Le Fleuve", coordinators=[coordinator])
    theirs = create_production(title=SECRET_TITLE, coordinators=[neighbour_coordinator])
    shoot = add_shoot(ours, square(0))
    near = add_shoot(theirs, square(SIDE_M + 99.8))  # 99.8 m between the squares
    far = add_shoot(theirs, square(-100.2 - SIDE_M))  # 100.2 m: no warning
    market = Blackout(
        commune_nis=NAMUR,
        kind=BlackoutKind.MARKET,
        title="Marché du lundi",
        period=Range(JUNE, JUNE + timedelta(hours=5), bounds="[)"),
    )
    db.session.add(market)
    db.session.flush()
    override_warning(db.session, coordinator, shoot, "nearby_set", f"shoot:{near.id}", REASON)
    (permit,) = create_requests(db.session, ours, [shoot.id], coordinator)
    permit.insurance_filename, permit.insurance_pdf = "insurance.pdf", pdf_bytes()
    apply_transition(db.session, permit.id, "submit", coordinator)
    return {
        "permit": permit,
        "shoot": shoot,
        "near": near,
        "far": far,
        "market": market,
        "coordinator": coordinator,
        "theirs": theirs,
        "neighbour_coordinator": neighbour_coordinator,
        "officer": make_user("officer", commune=NAMUR),
    }


def layer_data(html: str) -> list[dict[int, dict]]:
    """The map's polygon layers in order: their features by id."""
    found = re.findall(r"TournagesMaps\.polygons\(\s*(.*?), (\{.*?\})\);", html, re.S)
    return [{f["id"]: f for f in json.loads(data)["features"]} for data, _options in found]


def test_officer_page_shows_the_neighbour_the_override_and_a_map(client, login, scene):
    login(scene["officer"])
    response = client.get(f"/permits/{scene['permit'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    annex = html[html.index('id="findings"') :]
    assert "99,8 m" in annex and "100,2" not in annex  # in French
    assert "une autre production" in annex and SECRET_TITLE not in html
    assert f"{scene['near'].id}" in annex and "Marché du lundi" in annex
    # Who overrode the warning, when and why, the reason as it was typed.
    assert scene["coordinator"].email in annex
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt; Probe {{ 7*191 }}" in annex
    assert "<script>window.pwned" not in html and not any(e in html for e in EVALUATED)
    # The map: this request's footprint, the 99.8 m neighbour as occupancy, the blackout.
    parts, neighbours, blackouts = layer_data(html)
    assert set(neighbours) == {scene["near"].id}
    assert neighbours[scene["near"].id]["properties"]["title"] == "une autre production"
    assert set(blackouts) == {scene["market"].id}
    assert parts[scene["shoot"].id]["properties"]["style"]["color"] == "#ef6c00"  # a warning
    for legend in ("Emprise de cette demande", "Tournage voisin", "Période d\\u0027interdiction"):
        assert f'"label":"{legend}"' in html, legend


def test_request_json_lists_findings_with_overrides_as_occupancy(client, token_for, scene):
    response = client.get(
        f"/api/v1/permits/{scene['permit'].id}", headers=token_for(scene["officer"])
    )
    assert response.status_code == 200
    (shoot,) = response.get_json()["shoots"]
    assert shoot["live"] is True and shoot["findings"]["conflicts"] == []
    nearby, blackout = sorted(
        shoot["findings"]["warnings"], key=lambda f: f["rule"] != "nearby_set"
    )
    assert nearby["rule"] == "nearby_set" and nearby["distance_m"] == 99.8
    assert nearby["other"]["id"] == scene["near"].id
    assert set(nearby["other"]) == {"type", "id", "production"}  # occupancy: no production id
    assert nearby["override"]["by"] == scene["coordinator"].email
    assert nearby["override"]["reason"] == REASON
    assert nearby["override"]["at"].startswith(str(datetime.now(BRUSSELS).year))
    assert blackout["rule"] == "blackout" and blackout["other"]["id"] == scene["market"].id
    assert blackout["override"] is None
    assert SECRET_TITLE not in response.get_data(as_text=True)


def test_pdf_annex_lists_the_findings_and_the_override(client, login, scene):
    login(scene["officer"])
    response = client.get(f"/permits/{scene['permit'].id}.pdf")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Annexe" in text and "99,8 m" in text and "100,2" not in text
    assert scene["coordinator"].email in text
    assert "<script>window.pwned=1</script> Probe {{ 7*191 }}" in text
    assert "Marché du lundi" in text and SECRET_TITLE not in text


def test_inbox_marks_a_request_with_warnings(client, login, scene):
    login(scene["officer"])
    html = client.get("/permits/").get_data(as_text=True)
    mark = re.search(
        rf'<a class="attention" href="/permits/{scene["permit"].id}#findings">(.*?)</a>', html, re.S
    )
    assert mark is not None
    assert re.search(r"1 avertissement", mark.group(1))  # the blackout, not overridden
    assert re.search(r"1 maintenu", mark.group(1))  # the 99.8 m neighbour


def test_officer_reads_the_neighbour_once_it_asked_the_commune(client, token_for, scene):
    """The policy decides: a production that sent Namur a request is read in full there."""
    coordinator = scene["neighbour_coordinator"]
    later = add_shoot(scene["theirs"], square(-5000), start=JUNE + timedelta(days=30))
    (their_request,) = create_requests(db.session, scene["theirs"], [later.id], coordinator)
    their_request.insurance_filename, their_request.insurance_pdf = "i.pdf", pdf_bytes()
    apply_transition(db.session, their_request.id, "submit", coordinator)
    body = client.get(
        f"/api/v1/permits/{scene['permit'].id}", headers=token_for(scene["officer"])
    ).get_json()
    nearby = next(f for f in body["shoots"][0]["findings"]["warnings"] if f["rule"] == "nearby_set")
    assert nearby["other"]["production"] == SECRET_TITLE
    assert nearby["other"]["production_id"] == scene["theirs"].id


def test_another_communes_officer_cannot_see_the_findings(client, login, token_for, make_user,
                                                          scene):  # fmt: skip
    stranger = make_user("officer", commune=PROFONDEVILLE)
    permit_id = scene["permit"].id
    api = client.get(f"/api/v1/permits/{permit_id}", headers=token_for(stranger))
    assert api.status_code == 404
    login(stranger)
    for path in (f"/permits/{permit_id}", f"/permits/{permit_id}.pdf",
                 f"/permits/{permit_id}/document"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert REASON not in response.get_data(as_text=True)
    inbox = client.get("/permits/").get_data(as_text=True)
    assert f"/permits/{permit_id}#findings" not in inbox


def test_a_cancelled_shoot_has_no_findings(client, token_for, scene):
    scene["shoot"].status = ShootStatus.CANCELLED
    body = client.get(
        f"/api/v1/permits/{scene['permit'].id}", headers=token_for(scene["officer"])
    ).get_json()
    assert body["shoots"][0]["live"] is False and body["shoots"][0]["findings"] is None
