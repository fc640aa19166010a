"""Liveness and database health for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
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
        # The driver's message names the socket or host: for the log, not for the caller.
        current_app.logger.warning("health check: database unavailable: %s", exc)
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "down"}), 503
    return jsonify({"status": "ok", "database": "ok", "postgis": version})
