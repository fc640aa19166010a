"""One unit of work per request: the request commits once, in core.db, or stores nothing."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Blueprint, Flask, redirect
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core import create_app
from core.auth.models import Role, User
from core.auth.operations import create_user
from core.db import commit, db, engine_for, unit_of_work
from core.errors import Conflict, InvalidInput

PROJECT = Path(__file__).resolve().parent.parent
APPLICATION_PACKAGES = ("core", "locations", "shoots", "permits", "maps", "ogc")
THE_ONE_COMMIT = PROJECT / "core" / "db.py"

probe = Blueprint("probe", __name__, url_prefix="/probe")


def _write(email: str) -> None:
    create_user(db.session, email, Role.SCOUT, password="a long enough password")
    db.session.flush()  # written to the database, in the request's transaction


@probe.post("/refuse/<email>")
def write_then_refuse(email: str):
    _write(email)
    raise InvalidInput("name", "is refused after a write")


@probe.post("/unprocessable/<email>")
def write_then_answer_422(email: str):
    _write(email)
    return "no", 422


@probe.post("/crash/<email>")
def write_then_crash(email: str):
    _write(email)
    raise RuntimeError("a bug after a write")


@probe.post("/store/<email>")
def write_and_redirect(email: str):
    _write(email)
    return redirect("/")


@probe.post("/twice/<email>")
def write_a_duplicate(email: str):
    _write(email)
    # The same e-mail address again, added without a flush: the unique index refuses it
    # only when the request commits, after the view returned.
    db.session.add(User(email=email, role=Role.SCOUT, password_hash="x"))
    return redirect("/")


@pytest.fixture(scope="module")
def probe_app(_app: Flask) -> Flask:
    app = create_app(
        {
            key: _app.config[key]
            for key in ("TESTING", "DATABASE_URL", "SECRET_KEY", "WTF_CSRF_ENABLED", "SERVER_NAME")
        }
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a bug is a 500 page, as in production
    app.register_blueprint(probe)
    return app


@pytest.fixture
def committed_probe(probe_app: Flask, committed_app: Flask) -> Iterator[Flask]:
    """The probe app on the real database; committed_app empties the tables afterwards."""
    yield probe_app


def _stored(app: Flask, email: str) -> bool:
    """Whether another connection sees the account: only committed rows are visible there."""
    with engine_for(app.config["DATABASE_URL"]).connect() as other:
        found = other.execute(text("SELECT 1 FROM users WHERE email = :e"), {"e": email})
        return found.first() is not None


@pytest.mark.parametrize(
    ("path", "status"),
    [("refuse", 400), ("unprocessable", 422), ("crash", 500)],
)
def test_a_request_that_writes_then_fails_stores_nothing(committed_probe, path, status):
    response = committed_probe.test_client().post(f"/probe/{path}/{path}@example.be")
    assert response.status_code == status
    assert not _stored(committed_probe, f"{path}@example.be")


def test_a_successful_post_is_committed_once_the_view_returns(committed_probe):
    response = committed_probe.test_client().post("/probe/store/stored@example.be")
    assert response.status_code == 302
    assert _stored(committed_probe, "stored@example.be")


def test_a_commit_the_database_refuses_is_a_409_not_a_500(committed_probe):
    response = committed_probe.test_client().post(
        "/probe/twice/twice@example.be", headers={"Accept": "application/json"}
    )
    assert response.status_code == 409
    assert response.get_json()["error"] == "conflict"
    assert not _stored(committed_probe, "twice@example.be")


def test_unit_of_work_commits_a_block_and_rolls_back_a_failed_one(committed_app):
    with unit_of_work(db.session):
        _write("block@example.be")
    assert _stored(committed_app, "block@example.be")
    with pytest.raises(InvalidInput), unit_of_work(db.session):
        _write("failed-block@example.be")
        raise InvalidInput("name", "refused")
    assert not _stored(committed_app, "failed-block@example.be")


def test_commit_turns_a_refused_commit_into_a_conflict(committed_app):
    _write("dup@example.be")
    db.session.add(User(email="dup@example.be", role=Role.SCOUT, password_hash="x"))
    with pytest.raises(Conflict) as refused:
        commit(db.session)
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert not _stored(committed_app, "dup@example.be")


def _session_commits(path: Path) -> list[int]:
    """Lines of PATH that call .commit() on a session (a savepoint's .commit() is fine)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "commit":
            continue
        target = node.func.value
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "session":
            lines.append(node.lineno)
    return lines


def test_only_core_db_commits_a_session():
    offenders = {
        f"{path.relative_to(PROJECT)}:{line}"
        for package in APPLICATION_PACKAGES
        for path in (PROJECT / package).rglob("*.py")
        if path != THE_ONE_COMMIT
        for line in _session_commits(path)
    }
    assert offenders == set()
    assert _session_commits(THE_ONE_COMMIT), "the one commit moved: update this test"
