"""The map library: folium maps built safely (builder), the escaping they rely on (safety), their
self-hosted assets (assets) and the browser runtime under /maps/static. Feature packages build
their maps with it; the map pages live in maps/ (see docs/maps.md, docs/architecture.md)."""

from flask import Blueprint

# The runtime keeps its historical URLs (/maps/static/...), which cached pages and tests use.
bp = Blueprint("mapping", __name__, static_folder="static", static_url_path="/maps/static")
