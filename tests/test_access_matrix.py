"""The role × endpoint matrix: every rule of the URL map, called as every kind of user.

The routes come from `app.url_map`, so a new route without a line in EXPECTED fails the run.
Path parameters are filled with a small world: production A of coordinator A, production B of
coordinator B, a published and a draft location in Namur, a permit request of Namur (production
A) and one of Eupen (production B), a blackout of each commune, coordinator A's private feed,
and a second production of coordinator A whose Namur request is approved (its versions) and
whose shoot has an amendment before Namur.

For reads (GET) the roles that succeed must be exactly the expected ones. Writes are sent only
as the roles that must be refused (so the world stays as it is), with a valid body where one is
needed, and none of them may succeed. "Succeeds" means a 2xx, or a redirect elsewhere than to
the log-in page; "refused" is 401, 403, 404, 405 or the redirect to the log-in page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from geoalchemy2.shape import from_shape
from PIL import Image
from shapely.geometry import MultiPolygon, Point
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range

from core.auth.models import ApiToken
from core.auth.operations import create_token
from core.config import BRUSSELS
from core.db import SRID, db
from locations.models import Category, LocationStatus
from locations.photos import add_photo
from permits.documents import attach_document
from permits.operations import attach_insurance, create_requests
from permits.workflow import apply_transition
from shoots.models import Blackout, FeedScope, ShootSeries
from shoots.operations.calendars import create_feed
from shoots.operations.shoots import update_shoot
from shoots.schemas import ShootPatch
from tests.conftest import PASSWORD, RequestPerContextClient, to_lambert
from tests.permits.conftest import pdf_bytes

ANON, SCOUT, ADMIN = "anonymous", "scout", "admin"
COORD_A, COORD_B = "coordinator of A", "coordinator of B"
OFFICER, OTHER_OFFICER = "officer of Namur", "officer of Eupen"
ROLES = (ANON, SCOUT, COORD_A, COORD_B, OFFICER, OTHER_OFFICER, ADMIN)

# ---- who may: groups of roles -----------------------------------------------------------------

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
NOBODY: frozenset[str] = frozenset()
ADMINS = frozenset({ADMIN})
LIBRARY = frozenset({SCOUT, COORD_A, COORD_B, ADMIN})  # who builds the location library
PRIVATE_DETAILS = frozenset({COORD_A, COORD_B, ADMIN})  # locations.view_private
PLANNERS = frozenset({COORD_A, COORD_B, ADMIN})  # create productions, check conflicts
COORDINATORS = frozenset({COORD_A, COORD_B})
SHOOT_READERS = frozenset({COORD_A, COORD_B, OFFICER, OTHER_OFFICER, ADMIN})
OFFICERS = frozenset({OFFICER, OTHER_OFFICER})
PRODUCTION_A = frozenset({COORD_A, ADMIN})  # production A's coordinator, admins
NAMUR = frozenset({OFFICER, ADMIN})  # Namur's officers, admins
NAMUR_PERMIT = frozenset({COORD_A, OFFICER, ADMIN})  # the Namur request: applicant, commune
COMMUNE_MAPS = frozenset({OFFICER, OTHER_OFFICER, ADMIN})  # the list: officers go to theirs

# ---- the expectation table ------------------------------------------------------------------
# endpoint -> {case: roles that succeed}. A case is the method, plus " draft" when the path names
# the draft location (or, for calendars and OGC items, the kind of target after the method).
# A production's file is its coordinators' and the film commission's (the Namur request is a
# draft: Namur's officers do not see production A yet); lists and schedules show other
# productions as occupancy (core.auth.policy.production_view, tests/test_confidentiality.py).

EXPECTED: dict[str, dict[str, frozenset[str]]] = {
    # pages, health, languages, documentation
    "pages.home": {"GET": EVERYONE},
    "health.healthz": {"GET": EVERYONE},
    "choose_language": {"GET": EVERYONE},
    "apidocs.docs": {"GET": EVERYONE},
    "apidocs.openapi_json": {"GET": EVERYONE},
    # accounts
    "auth.login": {"GET": EVERYONE, "POST": EVERYONE},  # the form: anyone may try
    "auth.logout": {"POST": SIGNED_IN},
    "auth_api.me": {"GET": SIGNED_IN},
    "auth_api.list_users": {"GET": ADMINS},
    "auth.account": {"GET": SIGNED_IN},
    "auth.password": {"POST": SIGNED_IN},  # one's own
    "auth.new_token": {"POST": SIGNED_IN},
    "auth.language": {"POST": SIGNED_IN},  # one's own
    "auth.display_name": {"POST": SIGNED_IN},  # one's own
    "auth.revoke": {"POST": {COORD_A, ADMIN}},  # coordinator A's token: its owner, admins
    "auth_api.list_tokens": {"GET": SIGNED_IN},
    "auth_api.delete_token": {"DELETE": {COORD_A, ADMIN}},
    # communes
    "communes_api.list_communes": {"GET": EVERYONE},
    "communes_api.get_commune": {"GET": EVERYONE},
    "communes_api.commune_at_point": {"GET": EVERYONE},
    # location library: published locations are public, drafts for the library's builders
    "locations.search_page": {"GET": EVERYONE},
    "locations.detail_page": {"GET": EVERYONE, "GET draft": LIBRARY},
    "locations.create_page": {"GET": LIBRARY, "POST": LIBRARY},
    "locations.import_page": {"GET": LIBRARY, "POST": LIBRARY},
    "locations.import_confirm": {"POST": LIBRARY},
    "locations.categories_page": {"GET": ADMINS, "POST": ADMINS},
    "locations.category_edit": {"POST": ADMINS},
    "locations.edit_page": {"GET": LIBRARY, "GET draft": LIBRARY, "POST": LIBRARY},
    "locations.delete_action": {"POST": ADMINS},
    "locations.status_action": {"POST": ADMINS},
    "locations.upload_photo_action": {"POST": LIBRARY},
    "locations.photo_action": {"POST": LIBRARY},
    "locations.photo_file": {"GET": EVERYONE, "GET draft": LIBRARY},
    "locations_api.search_locations": {"GET": EVERYONE},
    "locations_api.get_location": {"GET": EVERYONE, "GET draft": LIBRARY},
    "locations_api.create_location": {"POST": LIBRARY},
    "locations_api.patch_location": {"PATCH": LIBRARY},
    "locations_api.delete_location": {"DELETE": ADMINS},
    "locations_api.list_photos": {"GET": EVERYONE, "GET draft": LIBRARY},
    "locations_api.upload_photo": {"POST": LIBRARY},
    "locations_api.patch_photo": {"PATCH": LIBRARY},
    "locations_api.delete_photo": {"DELETE": LIBRARY},
    "locations_api.list_categories": {"GET": EVERYONE},
    "locations_api.create_category": {"POST": ADMINS},
    "locations_api.patch_category": {"PATCH": ADMINS},
    "locations_api.export_locations": {"GET": EVERYONE},
    "locations_api.import_locations": {"POST": LIBRARY},
    "locations_api.map_points": {"GET": EVERYONE},
    # place search: communes for everyone, library locations as Location.visible_to allows
    "places_api.search": {"GET": EVERYONE},
    # productions and shoots
    "shoots.production_list": {"GET": SHOOT_READERS},
    "shoots.production_page": {"GET": PRODUCTION_A},
    "shoots.production_new": {"GET": PLANNERS, "POST": PLANNERS},
    "shoots.production_edit": {"GET": PRODUCTION_A, "POST": PRODUCTION_A},
    "shoots.production_feed": {"POST": PRODUCTION_A},
    "shoots.shoot_new": {"GET": PRODUCTION_A, "POST": PRODUCTION_A},
    "shoots.shoot_edit": {"GET": PRODUCTION_A, "POST": PRODUCTION_A},
    "shoots.shoot_delete": {"POST": PRODUCTION_A},
    "shoots.shoot_override": {"POST": PRODUCTION_A},
    "shoots.shoot_cancel": {"POST": PRODUCTION_A},
    "shoots.shoot_copies": {"GET": PRODUCTION_A, "POST": PRODUCTION_A},
    "shoots.shoot_check_new": {"POST": PRODUCTION_A},
    "shoots.shoot_check_edit": {"POST": PRODUCTION_A},
    "shoots.shoot_surroundings": {"GET": PRODUCTION_A},
    "shoots.series_page": {"GET": PRODUCTION_A},
    "shoots.series_edit": {"GET": PRODUCTION_A, "POST": PRODUCTION_A},
    "shoots.series_cancel": {"POST": PRODUCTION_A},
    "shoots.series_delete": {"POST": PRODUCTION_A},
    "shoots.commune_schedule": {"GET": SHOOT_READERS},
    "shoots.location_schedule": {"GET": SHOOT_READERS, "GET draft": PLANNERS},
    "shoots_api.create_production": {"POST": PLANNERS},
    "shoots_api.list_productions": {"GET": SHOOT_READERS},
    "shoots_api.get_production": {"GET": PRODUCTION_A},
    "shoots_api.patch_production": {"PATCH": PRODUCTION_A},
    "shoots_api.delete_production": {"DELETE": PRODUCTION_A},
    "shoots_api.create_shoot": {"POST": PRODUCTION_A},
    "shoots_api.list_shoots": {"GET": SHOOT_READERS},
    "shoots_api.get_shoot": {"GET": SHOOT_READERS},
    "shoots_api.patch_shoot": {"PATCH": PRODUCTION_A},
    "shoots_api.delete_shoot": {"DELETE": PRODUCTION_A},
    "shoots_api.override_warning": {"POST": PRODUCTION_A},
    "shoots_api.check_conflicts": {"POST": PLANNERS},
    "shoots_api.create_series": {"POST": PRODUCTION_A},
    "shoots_api.check_series": {"POST": PRODUCTION_A},
    "shoots_api.copy_shoot": {"POST": PRODUCTION_A},
    "shoots_api.get_series": {"GET": PRODUCTION_A},
    "shoots_api.patch_series": {"PATCH": PRODUCTION_A},
    "shoots_api.delete_series": {"DELETE": PRODUCTION_A},
    "shoots_api.conflict_report": {"GET": SHOOT_READERS},
    # blackouts and commune settings: a commune's own officers, admins
    "shoots.blackout_list": {"GET": SIGNED_IN, "POST": NAMUR},
    "shoots.blackout_delete": {"POST": NAMUR},
    "shoots_api.list_blackouts": {"GET": SIGNED_IN},
    "shoots_api.create_blackout": {"POST": NAMUR},
    "shoots_api.replace_blackout": {"PUT": NAMUR},
    "shoots_api.delete_blackout": {"DELETE": NAMUR},
    "shoots_api.get_settings": {"GET": SHOOT_READERS},
    "shoots_api.put_settings": {"PUT": NAMUR},
    # calendars: a production's for its coordinators, a draft location's for the library
    "shoots_api.calendar": {
        "GET production": PRODUCTION_A,
        "GET location": SHOOT_READERS,
        "GET location draft": PLANNERS,
        "GET commune": SHOOT_READERS,
    },
    "shoots_api.create_feed": {"POST": PRODUCTION_A},
    "shoots_api.list_feeds": {"GET": SHOOT_READERS},
    "shoots_api.revoke_feed": {"DELETE": {COORD_A}},  # its creator
    "shoots_api.private_calendar": {"GET": EVERYONE},  # the token is the credential
    # permits: the applicant production's coordinators, the commune's officers, admins
    "permits.index": {"GET": SHOOT_READERS},
    "permits.new": {"GET": COORDINATORS, "POST": {COORD_A}},
    "permits.show": {"GET": NAMUR_PERMIT},
    "permits.document": {"GET": NAMUR_PERMIT},
    "permits.pdf": {"GET": NAMUR_PERMIT},
    "permits.insurance": {"GET": NAMUR_PERMIT},
    "permits.upload_insurance": {"POST": {COORD_A}},
    "permits.document_file": {"GET": NAMUR_PERMIT},
    "permits.upload_document": {"POST": {COORD_A}},
    "permits.fee_status": {"POST": {OFFICER}},
    # what Namur issued for the approved request (a draft has none: 404 for all)
    "permits.ordinance": {"GET": NAMUR_PERMIT},
    "permits.resident_notice": {"GET": NAMUR_PERMIT},
    "permits.notice_delivery": {"POST": {COORD_A}},
    "permits.submit_together": {"POST": {COORD_A}},  # production A's safety plan
    "permits.transition": {"POST": {COORD_A, OFFICER}},
    "permits.public": {"GET": EVERYONE},
    # a commune's settings: its officers (their own commune), administrators (any)
    "permits.settings": {"GET": COMMUNE_MAPS, "POST": COMMUNE_MAPS},
    "permits.rules": {"GET": NAMUR},  # Namur's page: its officers, admins
    "permits.save_rule": {"POST": NAMUR},
    "permits.reset_rule": {"POST": NAMUR},
    "permits.save_service": {"POST": NAMUR},
    "permits.remove_service": {"POST": NAMUR},
    "permits.save_tariff": {"POST": NAMUR},
    "permits.ordinance_template": {"POST": NAMUR},
    "permits.save_condition": {"POST": NAMUR},
    "permits.withdraw_condition": {"POST": NAMUR},
    "permits_api.create": {"POST": {COORD_A}},
    "permits_api.list_permits": {"GET": SHOOT_READERS},
    "permits_api.get_permit": {"GET": NAMUR_PERMIT},
    "permits_api.get_pdf": {"GET": NAMUR_PERMIT},
    "permits_api.history": {"GET": NAMUR_PERMIT},
    "permits_api.upload_insurance": {"POST": {COORD_A}},
    "permits_api.upload_document": {"POST": {COORD_A}},
    # a commune's rules and services: public to read, its officers and admins change them
    "permits_api.commune_rules": {"GET": EVERYONE},
    "permits_api.put_commune_rule": {"PUT": NAMUR},
    "permits_api.delete_commune_rule": {"DELETE": NAMUR},
    "permits_api.commune_services": {"GET": EVERYONE},
    "permits_api.commune_conditions": {"GET": EVERYONE},
    "permits_api.commune_tariff": {"GET": EVERYONE},
    "permits_api.put_commune_tariff": {"PUT": NAMUR},
    "permits_api.put_fee_status": {"PUT": {OFFICER}},
    "permits_api.put_notice_delivery": {"PUT": {COORD_A}},
    "permits_api.put_commune_condition": {"PUT": NAMUR},
    "permits_api.delete_commune_condition": {"DELETE": NAMUR},
    "permits_api.put_commune_service": {"PUT": NAMUR},
    "permits_api.delete_commune_service": {"DELETE": NAMUR},
    "permits_api.transition": {"POST": {COORD_A, OFFICER}},
    # versions of the approved Namur request; the amendment of its shoot, before Namur
    "permits.version_list": {"GET": NAMUR_PERMIT},
    "permits.version_document": {"GET": NAMUR_PERMIT},
    "permits.version_pdf": {"GET": NAMUR_PERMIT},
    "permits_api.list_versions": {"GET": NAMUR_PERMIT},
    "permits_api.get_version": {"GET": NAMUR_PERMIT},
    "permits_api.get_version_pdf": {"GET": NAMUR_PERMIT},
    "permits.amendment": {"GET": NAMUR_PERMIT},
    "permits.amendment_transition": {"POST": {COORD_A, OFFICER}},
    "amendments_api.list_amendments": {"GET": SHOOT_READERS},
    "amendments_api.get_amendment": {"GET": NAMUR_PERMIT},
    "amendments_api.amendment_transition": {"POST": {COORD_A, OFFICER}},
    "introductions_api.introduce": {"POST": ADMINS},  # the film commission relays
    # maps: the library map for the signed in, a commune's for its officers, production A's
    # for its coordinators; the public map for everyone
    "maps.locations": {"GET": SIGNED_IN},
    "maps.location_points": {"GET": SIGNED_IN},
    "maps.communes": {"GET": COMMUNE_MAPS},
    "maps.commune": {"GET": NAMUR},
    "maps.productions": {"GET": PLANNERS},
    "maps.production": {"GET": PRODUCTION_A},
    "maps.public": {"GET": EVERYONE},
    # OGC API - Features: public, published locations only
    "ogc.landing": {"GET": EVERYONE},
    "ogc.api": {"GET": EVERYONE},
    "ogc.conformance": {"GET": EVERYONE},
    "ogc.collections": {"GET": EVERYONE},
    "ogc.collection": {"GET": EVERYONE},
    "ogc.queryables": {"GET": EVERYONE},
    "ogc.items": {"GET": EVERYONE},
    "ogc.item": {"GET location": EVERYONE, "GET location draft": NOBODY},
}

# Query strings without which a route answers 400 to everybody.
QUERIES = {
    "communes_api.commune_at_point": "?lon=4.8617&lat=50.4596",
    "places_api.search": "?q=Namur",
    "shoots_api.conflict_report": "?from=2027-06-01&to=2027-07-01",
    "shoots.shoot_surroundings": "?starts_at=2027-06-14T00:00&ends_at=2027-06-15T00:00"
    "&bbox=4.85,50.45,4.88,50.47&zoom=15",
}
# What a commune issues on approval: read on the approved request, as its versions.
ISSUED = {"permits.ordinance", "permits.resident_notice"}
STATIC = re.compile(r"(^|\.)static$")  # files, no policy
# What an unauthorised request may answer: refused, or a bad request that changed nothing.
SUCCESS = range(200, 400)


def _succeeded(response) -> bool:
    if response.status_code not in SUCCESS:
        return False
    return not (300 <= response.status_code < 400 and "/login" in response.location)


# ---- the world ----------------------------------------------------------------------------------


@dataclass
class World:
    clients: dict[str, FlaskClient]
    values: dict[str, str]  # path parameter -> value
    draft: dict[str, str]  # the path parameters naming the draft location (and its photo)
    bodies: dict[str, dict]
    approved_request: str  # the request whose versions the version routes read


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def _blackout(commune: str, lon: float, lat: float, user) -> Blackout:
    start = datetime(2027, 1, 1, tzinfo=BRUSSELS)
    area = Point(*to_lambert(lon, lat)).buffer(100)
    blackout = Blackout(
        commune_nis=commune,
        kind="market",
        title=f"Marché {commune}",
        area=from_shape(MultiPolygon([area]), srid=SRID),
        period=Range(start, start + timedelta(days=365), bounds="[)"),
        created_by_id=user.id,
    )
    db.session.add(blackout)
    return blackout


@pytest.fixture
def world(app: Flask, make_user, create_location, create_production, create_shoot, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    users = {
        SCOUT: make_user("scout"),
        COORD_A: make_user("coordinator"),
        COORD_B: make_user("coordinator"),
        OFFICER: make_user("officer", commune="92094"),
        OTHER_OFFICER: make_user("officer", commune="63023"),
        ADMIN: make_user("admin"),
    }
    production_a = create_production(coordinators=[users[COORD_A]], title="Production A")
    production_b = create_production(coordinators=[users[COORD_B]], title="Production B")
    published = create_location(4.8617, 50.4596, name="Citadelle")
    draft = create_location(4.8700, 50.4650, name="Draft villa", status=LocationStatus.DRAFT)
    photo = add_photo(db.session, published, _jpeg(), app.config["UPLOAD_FOLDER"], None)
    draft_photo = add_photo(db.session, draft, _jpeg(), app.config["UPLOAD_FOLDER"], None)
    shoot_a = create_shoot(4.8617, 50.4596, production=production_a, location=published)
    shoot_b = create_shoot(6.0350, 50.6280, production=production_b)
    series_a = ShootSeries(production=production_a, shoots=[shoot_a])
    db.session.add(series_a)
    (permit_namur,) = create_requests(db.session, production_a, [shoot_a.id], users[COORD_A])
    (permit_eupen,) = create_requests(db.session, production_b, [shoot_b.id], users[COORD_B])
    for permit in (permit_namur, permit_eupen):
        attach_insurance(db.session, permit, "insurance.pdf", pdf_bytes())
    plan = attach_document(
        db.session, production_a, users[COORD_A], "safety_plan", "plan.pdf", pdf_bytes()
    )
    production_a2 = create_production(coordinators=[users[COORD_A]], title="Production A2")
    shoot_a2 = create_shoot(4.8700, 50.4650, production=production_a2, crew_size=10)
    amendment_id, approved_id = _amended(shoot_a2, users[COORD_A], users[OFFICER])
    blackout_namur = _blackout("92094", 4.8617, 50.4596, users[OFFICER])
    _blackout("63023", 6.0350, 50.6280, users[OTHER_OFFICER])
    feed, token = create_feed(
        db.session, users[COORD_A], FeedScope.PRODUCTION, str(production_a.id)
    )
    create_token(db.session, users[COORD_A], label="calendar client")
    db.session.flush()
    api_token = select(ApiToken.id).where(ApiToken.user_id == users[COORD_A].id)
    category = db.session.scalars(select(Category.code)).first()
    db.session.flush()
    app.test_client_class = RequestPerContextClient
    clients = {ANON: app.test_client()}
    for role, user in users.items():
        clients[role] = app.test_client()
        signed_in = clients[role].post("/login", data={"email": user.email, "password": PASSWORD})
        assert signed_in.status_code == 302, f"{role} could not sign in"
    values = {
        "location_id": str(published.id),
        "photo_id": str(photo.id),
        "variant": "thumb",
        "action": "later",
        "code": category,
        "production_id": str(production_a.id),
        "shoot_id": str(shoot_a.id),
        "request_id": str(permit_namur.id),
        "blackout_id": str(blackout_namur.id),
        "feed_id": str(feed.id),
        "token_id": str(db.session.scalar(api_token)),
        "token": token,
        "nis": "92094",
        "amendment_id": str(amendment_id),
        "number": "1",
        "collection_id": "locations",
        "fid": str(published.id),
        "target": str(production_a.id),
        "series_id": str(series_a.id),
        "document_id": str(plan.id),
        "activity": "animals",
        "kind": "police_zone",
        "condition": "signage",
        "fmt": "pdf",
        "size": "a4",
    }
    draft_values = {"location_id": str(draft.id), "photo_id": str(draft_photo.id)}
    draft_values["fid"] = draft_values["target"] = str(draft.id)
    bodies = _bodies(production_a.id, shoot_a.id)
    return World(clients, values, draft_values, bodies, str(approved_id))


def _amended(shoot, coordinator, officer) -> tuple[int, int]:
    """Approve SHOOT's Namur request, then propose an amendment of it: (amendment, request)."""
    (permit,) = create_requests(db.session, shoot.production, [shoot.id], coordinator)
    attach_insurance(db.session, permit, "insurance.pdf", pdf_bytes())
    apply_transition(db.session, permit.id, "submit", coordinator)
    apply_transition(db.session, permit.id, "take_into_review", officer)
    apply_transition(db.session, permit.id, "approve", officer)
    edit = update_shoot(db.session, coordinator, shoot, ShootPatch(crew_size=20, reason="Plus"))
    return edit.amendment["id"], permit.id


