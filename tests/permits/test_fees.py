"""A commune's fees (permits.fees) and what a shoot does to the street (permits.measures)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from shapely.geometry import box

from core.db import db
from core.errors import InvalidInput
from permits import fees, measures
from permits.measures import SIGN_SPACING_M, kerb_length, parking_signs
from permits.models import DEFAULT_PARKING_SPACE_M, PermitCommuneSettings
from shoots.models import ProductionType
from tests.conftest import BRUSSELS
from tests.permits.conftest import CITADEL, NAMUR

TARIFF = {
    "per_day": "50", "per_m2_day": "0.20", "per_sign": "12.5", "per_parking_space_day": "3",
    "urgency_surcharge_percent": 25, "exempt_types": ["student"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("length", "signs"),
    [(0, 0), (0.1, 2), (SIGN_SPACING_M, 2), (SIGN_SPACING_M + 0.1, 3), (2 * SIGN_SPACING_M, 3)],
)
def test_a_parking_ban_has_a_sign_at_each_end_and_every_25_m(length, signs):
    assert parking_signs(length) == signs


def test_the_kerb_is_the_long_side_of_the_parking_area():
    assert kerb_length(box(0, 0, 40, 6)) == pytest.approx(40)
    assert kerb_length(None) == 0


def _part(permit):
    (part,) = permit.parts
    return part


def test_lengths_and_spaces_come_from_the_answers_else_the_area(
    create_shoot, production, request_shoots
):
    answers = {"parking_length_m": 33, "streets": ["Rue de Fer"]}
    typed = create_shoot(
        *CITADEL, production=production, parking_suspension=True, activities=answers
    )
    street = measures.measures_of(_part(request_shoots(typed)[0]), DEFAULT_PARKING_SPACE_M)
    assert (street.parking_length_m, street.parking_spaces, street.parking_signs) == (33, 6, 3)
    assert street.streets == ("Rue de Fer",)
    spaces = create_shoot(*CITADEL, start=datetime(2027, 6, 20, 7, tzinfo=BRUSSELS),
                          production=production, activities={"parking_spaces": 4})  # fmt: skip
    street = measures.measures_of(_part(request_shoots(spaces)[0]), 5.0)
    assert (street.parking_length_m, street.parking_spaces, street.signs) == (20, 4, 2)
    closed = create_shoot(*CITADEL, start=datetime(2027, 6, 27, 7, tzinfo=BRUSSELS),
                          production=production, road_closure=True)  # fmt: skip
    street = measures.measures_of(_part(request_shoots(closed)[0]), 5.5)
    assert (street.parking_length_m, street.closure_signs, street.signs) == (0, 2, 2)


def test_a_quote_counts_days_areas_signs_and_spaces(create_shoot, production, request_shoots):
    fees.save_tariff(db.session, NAMUR, TARIFF)
    # 22:00 to 02:00 the next night: two shoot days (Brussels calendar days).
    shoot = create_shoot(
        *CITADEL, production=production, start=datetime(2027, 6, 14, 22, tzinfo=BRUSSELS),
        hours=4, crew_size=30,
        activities={"public_domain_m2": 12.5, "parking_spaces": 3, "parking_length_m": 16.5},
    )  # fmt: skip
    (permit,) = request_shoots(shoot)
    quote = fees.quote(db.session, permit)
    lines = {line.code: (line.quantity, line.amount) for line in quote.lines}
    assert lines == {
        "days": (2, Decimal("100.00")),
        "public_domain": (Decimal("25.00"), Decimal("5.00")),
        "signs": (2, Decimal("25.00")),
        "parking_spaces": (6, Decimal("18.00")),
    }
    assert quote.surcharge_percent == 0 and quote.total == Decimal("148.00")


def test_a_shoot_ending_at_midnight_is_one_day(create_shoot, production, request_shoots):
    fees.save_tariff(db.session, NAMUR, TARIFF)
    shoot = create_shoot(*CITADEL, production=production, crew_size=30,
                         start=datetime(2027, 6, 14, 7, tzinfo=BRUSSELS), hours=17)  # fmt: skip
    (permit,) = request_shoots(shoot)
    assert fees.quote(db.session, permit).lines[0].quantity == 1


def test_late_requests_pay_the_surcharge_and_student_films_nothing(
    create_shoot, production, request_shoots, create_production, coordinator
):
    fees.save_tariff(db.session, NAMUR, TARIFF)
    soon = datetime.now(BRUSSELS).replace(hour=10, minute=0, second=0, microsecond=0)
    (late,) = request_shoots(create_shoot(*CITADEL, production=production, crew_size=30,
                                          start=soon + timedelta(days=3)))  # fmt: skip
    quote = fees.quote(db.session, late)
    assert quote.surcharge_percent == 25
    assert quote.total == (quote.subtotal * Decimal("1.25")).quantize(Decimal("0.01"))
    production.type = ProductionType.STUDENT
    quote = fees.quote(db.session, late)
    assert quote.exempt_type == "student" and quote.total == 0 and quote.subtotal > 0


def test_a_commune_without_a_tariff_charges_nothing(namur_permit):
    assert fees.quote(db.session, namur_permit).total == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"per_day": "-1"}, "per_day"),
        ({"per_sign": "NaN"}, "per_sign"),
        ({"per_m2_day": "1e400"}, "per_m2_day"),
        ({"per_day": "100000.01"}, "per_day"),
        ({"urgency_surcharge_percent": 201}, "urgency_surcharge_percent"),
    ],
)
def test_a_bad_tariff_is_refused_naming_its_field(app, values, field):
    with pytest.raises(InvalidInput) as caught:
        fees.save_tariff(db.session, NAMUR, values)
    assert caught.value.field == field


def test_the_space_length_is_the_communes(app):
    assert measures.space_length_of(db.session, NAMUR) == DEFAULT_PARKING_SPACE_M
    db.session.add(PermitCommuneSettings(commune_nis=NAMUR, parking_space_m=6.0))
    assert measures.space_length_of(db.session, NAMUR) == 6.0


def test_fees_over_http_and_on_the_page(
    client, token_for, login, officer, coordinator, namur_permit, make_user
):
    url = f"/api/v1/permits/communes/{NAMUR}/tariff"
    assert client.get(url).get_json()["per_day"] == "0"
    refused = client.put(url, json={"per_day": "-3"}, headers=token_for(officer))
    assert (refused.status_code, refused.get_json()["field"]) == (400, "per_day")
    saved = client.put(url, json={"per_day": "40.5"}, headers=token_for(officer))
    assert saved.status_code == 200 and saved.get_json()["per_day"] == "40.50"
    detail = client.get(f"/api/v1/permits/{namur_permit.id}", headers=token_for(officer))
    assert detail.get_json()["fees"]["total"] == "40.50"
    status_url = f"/api/v1/permits/{namur_permit.id}/fees"
    assert client.put(status_url, json={"status": "paid"},
                      headers=token_for(coordinator)).status_code == 403  # fmt: skip
    other = make_user("officer", commune="63023")
    assert client.put(status_url, json={"status": "paid"},
                      headers=token_for(other)).status_code == 404  # fmt: skip
    paid = client.put(status_url, json={"status": "paid"}, headers=token_for(officer))
    assert paid.get_json()["status"] == "paid"
    login(officer)
    page = client.get(f"/permits/{namur_permit.id}?lang=de").text
    assert "40,50\u00a0€" in page and "bezahlt" in page
    waived = client.post(f"/permits/{namur_permit.id}/fees", data={"fee-status": "waived"})
    assert waived.status_code == 302 and namur_permit.fee_status == "waived"


def test_the_quote_is_printed_in_the_document(client, login, create_shoot, production,
                                              request_shoots, coordinator):  # fmt: skip
    fees.save_tariff(db.session, NAMUR, TARIFF)
    shoot = create_shoot(*CITADEL, production=production, crew_size=30, parking_suspension=True,
                         activities={"parking_spaces": 2, "streets": ["Rue de Fer"]})  # fmt: skip
    (permit,) = request_shoots(shoot)
    login(coordinator)
    page = client.get(f"/permits/{permit.id}/document?lang=de").text  # Namur's: French
    assert "Redevances" in page and "Stationnement interdit sur 11 m (2 places)" in page
    # 1 day × 50 + 2 signs × 12,50 + 2 spaces × 3 = 81 €
    assert "81,00\u00a0€" in page


def test_a_tariff_saved_without_exemptions_exempts_student_films(app):
    fees.save_tariff(db.session, NAMUR, {"per_day": "10"})
    assert fees.tariff_of(db.session, NAMUR).exempt_types == ["student"]
    fees.save_tariff(db.session, NAMUR, {"per_day": "10", "exempt_types": []})
    assert fees.tariff_of(db.session, NAMUR).exempt_types == []
