"""Commune look-ups and the routine import of a boundary set."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, String, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.communes.models import Commune, province_name_in
from core.db import SRID, WGS84
from core.geo import as_geojson, point_3812, within_lambert_2008

# Commune polygons were simplified one by one: slivers along the borders belong to none of them.
# A point within this distance of a commune belongs to the nearest one. Migration 0008 builds the
# database function commune_at with it: changing it needs a migration that re-creates the function.
BORDER_FALLBACK_M = 200.0
REQUIRED_PROPERTIES = ("nis", "name_fr", "arr_fr", "prov_nis", "prov_fr")


class CommuneFileError(ValueError):
    """The boundary file cannot be imported; nothing was changed."""


def active_communes(session: Session) -> list[Commune]:
    """The communes of today's map, by name in the request's language."""
    query = select(Commune).where(Commune.retired_at.is_(None)).order_by(Commune.name_in())
    return list(session.scalars(query))


def active_provinces(session: Session, locale: str | None = None) -> list[tuple[str, str]]:
    """(NIS, name in LOCALE) of the provinces of today's communes, by name."""
    name = province_name_in(locale).label("name")
    query = select(Commune.province_nis, name).where(Commune.retired_at.is_(None)).distinct()
    return [(nis, label) for nis, label in session.execute(query.order_by(name))]


def commune_with_geojson(session: Session, nis: str) -> tuple[Commune, dict[str, Any]] | None:
    row = session.execute(
        select(Commune, as_geojson(Commune.boundary)).where(Commune.nis == nis)
    ).first()
    if row is None:
        return None
    commune, geometry = row
    return commune, json.loads(geometry)


def commune_nis_at(geometry: Any) -> ColumnElement[str | None]:
    """SQL: the NIS code of the commune holding GEOMETRY (EPSG:3812), NULL outside Wallonia.

    The database function commune_at (migration 0008) is the one definition: the active
    commune whose polygon holds the geometry, else the nearest within BORDER_FALLBACK_M.
    """
    return func.commune_at(geometry, type_=String(5))


def commune_at(session: Session, lon: float, lat: float) -> tuple[Commune, float] | None:
    """The commune holding the WGS84 point (commune_nis_at) and its distance in metres (0
    inside, up to BORDER_FALLBACK_M in a border sliver), or None outside Wallonia."""
    if not within_lambert_2008(lon, lat):
        return None  # far from Belgium: nothing to find, and EPSG:3812 cannot project it
    point = point_3812(lon, lat)
    row = session.execute(
        select(Commune, func.ST_Distance(Commune.boundary, point)).where(
            Commune.nis == commune_nis_at(point)
        )
    ).first()
    return (row[0], float(row[1])) if row else None


def lies_in_commune(
    session: Session, nis: str, area_wkb_hex: str, tolerance_m: float = BORDER_FALLBACK_M
) -> bool:
    """Whether an EPSG:3812 area (WKB hex) lies in commune NIS, up to TOLERANCE_M metres
    beyond its simplified boundary (the same slivers as for points)."""
    area = func.ST_GeomFromWKB(func.decode(area_wkb_hex, "hex"), SRID)
    inside = func.ST_CoveredBy(area, func.ST_Buffer(Commune.boundary, tolerance_m))
    return bool(session.scalar(select(inside).where(Commune.nis == nis)))


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def _read_features(path: Path) -> list[dict[str, Any]]:
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommuneFileError(f"{path}: cannot read GeoJSON ({exc})") from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features:
        raise CommuneFileError(f"{path}: not a GeoJSON FeatureCollection with features")
    rows = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        missing = [name for name in REQUIRED_PROPERTIES if not props.get(name)]
        geometry = feature.get("geometry") or {}
        if missing:
            raise CommuneFileError(f"feature {number}: missing {', '.join(missing)}")
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise CommuneFileError(f"feature {number} ({props['nis']}): not a (Multi)Polygon")
        rows.append(
            {
                "nis": str(props["nis"]),
                "name_fr": props["name_fr"],
                "name_de": props.get("name_de") or None,
                "name_nl": props.get("name_nl") or None,
                "arrondissement": props["arr_fr"],
                "province_nis": str(props["prov_nis"]),
                "province": props["prov_fr"],
                "population": props.get("population"),
                "geojson": json.dumps(geometry),
            }
        )
    duplicates = {r["nis"] for r in rows if sum(1 for o in rows if o["nis"] == r["nis"]) > 1}
    if duplicates:
        raise CommuneFileError(f"duplicate NIS codes: {', '.join(sorted(duplicates))}")
    return rows


