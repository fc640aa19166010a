"""What the public sees of shoots: which shoots, and which of their fields.

One query (`public_shoots_query` with `PUBLIC_SHOOT_FIELDS`) behind every public output: the
page `/permits/public`, the map `/maps/public` and the OGC API `shoots` collection. A shoot is
public when it is live (`Shoot.is_live`), not over yet, and approved by every commune asked
(`publicly_approved`). The public reads a listed production's title only
(`Production.public_title`), a location's address or name only when the location is published
(`Location.visible_to(None)`, the access policy's answer for anonymous visitors); never a
company, contact, crew figure or note.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from core.communes.models import Commune
from core.geo import as_geojson
from locations.models import Location
from permits.models import (
    APPROVED_STATUSES,
    PermitRequest,
    PermitShoot,
)
from shoots.models import Production, Shoot
from shoots.operations.inputs import local_iso

# ---- which shoots ------------------------------------------------------------------------------


def _current_group() -> ColumnElement[Any]:
    """The group of the newest request holding the shoot: the selection it was last requested
    in. A shoot joins a new selection only once every request of the previous one is closed
    (permits.operations.create_requests), so older groups no longer speak for it."""
    part, permit = aliased(PermitShoot), aliased(PermitRequest)
    return (
        select(permit.group_id)
        .join(part, part.request_id == permit.id)
        .where(part.shoot_id == Shoot.id)
        .order_by(permit.id.desc())
        .limit(1)
        .correlate(Shoot)  # the outer query's shoot, however deep this sits in subqueries
        .scalar_subquery()
    )


def publicly_approved() -> ColumnElement[bool]:
    """The shoot's current selection has requests and every one of them holding a part of the
    shoot is approved, with or without conditions: a sibling still under review, rejected or
    withdrawn keeps a straddling shoot unannounced (one commune's yes covers its own ground
    only). Correlated to Shoot."""
    part, permit = aliased(PermitShoot), aliased(PermitRequest)
    group = _current_group()
    not_a_yes = exists().where(
        part.shoot_id == Shoot.id,
        permit.id == part.request_id,
        permit.group_id == group,
        permit.status.not_in(APPROVED_STATUSES),
    )
    return and_(group.is_not(None), ~not_a_yes)


def public_shoots_query(now: datetime | None = None) -> Select:
    """FROM, JOIN and WHERE of the public shoots, without columns (PUBLIC_SHOOT_FIELDS are the
    ones to add): live, not over at NOW (default: the database's now) and publicly approved."""
    return (
        select()
        .select_from(Shoot)
        .join(Production, Production.id == Shoot.production_id)
        .outerjoin(Location, Location.id == Shoot.location_id)
        .where(
            Shoot.is_live,
            func.upper(Shoot.period) > (now or func.now()),
            publicly_approved(),
        )
    )


# ---- which fields ------------------------------------------------------------------------------


def _communes() -> ColumnElement[Any]:
    """The names of the communes whose approval covers the shoot, in alphabetical order."""
    part, permit, commune = aliased(PermitShoot), aliased(PermitRequest), aliased(Commune)
    return (
        # Typed as the array it is: the OGC queryables read `communes` as "includes a name".
        select(
            func.array_agg(
                aggregate_order_by(commune.name_fr, commune.name_fr), type_=ARRAY(String)
            )
        )
        .select_from(part)
        .join(permit, permit.id == part.request_id)
        .join(commune, commune.nis == permit.commune_nis)
        .where(part.shoot_id == Shoot.id, permit.group_id == _current_group())
        .scalar_subquery()
    )


_PUBLIC_LOCATION = Location.visible_to(None)

# The fields of a public shoot, by the names every output uses (the OGC properties too).
PUBLIC_SHOOT_FIELDS: dict[str, ColumnElement[Any]] = {
    "production": Production.public_title,  # None unless the production is listed
    "production_type": Production.type,
    "start": func.lower(Shoot.period),
    "end": func.upper(Shoot.period),
    "place": case((_PUBLIC_LOCATION, func.coalesce(Location.address, Location.name)), else_=null()),
    "communes": _communes(),
    "road_closure": Shoot.road_closure,
    "parking_suspension": Shoot.parking_suspension,
    "night_shoot": Shoot.night_shoot,
    "parking": cast(as_geojson(Shoot.parking), JSON),  # where parking is suspended, or None
}


def public_fields_json(shoot: dict[str, Any]) -> dict[str, Any]:
    """A public_shoots() record's PUBLIC_SHOOT_FIELDS as JSON values, as the OGC API serves
    them: ISO 8601 times with the Brussels offset, enum values."""
    values = {name: shoot[name] for name in PUBLIC_SHOOT_FIELDS}
    values["production_type"] = shoot["production_type"].value
    values["start"], values["end"] = local_iso(shoot["start"]), local_iso(shoot["end"])
    return values


def public_shoots(
    session: Session, now: datetime | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The public shoots in time order (the LIMIT first): `id`, the `footprint` (GeoJSON,
    WGS84), a `spot` on it for markers, and PUBLIC_SHOOT_FIELDS (Python values: aware
    datetimes, enums, dicts)."""
    query = public_shoots_query(now).add_columns(
        Shoot.id.label("id"),
        as_geojson(Shoot.footprint).label("footprint"),
        as_geojson(func.ST_PointOnSurface(Shoot.footprint)).label("spot"),
        *(column.label(name) for name, column in PUBLIC_SHOOT_FIELDS.items()),
    )
    query = query.order_by(func.lower(Shoot.period), Shoot.id).limit(limit)
    rows = session.execute(query).mappings()
    return [
        {
            **row,
            "footprint": json.loads(row["footprint"]),
            "spot": json.loads(row["spot"]),
        }
        for row in rows
    ]
