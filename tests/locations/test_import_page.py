"""The import page: a file is checked first (the dry run's report, in the page's language),
kept for its uploader only, and imported on confirmation, every row or none."""

from __future__ import annotations

import io
import os
import re
import time

import pytest
from sqlalchemy import func, select

from core.db import db
from locations import import_staging
from locations.models import Location, LocationStatus

HEADER = "name,lon,lat,categories,external_ref\n"
GOOD = "Citadelle,4.8617,50.4596,fortress,ref-1\nGare de Liège,5.5667,50.6246,,ref-2\n"


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Location))


def check(client, content: str, lang: str = "fr", **fields):
    return client.post(
        f"/locations/import?lang={lang}",
        data={"file": (io.BytesIO(content.encode()), "lieux.csv"), "crs": "4326",
              "status": "draft", **fields},
        content_type="multipart/form-data",
    )  # fmt: skip


def confirm_fields(page: str) -> dict[str, str]:
    form = page[page.index('action="/locations/import/confirm"') :]
    return dict(
        re.findall(r'name="(token|filename|crs|status)" type="hidden" value="([^"]*)"', form)
    )


@pytest.fixture
def scout(client, login, make_user):
    user = make_user("scout")
    login(user)
    return user


def test_a_file_is_checked_then_imported_on_confirmation(client, scout):
    before = count()
    checked = check(client, HEADER + GOOD)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "2 lignes sont prêtes à être importées" in page
    assert count() == before  # the dry run stored nothing
    fields = confirm_fields(page)
    done = client.post("/locations/import/confirm?lang=fr", data=fields)
    assert done.status_code == 302 and "status=draft" in done.headers["Location"]
    assert count() == before + 2
    names = db.session.scalars(select(Location.name).where(Location.external_ref.like("ref-%")))
    assert sorted(names) == ["Citadelle", "Gare de Liège"]
    assert {loc.status for loc in db.session.scalars(select(Location))} >= {LocationStatus.DRAFT}
    assert import_staging.staged(scout, fields["token"]) is None  # used once
    again = client.post("/locations/import/confirm", data=fields)
    assert again.status_code == 400 and count() == before + 2


@pytest.mark.parametrize(
    ("lang", "outside", "unknown"),
    [
        ("fr", "est en dehors de la Wallonie", "catégorie inconnue"),
        ("de", "liegt außerhalb der Wallonie", "unbekannte Kategorie"),
    ],
)
def test_refused_rows_are_named_in_the_language_and_nothing_can_be_imported(
    client, scout, lang, outside, unknown
):
    before = count()
    bad = "Paris,2.35,48.85,,x-1\nVolcan,4.86,50.46,volcano,x-2\n"
    page = check(client, HEADER + GOOD + bad, lang).get_data(as_text=True)
    assert outside in page and unknown in page
    assert 'action="/locations/import/confirm"' not in page  # no button to import
    assert count() == before


def test_only_the_uploader_may_confirm_a_file(client, scout, login, make_user):
    fields = confirm_fields(check(client, HEADER + GOOD).get_data(as_text=True))
    before = count()
    login(make_user("coordinator"))
    stolen = client.post("/locations/import/confirm?lang=en", data=fields)
    assert stolen.status_code == 400 and "send it again" in stolen.get_data(as_text=True)
    assert count() == before


@pytest.mark.parametrize("token", ["../../etc/passwd", "x" * 31, "", "a/b" * 20])
def test_a_forged_token_finds_no_file(client, scout, token):
    fields = {"token": token, "filename": "x.csv", "crs": "4326", "status": "draft"}
    before = count()
    assert client.post("/locations/import/confirm", data=fields).status_code == 400
    assert count() == before


def test_a_kept_file_expires(client, scout):
    fields = confirm_fields(check(client, HEADER + GOOD).get_data(as_text=True))
    path = next(p for p in (import_staging._folder()).iterdir() if p.name.endswith(fields["token"]))
    old = time.time() - import_staging.MAX_AGE_SECONDS - 1
    os.utime(path, (old, old))
    before = count()
    assert client.post("/locations/import/confirm", data=fields).status_code == 400
    assert count() == before


def test_a_reference_taken_meanwhile_refuses_the_whole_file(client, scout, create_location):
    fields = confirm_fields(check(client, HEADER + GOOD).get_data(as_text=True))
    create_location(5.0, 50.3, name="Déjà là", external_ref="ref-2")
    before = count()
    answer = client.post("/locations/import/confirm?lang=en", data=fields)
    assert answer.status_code == 400 and "already in the library" in answer.get_data(as_text=True)
    assert count() == before


def test_a_scout_may_not_import_as_published(client, scout):
    page = client.get("/locations/import").get_data(as_text=True)
    assert 'value="published"' not in page
    assert check(client, HEADER + GOOD, status="published").status_code == 403


@pytest.mark.parametrize("name", ["{{ 7*7 }}", "</script><script>alert(1)</script>", "${7*7}"])
def test_names_in_the_report_are_text(client, scout, name):
    page = check(client, HEADER + f'"{name}",4.8617,50.4596,,\n').get_data(as_text=True)
    assert "<script>alert(1)" not in page and ">49<" not in page
    assert name.replace("<", "&lt;").replace(">", "&gt;") in page


def test_a_file_that_is_not_a_table_is_refused_next_to_the_field(client, scout):
    answer = check(client, "\x00\x01 not a table", "de")
    assert answer.status_code == 400
    assert 'aria-invalid="true"' in answer.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/locations/import").status_code in (302, 401)
