"""Map pages. The blueprint also serves the maps runtime (maps/static)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("maps", __name__, url_prefix="/maps", static_folder="static")
