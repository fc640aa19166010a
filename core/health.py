"""Liveness and database health for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.db import db
from core.embedded_db import EmbeddedDatabaseError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        version = db.session.execute(text("SELECT postgis_lib_version()")).scalar_one()
    except (SQLAlchemyError, OSError, EmbeddedDatabaseError) as exc:
        db.session.rollback()
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return jsonify({"status": "error", "database": "unavailable", "detail": detail}), 503
    return jsonify({"status": "ok", "database": "ok", "postgis": version})