def _bodies(production_id: int, shoot_id: int) -> dict[str, dict]:
    """Valid JSON bodies of the writes whose input is checked before who asks (or alongside)."""
    square = {
        "type": "Polygon",
        "coordinates": [[[4.861, 50.459], [4.862, 50.459], [4.862, 50.460], [4.861, 50.459]]],
    }
    blackout = {
        "commune": "92094",
        "kind": "market",
        "title": "Marché",
        "area": square,
        "starts_at": "2027-01-01T00:00",
        "ends_at": "2027-02-01T00:00",
    }
    shoot = {
        "production_id": production_id,
        "footprint": square,
        "starts_at": "2027-07-01T07:00",
        "ends_at": "2027-07-01T17:00",
    }
    return {
        "shoots_api.create_production": {
            "title": "Intrus", "type": "feature", "company": "Intrus SA",
        },
        "shoots_api.patch_production": {"title": "Renamed"},
        "shoots_api.create_shoot": shoot,
        "shoots_api.check_conflicts": shoot,
        "shoots_api.create_series": {**shoot, "repeat": {"dates": ["2027-07-02"]}},
        "shoots_api.check_series": {**shoot, "repeat": {"dates": ["2027-07-02"]}},
        "shoots_api.copy_shoot": {"repeat": {"dates": ["2027-07-02"]}},
        "shoots_api.patch_series": {"crew_size": 3},
        "shoots_api.patch_shoot": {"notes": "changed"},
        "shoots_api.override_warning": {"rule": "blackout", "other": "blackout:1", "reason": "ok"},
        "shoots_api.create_blackout": blackout,
        "shoots_api.replace_blackout": blackout,
        "shoots_api.put_settings": {"saturation_days": 3},
        "shoots_api.create_feed": {"scope": "production", "target": str(production_id)},
        "permits_api.create": {"production_id": production_id, "shoot_ids": [shoot_id]},
        "permits_api.transition": {"action": "submit"},
        "permits_api.put_commune_rule": {"extra_working_days": 3},
        "permits_api.put_commune_service": {"name": "Zone de police"},
        "permits_api.put_commune_condition": {"text_fr": "Propre", "text_de": "Sauber"},
        "permits_api.put_commune_tariff": {"per_day": "10"},
        "permits_api.put_fee_status": {"status": "paid"},
        "permits.fee_status": {"fee-status": "paid"},
        "permits_api.put_notice_delivery": {"delivered_at": "2027-06-01T10:00", "method": "x"},
        "permits.notice_delivery": {
            "delivery-delivered_at": "2027-06-01T10:00", "delivery-method": "x",
        },
        "amendments_api.amendment_transition": {"action": "take_into_review"},
        "introductions_api.introduce": {
            "productions": [production_id, production_id + 1], "message": "Bonjour",
        },
        "locations_api.create_location": {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [4.8617, 50.4596]},
            "properties": {"name": "Intrus"},
        },
        "locations_api.patch_location": {"properties": {"name": "Renamed"}},
        "locations_api.patch_photo": {"caption": "changed"},
        "locations_api.create_category": {"code": "intrus", "label_fr": "Intrus"},
        "locations_api.patch_category": {"label_fr": "Changé"},
        # HTML forms
        "shoots.blackout_list": {
            **blackout, "area": "", "starts_at": "2027-01-01T00:00", "weekday": "",
        },
        "permits.new": {"production_id": production_id, "shoot_ids": shoot_id},
        "permits.transition": {"action": "submit"},
        "permits.submit_together": {"action": "submit"},
        "permits.amendment_transition": {"action": "take_into_review"},
        "permits.settings": {
            "notice_working_days": "3", "fast_track_working_days": "1", "fast_track_max_crew": "1",
            "parking_space_m": "5", "resident_notice_days": "3",
            "nearby_distance_m": "1", "saturation_days": "1",
            "saturation_radius_m": "1", "saturation_window_days": "1",
        },
    }  # fmt: skip


