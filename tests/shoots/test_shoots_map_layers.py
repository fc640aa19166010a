"""The production planning map shows the conflict engine's view: footprints coloured by their
worst finding, and the blackouts the shoots run into, hatched."""

from __future__ import annotations

from datetime import datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point
from sqlalchemy.dialects.postgresql import Range

from core.db import SRID, db
from permits.models import PermitStatus
from shoots.models import Blackout, BlackoutKind
from tests.conftest import BRUSSELS, approve, to_lambert
from tests.maps.test_maps_pages import layer_data

SATURDAY = datetime(2027, 6, 19, 8, tzinfo=BRUSSELS)


def test_production_map_colours_warned_footprints_and_hatches_blackouts(
    client, login, make_user, create_production, create_shoot
):
    coordinator = make_user("coordinator")
    mine = create_production(coordinators=[coordinator])
    warned = create_shoot(4.8617, 50.4596, production=mine, start=SATURDAY, hours=4)
    clashing = create_shoot(5.5733, 50.6451, production=mine, start=SATURDAY, hours=4)
    quiet = create_shoot(5.8167, 49.6833, production=mine, start=SATURDAY, hours=4)
    others = create_production()
    create_shoot(4.8631, 50.4596, production=others, start=SATURDAY, hours=4)  # ~100 m away
    create_shoot(5.5735, 50.6451, production=others, start=SATURDAY, hours=4)  # overlapping
    market = Point(*to_lambert(4.8617, 50.4596)).buffer(80)
    db.session.add(
        Blackout(
            commune_nis="92094",
            kind=BlackoutKind.MARKET,
            title="Marché <b>du samedi</b>",
            area=from_shape(MultiPolygon([market]), srid=SRID),
            period=Range(
                datetime(2027, 6, 1, tzinfo=BRUSSELS), datetime(2027, 7, 1, tzinfo=BRUSSELS)
            ),
        )
    )
    login(coordinator)
    html = client.get(f"/maps/productions/{mine.id}").text
    footprints, *others = layer_data(html, "polygons")
    styles = {f["id"]: f["properties"].get("style") for f in footprints["features"]}
    assert styles[warned.id] == {"color": "#ef6c00", "fillColor": "#ef6c00"}
    assert styles[clashing.id] == {"color": "#c62828", "fillColor": "#c62828"}
    assert styles[quiet.id] is None
    blackouts = [layer for layer in others if layer["features"][0]["properties"].get("title")]
    assert [f["properties"]["title"] for f in blackouts[0]["features"]] == [
        "Marché <b>du samedi</b>"
    ]
    assert '"className":"tm-hatched"' in html


def test_public_map_shows_no_findings(client, create_shoot, create_production):
    start = datetime.now(BRUSSELS).replace(microsecond=0) + timedelta(days=2)
    warned = create_shoot(4.8617, 50.4596, start=start, hours=4)
    create_shoot(4.8631, 50.4596, production=create_production(), start=start, hours=4)
    approve(warned, PermitStatus.APPROVED)
    footprints = layer_data(client.get("/maps/public").text, "polygons")[0]["features"]
    assert [f["id"] for f in footprints] == [warned.id]
    assert "style" not in footprints[0]["properties"]
