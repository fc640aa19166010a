"""JSON API of the communes layer."""

from __future__ import annotations

from flask import Blueprint, jsonify

from core.auth.policy import authorize
from core.communes.models import Commune
from core.communes.operations import active_communes, commune_at, commune_with_geojson
from core.communes.schemas import CommuneAtPoint, CommuneFeature, CommuneList, PointQuery
from core.db import db
from core.errors import NotFound
from core.geo import feature
from core.validation import Access, validated

bp = Blueprint("communes_api", __name__, url_prefix="/api/v1/communes")


def summary(commune: Commune) -> dict:
    return {
        "nis": commune.nis,
        "name_fr": commune.name_fr,
        "name_de": commune.name_de,
        "province": commune.province,
    }


@bp.get("")
@validated(response=CommuneList, access=Access.PUBLIC, summary="List the active communes")
def list_communes():
    authorize("communes.read")
    return jsonify({"communes": [summary(c) for c in active_communes(db.session)]})


@bp.get("/at")
@validated(
    query=PointQuery,
    response=CommuneAtPoint,
    access=Access.PUBLIC,
    errors=(404,),
    summary="Find the commune at a point (404 outside Wallonia)",
)
def commune_at_point(query: PointQuery):
    authorize("communes.read")
    lon, lat = query.lon, query.lat
    found = commune_at(db.session, lon, lat)
    if found is None:
        raise NotFound(
            f"No Walloon commune at lon={lon}, lat={lat}: the point is outside Wallonia.",
            field="lon,lat",
        )
    commune, distance = found
    return jsonify({**summary(commune), "distance_m": round(distance, 1)})


@bp.get("/<nis>")
@validated(response=CommuneFeature, access=Access.PUBLIC, summary="One commune with its boundary")
def get_commune(nis: str):
    authorize("communes.read")
    found = commune_with_geojson(db.session, nis)
    if found is None:
        raise NotFound(f"No commune with NIS code {nis!r}.")
    commune, geometry = found
    properties = {
        **summary(commune),
        "name_nl": commune.name_nl,
        "arrondissement": commune.arrondissement,
        "province_nis": commune.province_nis,
        "population": commune.population,
        "retired": commune.retired_at is not None,
    }
    return (
        jsonify(feature(geometry, properties, commune.nis)),
        200,
        {"Content-Type": "application/geo+json"},
    )
