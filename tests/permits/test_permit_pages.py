import re
from datetime import UTC, datetime, timedelta

from markupsafe import escape

from core.db import db
from permits.demo_data import DEMO_SETTINGS, load_demo
from permits.models import PermitCommuneSettings, PermitRequest, PermitStatus
from permits.workflow import apply_transition
from tests.conftest import BRUSSELS
from tests.permits.conftest import BORDER, CITADEL, NAMUR, PROFONDEVILLE


def _approve(permit, coordinator, officer, action="approve", comment=""):
    apply_transition(db.session, permit.id, "submit", coordinator)
    apply_transition(db.session, permit.id, "take_into_review", officer)
    apply_transition(db.session, permit.id, action, officer, comment)


def test_public_page_lists_approved_upcoming_shoots_without_private_fields(
    client, create_shoot, create_location, production, request_shoots, coordinator, officer
):
    place = create_location(*CITADEL, name="Citadelle", address="Route Merveilleuse 64, Namur")
    approved = create_shoot(
        *CITADEL, production=production, location=place, crew_size=987654, notes="code portail 1234"
    )
    draft = create_shoot(
        *CITADEL, production=production, start=datetime(2027, 8, 2, 9, tzinfo=BRUSSELS)
    )
    (permit,) = request_shoots(approved)
    request_shoots(draft)
    _approve(permit, coordinator, officer)
    production.listed = False  # confidential, the default
    confidential = client.get("/permits/public").get_data(as_text=True)
    assert "Le Fleuve" not in confidential and "Route Merveilleuse 64, Namur" in confidential
    assert (
        "A production (title not published)" in confidential or "titre non publié" in confidential
    )
    production.listed = True  # the production chose to show its title
    page = client.get("/permits/public").get_data(as_text=True)
    assert "Le Fleuve" in page and "Route Merveilleuse 64, Namur" in page
    assert "14/06/2027 07:00" in page
    assert "long métrage" in page  # the production type in words, not its code
    assert "août" not in page  # the unapproved shoot
    for private in ("prod@example.be", "+32 81", "987654", "code portail", coordinator.email):
        assert private not in page, private


def test_a_straddling_shoot_one_commune_refused_is_not_announced(
    client, create_shoot, production, request_shoots, coordinator, officer, make_user
):
    shoot = create_shoot(*BORDER, radius_m=40, production=production)
    namur, profondeville = sorted(request_shoots(shoot), key=lambda p: p.commune_nis != NAMUR)
    _approve(namur, coordinator, officer)
    assert "Le Fleuve" not in client.get("/permits/public").get_data(as_text=True)  # pending
    other_officer = make_user("officer", commune=PROFONDEVILLE)
    _approve(profondeville, coordinator, other_officer, "reject", "Travaux")
    assert "Le Fleuve" not in client.get("/permits/public").get_data(as_text=True)


def test_past_shoots_leave_the_public_page(
    client, create_shoot, production, request_shoots, coordinator, officer
):
    shoot = create_shoot(*CITADEL, production=production)
    (permit,) = request_shoots(shoot)
    _approve(permit, coordinator, officer, "approve_with_conditions", "Pas de bruit")
    start = datetime.now(UTC) - timedelta(days=3)
    shoot.period = type(shoot.period)(start, start + timedelta(hours=5), bounds="[)")
    assert "Le Fleuve" not in client.get("/permits/public").get_data(as_text=True)


def test_coordinator_turns_shoots_into_requests_through_the_form(
    client, login, create_shoot, production, coordinator
):
    straddling = create_shoot(*BORDER, radius_m=40, production=production)
    login(coordinator)
    form = client.get("/permits/new").get_data(as_text=True)
    assert f'value="{straddling.id}"' in form
    response = client.post(
        "/permits/new",
        data={"production_id": production.id, "shoot_ids": [straddling.id]},
    )
    assert response.status_code == 302
    permits = db.session.query(PermitRequest).filter_by(production_id=production.id).all()
    assert len(permits) == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 demande(s) créée(s)" in page and "Profondeville" in page
    assert f'value="{straddling.id}"' not in client.get("/permits/new").get_data(as_text=True)


def test_officer_decides_from_the_page_and_the_coordinator_sees_it(
    client, login, namur_permit, coordinator, officer
):
    apply_transition(db.session, namur_permit.id, "submit", coordinator)
    apply_transition(db.session, namur_permit.id, "take_into_review", officer)
    login(officer)
    url = f"/permits/{namur_permit.id}"
    missing = client.post(f"{url}/transition", data={"action": "reject"})
    assert missing.status_code == 400
    assert "est obligatoire pour « Refuser »" in missing.get_data(as_text=True)
    client.post(
        f"{url}/transition",
        data={
            "action": "approve_with_conditions",
            "comment": "Rue libre à 18 h",
            "csrf_token": "the form's own field",
        },
    )
    assert namur_permit.status is PermitStatus.APPROVED_WITH_CONDITIONS
    client.post("/logout")
    login(coordinator)
    page = client.get(url).get_data(as_text=True)
    assert "autorisée sous conditions" in page and "Rue libre à 18 h" in page
    assert str(escape("Demande d'autorisation")) in page


def test_late_warning_is_shown_before_submitting(
    client, login, create_shoot, production, request_shoots, coordinator
):
    # At 10:00 (no night work), a crew above the fast track's: the commune's 15 days apply.
    soon = (datetime.now(UTC) + timedelta(days=3)).astimezone(BRUSSELS).replace(hour=10)
    shoot = create_shoot(*CITADEL, production=production, start=soon, crew_size=20)
    (permit,) = request_shoots(shoot)
    login(coordinator)
    page = client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert "Tardive" in page and "15 jours ouvrables" in page


def test_demo_loader_is_idempotent_and_leaves_demo_shoots_unrequested(
    app, create_production, create_shoot
):
    demo = create_production(file_reference="WFC-DEMO-0001", title="Le Dernier Train")
    create_shoot(*CITADEL, production=demo)
    first = load_demo(db.session)
    second = load_demo(db.session)
    assert first.startswith(f"{len(DEMO_SETTINGS)} commune settings created")
    assert "WFC-DEMO-0001: shoots ready to be requested" in second
    assert db.session.query(PermitRequest).count() == 0
    assert f"0 commune settings created, {len(DEMO_SETTINGS)} already there" in second
    assert db.session.get(PermitCommuneSettings, PROFONDEVILLE).notice_working_days == 10


def test_inbox_map_shows_only_the_officers_commune(client, login, namur_permit, make_user):
    other = make_user("officer", commune=PROFONDEVILLE)
    login(other)
    elsewhere = client.get("/permits/").get_data(as_text=True)
    assert "tm-map" in elsewhere and "Le Fleuve" not in elsewhere
    client.post("/logout")
    officer = make_user("officer", commune=NAMUR)
    login(officer)
    mine = client.get("/permits/").get_data(as_text=True)
    assert "Le Fleuve" in mine  # in the footprint's popup data
    assert re.search(r'"type": ?"MultiPolygon"', mine)


def test_inbox_form_with_empty_filters_lists_everything(client, login, namur_permit, officer):
    login(officer)
    page = client.get("/permits/?status=&from=&to=").get_data(as_text=True)
    assert f'href="/permits/{namur_permit.id}"' in page and "flash-error" not in page
    june = client.get("/permits/?status=draft&from=2027-06-01&to=2027-06-30").get_data(as_text=True)
    assert f'href="/permits/{namur_permit.id}"' in june
    july = client.get("/permits/?status=draft&from=2027-07-01&to=").get_data(as_text=True)
    assert f'href="/permits/{namur_permit.id}"' not in july