# ---- the walk ---------------------------------------------------------------------------------


def _rules(app: Flask):
    return [r for r in app.url_map.iter_rules() if not STATIC.search(r.endpoint)]


def _cases(rule, world: World) -> list[tuple[str, str, str]]:
    """(case, method, path) for every method of RULE, with the path parameters filled in."""
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    values = dict(world.values)
    if rule.endpoint == "shoots_api.calendar":
        targets = [
            ("production", values, ""),
            ("location", {**values, "target": values["location_id"]}, ""),
            ("location", {**values, **world.draft}, " draft"),
            ("commune", {**values, "target": "92094"}, ""),
        ]
        return [
            (f"GET {scope}{suffix}", "GET", _path(rule, {**filled, "scope": scope}))
            for scope, filled, suffix in targets
        ]
    if "number" in rule.arguments or rule.endpoint in ISSUED:  # of the approved request
        values["request_id"] = world.approved_request
    suffix = " location" if rule.endpoint == "ogc.item" else ""
    cases = [(method + suffix, method, _path(rule, values)) for method in methods]
    if "GET" in methods and {"location_id", "fid"} & set(rule.arguments):
        cases.append((f"GET{suffix} draft", "GET", _path(rule, {**values, **world.draft})))
    return cases


def _path(rule, values: dict[str, str]) -> str:
    path = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
    return path + QUERIES.get(rule.endpoint, "")


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    missing = sorted(endpoints - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - endpoints)
    assert not missing, f"routes without a line in EXPECTED: {missing}"
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"


