"""Demo locations for `make run`: the 278 Walloon railway stations and a few hand-written places.

All are published and flagged `is_demo`; each has an `external_ref`, so loading again adds only
what is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import WGS84
from locations import importing
from locations.models import Location, LocationStatus

STATIONS_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "stations" / "stations_wallonia.geojson"
)

HAND_WRITTEN: list[dict[str, Any]] = [
    {
        "external_ref": "demo:citadelle-namur",
        "name": "Citadelle de Namur (démo)",
        "lon": 4.8617,
        "lat": 50.4596,
        "categories": ["fortress", "park"],
        "tags": ["panorama", "remparts", "souterrains"],
        "description": "Citadelle dominant le confluent de la Sambre et de la Meuse.",
        "truck_parking_capacity": 12,
        "has_power": True,
        "has_water": True,
        "has_toilets": True,
        "access_notes": "Accès poids lourds par la route Merveilleuse.",
        "contact_name": "Service tourisme (démo)",
        "contact_phone": "+32 81 00 00 00",
        "contact_email": "citadelle@example.be",
    },
    {
        "external_ref": "demo:chateau-veves",
        "name": "Château de Vêves (démo)",
        "lon": 4.9915,
        "lat": 50.2303,
        "categories": ["castle"],
        "tags": ["médiéval", "tours", "vallée"],
        "description": "Château fort médiéval à tourelles dans la vallée de la Lesse.",
        "truck_parking_capacity": 4,
        "has_power": True,
        "has_toilets": True,
        "contact_name": "Propriétaire (démo)",
        "contact_email": "veves@example.be",
        "owner_notes": "Pas de tournage le dimanche.",
    },
    {
        "external_ref": "demo:abbaye-villers",
        "name": "Ruines de l'abbaye de Villers (démo)",
        "lon": 4.5310,
        "lat": 50.5866,
        "categories": ["abbey_church"],
        "tags": ["ruines", "cistercien", "gothique"],
        "description": "Ruines d'une abbaye cistercienne du XIIe siècle.",
        "truck_parking_capacity": 8,
        "has_water": True,
        "has_toilets": True,
        "step_free_access": True,
    },
    {
        "external_ref": "demo:grand-hornu",
        "name": "Site minier du Grand-Hornu (démo)",
        "lon": 3.8383,
        "lat": 50.4347,
        "categories": ["industrial_site", "museum"],
        "tags": ["briques", "charbonnage", "patrimoine"],
        "description": "Ancien complexe charbonnier néoclassique.",
        "truck_parking_capacity": 20,
        "has_power": True,
        "has_water": True,
        "has_toilets": True,
        "step_free_access": True,
    },
    {
        "external_ref": "demo:lacs-eau-heure",
        "name": "Lac de la Plate Taille (démo)",
        "lon": 4.3850,
        "lat": 50.1900,
        "categories": ["lake_river", "countryside"],
        "tags": ["barrage", "eau", "plage"],
        "description": "Grand lac de barrage aux rives boisées.",
        "truck_parking_capacity": 30,
        "has_toilets": True,
    },
    {
        "external_ref": "demo:foret-anlier",
        "name": "Forêt d'Anlier (démo)",
        "lon": 5.6000,
        "lat": 49.7800,
        "categories": ["forest"],
        "tags": ["hêtraie", "ardenne", "chemins"],
        "description": "Massif forestier ardennais, chemins forestiers carrossables.",
        "access_notes": "Autorisation du DNF requise.",
    },
    {
        "external_ref": "demo:ferme-hesbaye",
        "name": "Ferme en carré de Hesbaye (démo)",
        "lon": 5.0700,
        "lat": 50.6300,
        "categories": ["farm", "countryside"],
        "tags": ["cour", "grange", "champs"],
        "description": "Ferme en carré avec cour pavée et grange.",
        "truck_parking_capacity": 6,
        "has_power": True,
        "has_water": True,
    },
]


def _of(name: str) -> str:
    """French elision: "de Namur", but "d'Amay"."""
    return f"d'{name}" if name[:1].upper() in "AEIOUYÉÈÂ" else f"de {name}"


def _station_feature(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    station_id = props["URI"].rsplit("/", 1)[-1]
    return {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {
            "external_ref": f"irail:{station_id}",
            "name": f"Gare {_of(props['name'])}",
            "description": f"Gare SNCB {_of(props['name'])}. Démonstration (iRail, CC0).",
            "categories": ["railway_station"],
            "tags": ["gare", "train", "sncb"],
            "step_free_access": False,
        },
    }


def _hand_written_feature(place: dict[str, Any]) -> dict[str, Any]:
    properties = {k: v for k, v in place.items() if k not in ("lon", "lat")}
    properties["description"] += " Lieu de démonstration."
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
        "properties": properties,
    }


def demo_features() -> list[dict[str, Any]]:
    stations = json.loads(STATIONS_FILE.read_text(encoding="utf-8"))["features"]
    return [_station_feature(f) for f in stations] + [
        _hand_written_feature(p) for p in HAND_WRITTEN
    ]


def load_demo_locations(session: Session) -> str:
    features = demo_features()
    present = set(
        session.scalars(select(Location.external_ref).where(Location.external_ref.is_not(None)))
    )
    missing = [f for f in features if f["properties"]["external_ref"] not in present]
    if missing:
        content = json.dumps({"type": "FeatureCollection", "features": missing}).encode()
        importing.import_locations(
            session,
            content,
            file_format="geojson",
            crs=WGS84,
            user=None,
            dry_run=False,
            status=LocationStatus.PUBLISHED,
            is_demo=True,
        )
    return f"{len(missing)} demo locations created, {len(features) - len(missing)} already there"
