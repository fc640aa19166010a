"""One way to write HTML forms (docs/architecture.md, "HTML forms"): WTForms classes, CSRF
on every one, errors in the page's language, numbers typed the Belgian way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.routing import AnyConverter

from core.errors import InvalidInput, in_english
from core.forms import DecimalCommaField, Form
from core.validation import CodeConverter
from locations.forms import LocationForm
from tests.conftest import PASSWORD

PROJECT = Path(__file__).resolve().parent.parent
APPLICATION_PACKAGES = ("core", "locations", "shoots", "permits", "maps", "ogc")
TEMPLATES = PROJECT / "templates"
# What a page view may not read itself: the submitted fields reach it through a form class.
RAW_FORM_DATA = {"form", "files", "values"}


def _view_modules() -> list[Path]:
    """Modules serving pages: they define a blueprint and are not an API module."""
    modules = []
    for package in APPLICATION_PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):
            if path.name != "api.py" and "Blueprint(" in path.read_text(encoding="utf-8"):
                modules.append(path)
    return modules


def _raw_form_reads(path: Path, root: Path = PROJECT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.relative_to(root)}:{node.lineno}: request.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in RAW_FORM_DATA
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    ]


def test_page_views_read_submitted_fields_only_through_form_classes():
    modules = _view_modules()
    assert {p.name for p in modules} >= {"views.py", "pages.py"}  # the scan finds the views
    offenders = [line for path in modules for line in _raw_form_reads(path)]
    assert offenders == []


def test_the_scan_would_see_a_view_reading_request_form(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def page():\n    form = request.form\n    return request.files\n")
    assert _raw_form_reads(module, tmp_path) == [
        "views.py:2: request.form",
        "views.py:3: request.files",
    ]


def _post_forms(template: Path) -> list[str]:
    text = template.read_text(encoding="utf-8")
    return re.findall(r'<form\b[^>]*method="post".*?</form>', text, re.S)


def test_every_post_form_in_the_templates_carries_its_form_class_token():
    forms = {
        f"{path.relative_to(TEMPLATES)} #{index}": form
        for path in sorted(TEMPLATES.rglob("*.html"))
        for index, form in enumerate(_post_forms(path))
    }
    assert len(forms) >= 15  # the scan finds the forms
    without = [
        name for name, form in forms.items() if not re.search(r"hidden_tag\(\)|csrf_token }}", form)
    ]
    assert without == []
    hand_written = [name for name, form in forms.items() if "csrf_token()" in form]
    assert hand_written == []


def _html_post_urls(app: Flask) -> list[str]:
    """Every page route taking POST, its path parameters filled with 1."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule.startswith("/api/"):
            continue
        values = {name: "cover" if name == "action" else 1 for name in rule.arguments}
        for name, converter in rule._converters.items():  # one of a few words: the first
            if isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            elif isinstance(converter, CodeConverter):
                values[name] = "signage"
        urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def test_every_page_form_refuses_a_post_without_its_csrf_token(csrf_client):
    """Anonymous or signed in, in French or German: 400, a page saying so, nothing done."""
    urls = _html_post_urls(csrf_client.application)
    assert len(urls) >= 20
    for url in urls:
        response = csrf_client.post(url, data={"name": "x"})
        assert response.status_code == 400, url
        assert "Formulaire expiré" in response.get_data(as_text=True), url
    german = csrf_client.post("/locations/new?lang=de", data={"name": "x"})
    assert german.status_code == 400 and "Formular abgelaufen" in german.get_data(as_text=True)


def test_a_page_form_with_its_token_passes_the_csrf_check(csrf_client, make_user):
    user = make_user("scout")
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    login = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert csrf_client.post("/login", data=login).status_code == 302
    form_page = csrf_client.get("/locations/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page).group(1)
    refused = csrf_client.post("/locations/new", data={"csrf_token": token, "name": "x"})
    assert refused.status_code == 400  # past the CSRF check: the form names the missing point
    assert "Formulaire expiré" not in refused.get_data(as_text=True)
    assert "est obligatoire" in refused.get_data(as_text=True)


class NumberForm(Form):
    lon = DecimalCommaField("Longitude")


@pytest.mark.parametrize(
    ("typed", "value"),
    [("4,8550", 4.855), ("4.8550", 4.855), (" 50,4717 ", 50.4717), ("-0,5", -0.5), ("", None)],
)
def test_a_decimal_comma_is_a_decimal_point(app: Flask, typed, value):
    with app.test_request_context("/", method="POST"):
        form = NumberForm(formdata=MultiDict({"lon": typed}), meta={"csrf": False})
        assert form.validate() and form.lon.data == value
        assert form.lon._value() == typed  # shown again as typed


@pytest.mark.parametrize("typed", ["4,855,0", "4.855,5", "4,8 550", "quatre"])
def test_an_ambiguous_or_wordy_number_is_refused_in_the_page_language(app: Flask, typed):
    with app.test_request_context("/?lang=de", method="POST"):
        form = NumberForm(formdata=MultiDict({"lon": typed}), meta={"csrf": False})
        assert not form.validate()
        assert form.lon.errors == ["muss eine Zahl sein, z. B. 4,8617 oder 4.8617"]


def test_a_domain_error_lands_next_to_the_field_it_names(app: Flask):
    with app.test_request_context("/?lang=de", method="POST"):
        form = LocationForm(formdata=MultiDict({"name": "x"}), meta={"csrf": False})
        error = InvalidInput("properties.outline", _outside())
        assert form.refuse(error) == 400
        assert form.outline.errors == [
            "liegt außerhalb Belgiens: geben Sie [Länge, Breite] in Grad an"
        ]
        form.refuse(InvalidInput("geometry", _outside()))  # the API's point: typed as lon, lat
        assert form.lon.errors and not form.form_errors
        form.refuse(InvalidInput("production_id", _outside()))  # no such field: above the form
        assert form.form_errors == [form.outline.errors[0]]
        assert form.labels_in_error() == [
            "Längengrad",
            "Umriss des Geländes (GeoJSON-Polygon, optional)",
        ]


def test_the_api_says_a_domain_error_in_english(app: Flask):
    with app.test_request_context("/?lang=de"):
        error = InvalidInput("ends_at", _after_start())
        assert error.detail == "ends_at: must be after the start"
        assert str(error.reason) == "muss nach dem Beginn liegen"
        assert in_english("plain") == "plain"


def _outside():
    return _l("lies outside Belgium: give [longitude, latitude] in degrees")


def _after_start():
    return _l("must be after starts_at")
