"""Every permit endpoint against every role: who gets what, and that refusals leak nothing."""

import io

import pytest

from tests.permits.conftest import CITADEL, PROFONDEVILLE, pdf_bytes

ROLES = (
    "admin",
    "coordinator",
    "other_coordinator",
    "officer",
    "other_officer",
    "scout",
    "anonymous",
)
HIDDEN = {"other_coordinator": 404, "other_officer": 404, "scout": 404}
READ = {"admin": 200, "coordinator": 200, "officer": 200, **HIDDEN}
APPLICANT_ONLY = {"admin": 403, "coordinator": 200, "officer": 403, **HIDDEN}

# (method, path template, what the API expects per role; anonymous is 401 / sign-in redirect)
API = {
    "create": ("POST", "/api/v1/permits", {
        "admin": 403, "coordinator": 201, "other_coordinator": 404, "officer": 403,
        "other_officer": 403, "scout": 403,
    }),
    "list": ("GET", "/api/v1/permits", {
        "admin": 200, "coordinator": 200, "other_coordinator": 200, "officer": 200,
        "other_officer": 200, "scout": 403,
    }),
    "detail": ("GET", "/api/v1/permits/{id}", READ),
    "pdf": ("GET", "/api/v1/permits/{id}.pdf", READ),
    "history": ("GET", "/api/v1/permits/{id}/history", READ),
    "submit": ("POST", "/api/v1/permits/{id}/transitions", APPLICANT_ONLY),
    "insurance": ("POST", "/api/v1/permits/{id}/insurance", APPLICANT_ONLY),
}  # fmt: skip
HTML = {
    "index": ("GET", "/permits/", {
        "admin": 200, "coordinator": 200, "other_coordinator": 200, "officer": 200,
        "other_officer": 200, "scout": 403,
    }),
    "new": ("GET", "/permits/new", {
        "admin": 403, "coordinator": 200, "other_coordinator": 200, "officer": 403,
        "other_officer": 403, "scout": 403,
    }),
    "show": ("GET", "/permits/{id}", READ),
    "document": ("GET", "/permits/{id}/document", READ),
    "pdf": ("GET", "/permits/{id}.pdf", READ),
    "certificate": ("GET", "/permits/{id}/insurance.pdf", READ),
    "transition": ("POST", "/permits/{id}/transition", {
        "admin": 403, "coordinator": 302, "officer": 403, **HIDDEN,
    }),
    "upload": ("POST", "/permits/{id}/insurance", {
        "admin": 403, "coordinator": 302, "officer": 403, **HIDDEN,
    }),
}  # fmt: skip


@pytest.fixture
def actors(make_user, coordinator, officer):
    return {
        "admin": make_user("admin"),
        "coordinator": coordinator,
        "other_coordinator": make_user("coordinator"),
        "officer": officer,
        "other_officer": make_user("officer", commune=PROFONDEVILLE),
        "scout": make_user("scout"),
        "anonymous": None,
    }


@pytest.fixture
def draft(create_shoot, production, request_shoots, create_production, actors):
    create_production(title="Autre film", coordinators=[actors["other_coordinator"]])
    shoot = create_shoot(*CITADEL, production=production)
    spare = create_shoot(4.8700, 50.4650, production=production)
    (permit,) = request_shoots(shoot)
    return permit, spare


def _call(client, method, path, headers, body_for):
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, headers=headers, **body_for(path))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(API))
def test_api_matrix(client, token_for, actors, draft, production, role, endpoint):
    permit, spare = draft
    method, template, expected = API[endpoint]
    user = actors[role]
    headers = token_for(user) if user else {}

    def body_for(path):
        if endpoint == "create":
            return {"json": {"production_id": production.id, "shoot_ids": [spare.id]}}
        if endpoint == "insurance":
            return {"data": {"file": (io.BytesIO(pdf_bytes()), "a.pdf")}}
        return {"json": {"action": "submit"}}

    response = _call(client, method, template.format(id=permit.id), headers, body_for)
    assert response.status_code == expected.get(role, 401), response.data[:300]
    if response.status_code >= 400:
        assert response.is_json  # API errors are JSON
        assert b"Le Fleuve" not in response.data and b"Namur" not in response.data
    if endpoint == "list" and response.status_code == 200:
        listed = [p["id"] for p in response.get_json()["permits"]]
        assert (permit.id in listed) == (role in ("admin", "coordinator", "officer"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(HTML))
def test_html_matrix(client, login, actors, draft, role, endpoint):
    permit, _spare = draft
    method, template, expected = HTML[endpoint]
    if actors[role] is not None:
        login(actors[role])

    def body_for(path):
        if endpoint == "upload":
            return {"data": {"file": (io.BytesIO(pdf_bytes()), "a.pdf")}}
        return {"data": {"action": "submit"}}

    response = _call(client, method, template.format(id=permit.id), {}, body_for)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        return
    assert response.status_code == expected[role], response.data[:300]
    if response.status_code in (403, 404):
        assert b"Le Fleuve" not in response.data


def test_unknown_request_is_404_for_signed_in_and_401_for_visitors(client, token_for, officer):
    assert client.get("/api/v1/permits/999999").status_code == 401
    assert client.get("/api/v1/permits/999999", headers=token_for(officer)).status_code == 404
