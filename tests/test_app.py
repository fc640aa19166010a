import pytest

from core import create_app
from core.config import ConfigurationError


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.setenv("TOURNAGES_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_production_with_own_secret_uses_secure_cookies(monkeypatch):
    monkeypatch.setenv("TOURNAGES_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-vault")
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@/none"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_settings_come_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db.example/tournages")
    monkeypatch.setenv("TOURNAGES_UPLOAD_FOLDER", str(tmp_path))
    app = create_app()
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@db.example/tournages"
    assert app.config["UPLOAD_FOLDER"] == str(tmp_path)


def test_healthz_reports_postgis(client):
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["postgis"].startswith("3.")


def test_healthz_is_503_when_database_is_down(tmp_path):
    url = f"postgresql+psycopg://nobody@/none?host={tmp_path}&port=1"
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    # Said plainly, without the driver's message (it names the socket folder).
    assert response.get_json() == {"status": "unavailable", "database": "down"}
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    missing = client.get("/api/v1/no-such-thing")
    wrong_method = client.delete("/api/v1/communes")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"] == "method_not_allowed"


def test_html_errors_are_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    ("lang", "sign_in", "password"),
    [
        ("fr", "Se connecter", "Mot de passe"),
        ("en", "Sign in", "Password"),
        ("de", "Anmelden", "Passwort"),
    ],
)
def test_login_page_in_three_languages(client, lang, sign_in, password):
    page = client.get(f"/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert sign_in in page and password in page


def test_french_is_the_default_and_choice_is_remembered(client):
    assert "Se connecter" in client.get("/login").get_data(as_text=True)
    client.get("/lang/de")
    assert "Anmelden" in client.get("/login").get_data(as_text=True)


def test_static_css_is_self_hosted(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/vendor/pico/pico.min.css" in page
    assert "http://" not in page.replace("http://localhost", "")
    assert "https://" not in page
    with client.get("/static/vendor/pico/pico.min.css") as css:
        assert css.status_code == 200


def test_db_upgrade_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "Database at head" in result.output


def test_an_idle_pooled_connection_that_died_is_replaced_before_use(_app, monkeypatch):
    """The pool pings only connections idle for IDLE_PING_SECONDS: a dead one is replaced
    and the request never sees it; a connection used a moment ago is lent without a ping."""
    import importlib

    from sqlalchemy import text

    db_module = importlib.import_module("core.db")  # `core.db` the attribute is the Database
    engine = db_module.make_engine(_app.config["DATABASE_URL"], pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            first_pid = connection.scalar(text("SELECT pg_backend_pid()"))
        with engine.connect() as connection:  # used a moment ago: no ping, same backend
            assert connection.scalar(text("SELECT pg_backend_pid()")) == first_pid
        with db_module.engine_for(_app.config["DATABASE_URL"]).connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
        monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != first_pid
    finally:
        engine.dispose()


def test_every_template_helper_is_registered_once_and_the_shared_ones_by_core(app):
    """A helper registered by two packages would be whichever ran last; the helpers pages of
    several packages use (the policy's) belong to the web shell in core."""
    owners: dict[str, list[str]] = {}
    with app.test_request_context("/"):
        for processors in app.template_context_processors.values():
            for processor in processors:
                if processor.__module__.startswith("flask"):
                    continue  # Flask's own request, session and g
                for name in processor():
                    owners.setdefault(name, []).append(processor.__module__)
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}
    for shared in ("may", "production_label", "reads_production"):
        assert owners[shared] == ["core.shell"]


BROWSER = {"Accept": "text/html,application/xhtml+xml"}


@pytest.mark.parametrize(
    ("path", "method", "status", "lang", "title"),
    [
        ("/no-such-page", "get", 404, "fr", "Page introuvable"),
        ("/locations/99999999999", "get", 404, "de", "Seite nicht gefunden"),
        ("/locations/categories/castle", "get", 405, "de", "So nicht möglich"),
        ("/no-such-page", "get", 404, "en", "Page not found"),
    ],
)
def test_a_browser_gets_the_sites_error_page_in_its_language(
    client, path, method, status, lang, title
):
    answer = getattr(client, method)(f"{path}?lang={lang}", headers=BROWSER)
    body = answer.get_data(as_text=True)
    assert answer.status_code == status and answer.mimetype == "text/html"
    assert f"<h1>{title}</h1>" in body and 'class="site-menu"' in body  # the site's layout
    assert "The requested URL" not in body  # not Werkzeug's page


def test_the_api_keeps_json_errors(client):
    answer = client.get("/api/v1/locations/99999999999", headers=BROWSER)
    assert answer.status_code == 404 and answer.is_json


def test_an_unexpected_error_is_a_page_in_the_users_language_that_stands_alone(
    app, client, monkeypatch
):
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "pages.home", boom)
    answer = client.get("/?lang=de", headers=BROWSER)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 500 and "<h1>Etwas ist schiefgelaufen</h1>" in body
    assert "boom" not in body and 'class="site-menu"' not in body
