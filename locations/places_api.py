"""GET /api/v1/places: what the place pickers suggest as people type (locations.places)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import get_locale

from core import geocoder
from core.auth.policy import authorize
from core.db import db
from core.validation import Access, validated
from locations.places import KINDS, search_places
from locations.schemas import PlaceList, PlaceQuery

bp = Blueprint("places_api", __name__, url_prefix="/api/v1/places")


@bp.get("")
@validated(
    query=PlaceQuery,
    response=PlaceList,
    access=Access.PUBLIC,
    summary="Places by name: communes, provinces, library locations, addresses.",
)
def search(query: PlaceQuery):
    user = authorize("locations.search")  # communes are public; locations as the user may see
    places = search_places(
        db.session,
        query.q,
        user,
        locale=str(get_locale() or "fr"),
        kinds=tuple(query.kind) or KINDS,
        limit=query.limit,
        geocoder=geocoder.configured(),
    )
    return jsonify({"places": [place.as_json() for place in places]})
