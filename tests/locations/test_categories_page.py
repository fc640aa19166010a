"""The categories page (administrators): names in three languages, a place in the lists, a
code fixed at creation; a refusal names its field and stores nothing."""

from __future__ import annotations

import pytest

from core.db import db
from locations.models import Category
from tests.forms import errors_of, value_of
from tests.hostile import EVALUATED, HOSTILE_STRINGS

NEW = {
    "new-code": "lighthouse",
    "new-label_fr": "Phare",
    "new-label_de": "Leuchtturm",
    "new-label_en": "Lighthouse",
    "new-position": "40",
}


@pytest.fixture
def admin(client, login, make_user):
    login(make_user("admin"))


def test_an_administrator_adds_a_category_that_the_search_offers_in_each_language(client, admin):
    added = client.post("/locations/categories?lang=fr", data=NEW)
    assert added.status_code == 302
    category = db.session.get(Category, "lighthouse")
    assert (category.label_fr, category.label_de, category.position) == ("Phare", "Leuchtturm", 40)
    assert ">Leuchtturm</option>" in client.get("/locations?lang=de").text
    assert ">Phare</option>" in client.get("/locations?lang=fr").text


def test_a_taken_code_is_refused_and_the_first_stays(client, admin):
    client.post("/locations/categories", data=NEW)
    again = client.post("/locations/categories?lang=fr", data={**NEW, "new-label_fr": "Autre"})
    assert again.status_code == 409 and "lighthouse" in again.text
    assert db.session.get(Category, "lighthouse").label_fr == "Phare"
    assert value_of(again.text, "new-label_fr") == "Autre"  # what was typed stays


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("new-code", "Phare!", 400),
        ("new-code", "x", 400),
        ("new-code", "a" * 41, 400),
        ("new-label_de", "", 400),
        ("new-label_de", "   ", 400),
        ("new-position", "10001", 400),
        ("new-position", "-1", 400),
        ("new-position", "1e9", 400),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_stored(client, admin, field, value, status):
    answer = client.post("/locations/categories?lang=de", data={**NEW, field: value})
    assert answer.status_code == status
    assert errors_of(answer.text, field), answer.text[:2000]
    assert db.session.get(Category, "lighthouse") is None


def test_an_administrator_renames_a_category_in_german(client, admin):
    code = db.session.query(Category.code).order_by(Category.code).first()[0]
    category = db.session.get(Category, code)
    fields = {
        f"edit-{code}-label_fr": category.label_fr,
        f"edit-{code}-label_de": "Neuer Name",
        f"edit-{code}-label_en": category.label_en,
        f"edit-{code}-position": str(category.position),
    }
    assert client.post(f"/locations/categories/{code}", data=fields).status_code == 302
    assert db.session.get(Category, code).label_de == "Neuer Name"
    empty = client.post(
        f"/locations/categories/{code}?lang=fr", data={**fields, f"edit-{code}-label_de": ""}
    )
    assert empty.status_code == 400 and errors_of(empty.text, f"edit-{code}-label_de")
    assert db.session.get(Category, code).label_de == "Neuer Name"


def test_hostile_names_are_stored_as_typed_and_shown_as_text(client, admin):
    for number, hostile in enumerate(HOSTILE_STRINGS):
        name = hostile[:120].strip() or "x"
        data = {**NEW, "new-code": f"hostile_{number}", "new-label_en": name}
        assert client.post("/locations/categories", data=data).status_code == 302, hostile
        assert db.session.get(Category, f"hostile_{number}").label_en == name
    page = client.get("/locations/categories?lang=en").text
    assert "<script>window.pwned" not in page and "<img src=x" not in page
    assert not any(evaluated in page for evaluated in EVALUATED)


@pytest.mark.parametrize("who", ["scout", "coordinator", "officer"])
def test_other_roles_are_refused(client, login, make_user, who):
    login(make_user(who, commune="92094") if who == "officer" else make_user(who))
    assert client.get("/locations/categories").status_code == 403
    assert client.post("/locations/categories", data=NEW).status_code == 403
    assert db.session.get(Category, "lighthouse") is None
