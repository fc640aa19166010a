import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.auth.models import ApiToken, User
from core.auth.operations import authenticate, create_user
from core.auth.policy import RULES, allowed
from core.db import db
from core.errors import InvalidInput
from tests.conftest import PASSWORD


def test_cli_creates_user_with_password_from_stdin(runner):
    result = runner.invoke(
        args=["users", "create", "Anne@Example.be", "--role", "coordinator", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "Anne@Example.be"))
    assert user is not None and user.role.value == "coordinator"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    assert authenticate(db.session, "anne@example.be", "a long enough password") == user


def test_cli_officer_needs_an_existing_commune(runner):
    no_commune = runner.invoke(args=["users", "create", "o@example.be", "--role", "officer"])
    unknown = runner.invoke(
        args=["users", "create", "o@example.be", "--role", "officer", "--commune", "99999"]
    )
    ok = runner.invoke(
        args=["users", "create", "o@example.be", "--role", "officer", "--commune", "63023"]
    )
    assert no_commune.exit_code != 0 and "bound to a commune" in no_commune.output
    assert unknown.exit_code != 0 and "unknown commune" in unknown.output
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize(
    ("email", "role", "commune", "password", "field"),
    [
        ("not-an-email", "scout", None, PASSWORD, "email"),
        ("a@example.be", "producer", None, PASSWORD, "role"),
        ("a@example.be", "scout", "92094", PASSWORD, "commune"),
        ("a@example.be", "scout", None, "short", "password"),
    ],
)
def test_create_user_rejects_bad_input(app, email, role, commune, password, field):
    with pytest.raises(InvalidInput) as error:
        create_user(db.session, email, role, password=password, commune_nis=commune)
    assert error.value.field == field


def test_email_is_unique_regardless_of_case(make_user):
    make_user("scout", email="same@example.be")
    with pytest.raises(InvalidInput, match="already exists"):
        make_user("scout", email="SAME@example.be")


def test_cli_token_is_printed_once_and_stored_hashed(runner, make_user, client):
    user = make_user("scout")
    result = runner.invoke(args=["tokens", "create", user.email])
    token = result.output.strip()
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert result.exit_code == 0
    assert token.startswith("trn_") and len(token) > 40
    assert token not in stored and len(stored) == 1
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["email"] == user.email


def test_token_for_unknown_user_fails(runner):
    result = runner.invoke(args=["tokens", "create", "nobody@example.be"])
    assert result.exit_code != 0 and "No account" in result.output


def test_api_without_credentials_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_api_with_bad_or_revoked_token_is_401(client, make_user, token_for):
    user = make_user("scout")
    headers = token_for(user)
    db.session.scalars(select(ApiToken)).one().revoked_at = datetime.now(UTC)
    for header in (headers, {"Authorization": "Bearer trn_forged"}, {"Authorization": "Basic x"}):
        assert client.get("/api/v1/me", headers=header).status_code == 401


def test_disabled_user_cannot_use_token_or_log_in(client, make_user, token_for):
    user = make_user("scout")
    headers = token_for(user)
    user.is_enabled = False
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401


def test_forbidden_api_call_is_403(client, make_user, token_for):
    scout, admin = make_user("scout"), make_user("admin")
    assert client.get("/api/v1/users", headers=token_for(scout)).status_code == 403
    listed = client.get("/api/v1/users", headers=token_for(admin))
    assert listed.status_code == 200
    assert {u["email"] for u in listed.get_json()["users"]} == {scout.email, admin.email}


def test_login_and_logout_with_session(client, make_user, login):
    user = make_user("coordinator")
    login(user)
    assert client.get("/api/v1/me").get_json()["role"] == "coordinator"
    page = client.get("/")
    assert user.email in page.get_data(as_text=True)
    client.post("/logout")
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_is_refused_without_saying_which_part(client, make_user):
    user = make_user("scout")
    wrong = client.post("/login", data={"email": user.email, "password": "wrong password"})
    unknown = client.post("/login", data={"email": "who@example.be", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    message = "Adresse e-mail inconnue ou mot de passe erroné."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_login_redirect_stays_on_site(client, make_user):
    user = make_user("scout")
    data = {"email": user.email, "password": PASSWORD}
    evil = client.post("/login?next=https://evil.example/", data=data)
    assert evil.headers["Location"] == "/"
    client.post("/logout")
    local = client.post("/login?next=/api/v1/me", data=data)
    assert local.headers["Location"] == "/api/v1/me"


def test_session_cookie_expires(client, make_user, app):
    user = make_user("scout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)


def test_login_form_without_csrf_token_is_rejected(csrf_client, make_user):
    user = make_user("scout")
    response = csrf_client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert csrf_client.get("/api/v1/me").status_code == 401


def test_login_form_with_its_csrf_token_signs_in(csrf_client, make_user):
    user = make_user("scout")
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert csrf_client.post("/login", data=data).status_code == 302
    assert csrf_client.get("/api/v1/me").status_code == 200


def test_cookie_session_write_needs_csrf_but_bearer_does_not(csrf_client, make_user, token_for):
    user = make_user("scout")
    logout_without_token = csrf_client.post("/logout", headers={"Accept": "application/json"})
    assert logout_without_token.status_code == 400
    assert "CSRF" in logout_without_token.get_json()["detail"]
    with_bearer = csrf_client.post("/api/v1/me", headers=token_for(user))
    assert with_bearer.status_code == 405  # past the CSRF check: the route is GET-only


def test_every_policy_action_is_decided_for_every_role(make_user):
    users = [None] + [make_user(role) for role in ("admin", "coordinator", "scout", "officer")]
    for action in RULES:
        for user in users:
            assert allowed(user, action) in (True, False)
    assert not allowed(None, "users.manage")
    assert allowed(users[1], "users.manage")


def test_bearer_token_works_when_the_client_also_has_a_cookie_session(client, make_user, token_for):
    user = make_user("scout")
    client.get("/lang/de")  # a cookie session without a signed-in user
    response = client.get("/api/v1/me", headers=token_for(user))
    assert response.status_code == 200 and response.get_json()["email"] == user.email
