import math

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import func, select

from core.db import SRID, db
from core.errors import Conflict, InvalidInput
from permits.models import PermitShoot
from permits.operations import create_requests, shared_shoots, siblings
from tests.conftest import to_lambert
from tests.permits.conftest import BORDER, CITADEL, NAMUR, PROFONDEVILLE, PROFONDEVILLE_CENTRE


def test_shoot_inside_one_commune_gives_one_request(create_shoot, production, request_shoots):
    shoot = create_shoot(*CITADEL, radius_m=30, production=production)
    (permit,) = request_shoots(shoot)
    assert permit.commune_nis == NAMUR
    (part,) = permit.parts
    assert part.shoot_id == shoot.id
    assert part.footprint_area_m2 == pytest.approx(math.pi * 30**2, rel=0.01)
    assert siblings(db.session, permit) == []


def test_straddling_footprint_splits_into_two_requests_pointing_at_each_other(
    create_shoot, production, request_shoots
):
    straddling = create_shoot(*BORDER, radius_m=40, production=production)
    inside = create_shoot(*CITADEL, production=production)
    permits = request_shoots(straddling, inside)
    by_commune = {p.commune_nis: p for p in permits}
    assert set(by_commune) == {NAMUR, PROFONDEVILLE}
    namur, profondeville = by_commune[NAMUR], by_commune[PROFONDEVILLE]
    assert namur.group_id == profondeville.group_id
    assert siblings(db.session, namur) == [profondeville]
    assert {p.shoot_id for p in namur.parts} == {straddling.id, inside.id}
    assert {p.shoot_id for p in profondeville.parts} == {straddling.id}
    assert shared_shoots(db.session, namur) == {straddling.id: [profondeville]}
    # Each commune holds only its part; together the parts cover the whole footprint (where the
    # simplified commune polygons overlap, both communes are asked).
    whole = math.pi * 40**2
    halves = [
        next(p for p in permit.parts if p.shoot_id == straddling.id).footprint_area_m2
        for permit in (namur, profondeville)
    ]
    assert all(100 < area < 0.9 * whole for area in halves)
    assert whole * 0.99 < sum(halves) < whole * 1.1
    stored = db.session.scalar(
        select(func.ST_Area(PermitShoot.footprint_part)).where(
            PermitShoot.request_id == profondeville.id, PermitShoot.shoot_id == straddling.id
        )
    )
    assert stored == pytest.approx(halves[1], abs=0.1)


def test_a_border_sliver_does_not_make_a_request(create_shoot, production, request_shoots):
    # A footprint in Namur plus a 0.5 m² crumb in Profondeville: the crumb is not a request.
    crumb = Point(*to_lambert(*PROFONDEVILLE_CENTRE)).buffer(0.4)
    main = Point(*to_lambert(*CITADEL)).buffer(30)
    footprint = from_shape(MultiPolygon([main, crumb]), srid=SRID)
    shoot = create_shoot(*CITADEL, production=production, footprint=footprint)
    permits = request_shoots(shoot)
    assert [p.commune_nis for p in permits] == [NAMUR]


def test_parking_in_another_commune_is_requested_there(create_shoot, production, request_shoots):
    parking = Point(*to_lambert(*PROFONDEVILLE_CENTRE)).buffer(15)
    shoot = create_shoot(
        *CITADEL, production=production, parking=from_shape(MultiPolygon([parking]), srid=SRID)
    )
    permits = {p.commune_nis: p for p in request_shoots(shoot)}
    (there,) = permits[PROFONDEVILLE].parts
    assert there.footprint_area_m2 == 0 and there.footprint_part is None
    assert there.parking_area_m2 == pytest.approx(math.pi * 15**2, rel=0.01)
    assert permits[NAMUR].parts[0].parking_area_m2 == 0


def test_refuses_bad_selections(create_shoot, create_production, production, coordinator):
    other = create_shoot(*CITADEL, production=create_production())
    outside = create_shoot(2.35, 48.85, production=production)  # Paris
    with pytest.raises(InvalidInput, match="select at least one"):
        create_requests(db.session, production, [], coordinator)
    with pytest.raises(InvalidInput, match=f"no shoot {other.id} in production"):
        create_requests(db.session, production, [other.id], coordinator)
    with pytest.raises(InvalidInput, match="outside Wallonia"):
        create_requests(db.session, production, [outside.id], coordinator)


def test_a_shoot_cannot_be_in_two_live_requests(create_shoot, production, coordinator):
    shoot = create_shoot(*CITADEL, production=production)
    create_requests(db.session, production, [shoot.id], coordinator)
    with pytest.raises(Conflict, match="already in a permit request"):
        create_requests(db.session, production, [shoot.id], coordinator)