_STAGE = text("""
    CREATE TEMPORARY TABLE commune_import (LIKE communes INCLUDING DEFAULTS) ON COMMIT DROP
""")
_STAGE_ROW = text(f"""
    INSERT INTO commune_import
        (nis, name_fr, name_de, name_nl, arrondissement, province_nis, province, population,
         boundary)
    VALUES (:nis, :name_fr, :name_de, :name_nl, :arrondissement, :province_nis, :province,
            :population,
            ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(
                ST_SetSRID(ST_GeomFromGeoJSON(:geojson), {WGS84}), {SRID})), 3)))
""")
_UPSERT = text("""
    INSERT INTO communes AS c
        (nis, name_fr, name_de, name_nl, arrondissement, province_nis, province, population,
         boundary)
    SELECT nis, name_fr, name_de, name_nl, arrondissement, province_nis, province, population,
           boundary
    FROM commune_import
    ON CONFLICT (nis) DO UPDATE SET
        name_fr = EXCLUDED.name_fr, name_de = EXCLUDED.name_de, name_nl = EXCLUDED.name_nl,
        arrondissement = EXCLUDED.arrondissement, province_nis = EXCLUDED.province_nis,
        province = EXCLUDED.province, population = EXCLUDED.population,
        boundary = EXCLUDED.boundary, retired_at = NULL, updated_at = now()
    WHERE (c.name_fr, c.name_de, c.name_nl, c.arrondissement, c.province_nis, c.province,
           c.population, c.retired_at IS NULL)
          IS DISTINCT FROM
          (EXCLUDED.name_fr, EXCLUDED.name_de, EXCLUDED.name_nl, EXCLUDED.arrondissement,
           EXCLUDED.province_nis, EXCLUDED.province, EXCLUDED.population, true)
       OR NOT ST_Equals(c.boundary, EXCLUDED.boundary)
    RETURNING nis, (xmax = 0) AS inserted
""")


def load_communes(session: Session, path: Path) -> ImportReport:
    """Import a boundary set in the caller's transaction.

    New communes are added, changed ones updated; a commune missing from the file is deleted,
    or retired when other rows still reference it. The caller commits or rolls back.
    """
    rows = _read_features(path)
    report = ImportReport()
    session.execute(_STAGE)
    session.execute(_STAGE_ROW, rows)
    for nis, inserted in session.execute(_UPSERT):
        (report.created if inserted else report.updated).append(nis)
    report.unchanged = len(rows) - len(report.created) - len(report.updated)
    incoming = {row["nis"] for row in rows}
    gone = session.scalars(
        select(Commune).where(Commune.nis.not_in(incoming), Commune.retired_at.is_(None))
    ).all()
    for commune in gone:
        _delete_or_retire(session, commune, report)
    return report


def _delete_or_retire(session: Session, commune: Commune, report: ImportReport) -> None:
    nested = session.begin_nested()
    try:
        session.delete(commune)
        session.flush()
    except IntegrityError:  # still referenced, say by an officer's account
        nested.rollback()
        session.expire(commune)
        commune.retired_at = datetime.now(UTC)
        session.flush()
        report.retired.append(commune.nis)
    else:
        nested.commit()
        report.deleted.append(commune.nis)