def test_role_endpoint_matrix(app, world):
    surprises: list[str] = []
    writes = []
    for rule in sorted(_rules(app), key=lambda r: r.rule):
        expected = EXPECTED[rule.endpoint]
        for case, method, path in _cases(rule, world):
            assert case in expected, f"{rule.endpoint}: no expectation for {case!r}"
            if method != "GET":
                writes.append((rule.endpoint, case, method, path))
                continue
            succeeded = set()
            for role in ROLES:
                response = world.clients[role].get(path)
                response.close()  # files are streamed
                assert response.status_code < 500, f"{case} {path} as {role}: 500"
                if _succeeded(response):
                    succeeded.add(role)
            for role in sorted(succeeded - expected[case]):
                surprises.append(f"{rule.endpoint} {case} {path}: {role} got in")
            for role in sorted(expected[case] - succeeded):
                surprises.append(f"{rule.endpoint} {case} {path}: {role} was refused")
    # Writes last, and only as the roles that must be refused: the world stays as it is.
    for endpoint, case, method, path in writes:
        body = world.bodies.get(endpoint)
        for role in sorted(EVERYONE - EXPECTED[endpoint][case]):
            sent = {"json": body} if path.startswith("/api/") else {"data": body or {}}
            response = world.clients[role].open(path, method=method, **sent)
            response.close()
            assert response.status_code < 500, f"{case} {path} as {role}: 500"
            if _succeeded(response):
                surprises.append(f"{endpoint} {case} {path}: {role} got {response.status_code}")
    assert not surprises, "\n".join(["unexpected outcomes:", *surprises])
