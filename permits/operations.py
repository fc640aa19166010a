"""Domain operations on permit requests: splitting shoots by commune, finding, attaching."""

from __future__ import annotations

import io
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from geoalchemy2 import WKBElement
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import Session

from core.auth.models import Role, User
from core.config import BRUSSELS
from core.db import SRID
from core.errors import Conflict, InvalidInput
from core.geo import as_geojson
from permits.models import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    STATUS_LABELS,
    AuditEntry,
    PermitEvent,
    PermitRequest,
    PermitShoot,
    PermitStatus,
)
from shoots.models import Production, Shoot, production_coordinators

# A part smaller than this is a border sliver of the simplified commune polygons, not ground
# the shoot really uses: both an absolute floor and a share of the whole footprint.
MIN_PART_M2 = 1.0
MIN_PART_SHARE = 0.01
MAX_INSURANCE_BYTES = 5 * 1024 * 1024

# Each selected shoot's footprint and parking cut by every commune they touch; slivers dropped.
# {source} is a table with id, footprint and parking: shoots, or amendments (the proposed shoot).
_SPLIT = """
WITH parts AS (
    SELECT s.id AS shoot_id, c.nis,
           ST_Multi(ST_CollectionExtract(ST_Intersection(s.footprint, c.boundary), 3)) AS fp,
           ST_Multi(ST_CollectionExtract(ST_Intersection(s.parking, c.boundary), 3)) AS pk,
           ST_Area(s.footprint) AS fp_total,
           COALESCE(ST_Area(s.parking), 0) AS pk_total
    FROM {source} s
    JOIN communes c ON c.retired_at IS NULL
     AND (ST_Intersects(c.boundary, s.footprint) OR ST_Intersects(c.boundary, s.parking))
    WHERE s.id = ANY(:ids)
), measured AS (
    SELECT *, ST_Area(fp) AS fp_area, COALESCE(ST_Area(pk), 0) AS pk_area FROM parts
), kept AS (
    SELECT *,
           fp_area >= GREATEST(:min_m2, :min_share * fp_total) AS fp_kept,
           pk_area >= GREATEST(:min_m2, :min_share * pk_total) AS pk_kept
    FROM measured
)
SELECT shoot_id, nis,
       CASE WHEN fp_kept THEN ST_AsEWKB(fp) END, CASE WHEN fp_kept THEN fp_area ELSE 0 END,
       CASE WHEN pk_kept THEN ST_AsEWKB(pk) END, CASE WHEN pk_kept THEN pk_area ELSE 0 END
FROM kept WHERE fp_kept OR pk_kept
ORDER BY nis, shoot_id
"""

# A shoot in a gap between simplified polygons belongs wholly to the commune holding it by the
# one rule (core.communes: commune_at in SQL, the nearest within the border fallback).
_NEAREST = """
SELECT s.id, c.nis, ST_AsEWKB(s.footprint), ST_Area(s.footprint),
       ST_AsEWKB(s.parking), COALESCE(ST_Area(s.parking), 0)
FROM {source} s
CROSS JOIN LATERAL (SELECT commune_at(s.footprint) AS nis) c
WHERE s.id = ANY(:ids) AND c.nis IS NOT NULL
"""
SPLIT_SOURCES = {"shoots", "permit_amendments"}


@dataclass(frozen=True)
class Part:
    shoot_id: int
    commune_nis: str
    footprint: bytes | None
    footprint_area_m2: float
    parking: bytes | None
    parking_area_m2: float


def split_by_commune(session: Session, shoot_ids: list[int], source: str = "shoots") -> list[Part]:
    """Every concerned commune's part of each shoot, computed in PostGIS. SOURCE
    "permit_amendments" splits the shoots amendments propose (`shoot_id` is then the
    amendment's id)."""
    if source not in SPLIT_SOURCES:  # a table name, never input
        raise ValueError(f"cannot split {source}")
    params = {"ids": shoot_ids, "min_m2": MIN_PART_M2, "min_share": MIN_PART_SHARE}
    parts = [Part(*row) for row in session.execute(text(_SPLIT.format(source=source)), params)]
    unplaced = sorted(set(shoot_ids) - {p.shoot_id for p in parts})
    if unplaced:
        nearest = text(_NEAREST.format(source=source))
        parts += [Part(*row) for row in session.execute(nearest, {"ids": unplaced})]
    outside = sorted(set(shoot_ids) - {p.shoot_id for p in parts})
    if outside:
        raise InvalidInput(
            "shoot_ids",
            _l("shoot(s) %(ids)s lie outside Wallonia", ids=", ".join(map(str, outside))),
        )
    return parts


def geometry(ewkb: bytes | None) -> WKBElement | None:
    return WKBElement(bytes(ewkb), srid=SRID, extended=True) if ewkb is not None else None


def _checked_shoots(session: Session, production: Production, shoot_ids: list[int]) -> None:
    """The shoots exist, belong to PRODUCTION, are live, in the future and not yet in a live
    request. Locking them serialises two coordinators requesting the same shoots."""
    shoots = session.scalars(
        select(Shoot).where(Shoot.id.in_(shoot_ids)).order_by(Shoot.id).with_for_update()
    ).all()
    foreign = sorted(set(shoot_ids) - {s.id for s in shoots if s.production_id == production.id})
    if foreign:
        raise InvalidInput(
            "shoot_ids",
            _l(
                "no shoot %(ids)s in production %(production)s",
                ids=", ".join(map(str, foreign)),
                production=production.id,
            ),
        )
    cancelled = [s.id for s in shoots if not s.is_live]
    if cancelled:
        raise InvalidInput(
            "shoot_ids",
            _l("shoot(s) %(ids)s are cancelled (or their production)", ids=cancelled),
        )
    now = datetime.now(BRUSSELS)
    started = [s.id for s in shoots if s.period.lower <= now]
    if started:
        raise InvalidInput("shoot_ids", _l("shoot(s) %(ids)s have already started", ids=started))
    taken = session.execute(
        select(PermitShoot.shoot_id, PermitRequest.id)
        .join(PermitRequest)
        .where(PermitShoot.shoot_id.in_(shoot_ids), PermitRequest.status.not_in(CLOSED_STATUSES))
    ).all()
    if taken:
        raise Conflict(
            _l("Some shoots are already in a permit request: withdraw it first."),
            shoots={str(shoot): request for shoot, request in taken},
        )


def create_requests(
    session: Session,
    production: Production,
    shoot_ids: list[int],
    user: User,
    *,
    public_domain_use: str = "",
    notes: str = "",
) -> list[PermitRequest]:
    """One draft request per concerned commune, sharing a group id (the siblings)."""
    shoot_ids = sorted(set(shoot_ids))
    if not shoot_ids:
        raise InvalidInput("shoot_ids", _l("select at least one shoot"))
    _checked_shoots(session, production, shoot_ids)
    group = uuid.uuid4()
    by_commune: dict[str, PermitRequest] = {}
    for part in split_by_commune(session, shoot_ids):
        permit = by_commune.get(part.commune_nis)
        if permit is None:
            permit = by_commune[part.commune_nis] = PermitRequest(
                group_id=group,
                production=production,
                commune_nis=part.commune_nis,
                public_domain_use=public_domain_use,
                notes=notes,
                created_by=user,
            )
            session.add(permit)
        permit.parts.append(
            PermitShoot(
                shoot_id=part.shoot_id,
                footprint_part=geometry(part.footprint),
                footprint_area_m2=round(part.footprint_area_m2, 1),
                parking_part=geometry(part.parking),
                parking_area_m2=round(part.parking_area_m2, 1),
            )
        )
    session.flush()
    for permit in by_commune.values():
        session.add(
            PermitEvent(
                request=permit, action="create", to_status=permit.status.value, actor_id=user.id
            )
        )
    session.flush()
    return sorted(by_commune.values(), key=lambda p: p.id)


def part_geometries(session: Session, request_id: int) -> dict[int, tuple[Any, Any]]:
    """Shoot id -> the GeoJSON (EPSG:4326) of its footprint and parking parts in the request."""
    rows = session.execute(
        select(
            PermitShoot.shoot_id,
            as_geojson(PermitShoot.footprint_part),
            as_geojson(PermitShoot.parking_part),
        ).where(PermitShoot.request_id == request_id)
    )
    return {
        shoot: (json.loads(fp) if fp else None, json.loads(pk) if pk else None)
        for shoot, fp, pk in rows
    }


def siblings(session: Session, permit: PermitRequest) -> list[PermitRequest]:
    return list(
        session.scalars(
            select(PermitRequest)
            .where(PermitRequest.group_id == permit.group_id, PermitRequest.id != permit.id)
            .order_by(PermitRequest.id)
        )
    )


def shared_shoots(session: Session, permit: PermitRequest) -> dict[int, list[PermitRequest]]:
    """For each of PERMIT's shoots that straddles a border, the sibling requests holding the
    rest of it."""
    others = siblings(session, permit)
    mine = {part.shoot_id for part in permit.parts}
    shared: dict[int, list[PermitRequest]] = {}
    for other in others:
        for part in other.parts:
            if part.shoot_id in mine:
                shared.setdefault(part.shoot_id, []).append(other)
    return shared


def _visible_to(query: Select, user: User) -> Select:
    if user.role is Role.ADMIN:
        return query
    if user.role is Role.OFFICER:
        return query.where(PermitRequest.commune_nis == user.commune_nis)
    if user.role is Role.COORDINATOR:
        coordinated = select(production_coordinators.c.production_id).where(
            production_coordinators.c.user_id == user.id
        )
        return query.where(PermitRequest.production_id.in_(coordinated))
    return query.where(False)


@dataclass(frozen=True)
class RequestFilter:
    commune: str | None = None
    status: list[PermitStatus] | None = None
    start: date | None = None  # requests with a shoot on or after this day
    end: date | None = None  # … and on or before this day


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=BRUSSELS)


def find_requests(session: Session, user: User, wanted: RequestFilter) -> list[dict[str, Any]]:
    """USER's visible requests with their first and last shoot times, newest first (a request
    an amendment left without shoots too, with none)."""
    first = func.min(func.lower(Shoot.period))
    last = func.max(func.upper(Shoot.period))
    query = _visible_to(
        select(PermitRequest, first, last, func.count(PermitShoot.shoot_id))
        .outerjoin(PermitShoot, PermitShoot.request_id == PermitRequest.id)
        .outerjoin(Shoot, Shoot.id == PermitShoot.shoot_id)
        .group_by(PermitRequest.id)
        .order_by(PermitRequest.id.desc()),
        user,
    )
    if wanted.commune:
        query = query.where(PermitRequest.commune_nis == wanted.commune)
    if wanted.status:
        query = query.where(PermitRequest.status.in_(wanted.status))
    if wanted.start or wanted.end:
        lower = _local_midnight(wanted.start) if wanted.start else None
        upper = _local_midnight(wanted.end + timedelta(days=1)) if wanted.end else None
        window = func.tstzrange(lower, upper, "[)")
        in_window = (
            select(PermitShoot.shoot_id)
            .join(Shoot, Shoot.id == PermitShoot.shoot_id)
            .where(PermitShoot.request_id == PermitRequest.id, Shoot.period.op("&&")(window))
        )
        query = query.where(exists(in_window))
    return [
        {"request": permit, "first_start": start, "last_end": end, "shoot_count": count}
        for permit, start, end, count in session.execute(query)
    ]


def requests_by_status(session: Session, user: User) -> dict[PermitStatus, int]:
    """How many of USER's visible requests are in each status (none: not listed)."""
    query = _visible_to(
        select(PermitRequest.status, func.count()).group_by(PermitRequest.status), user
    )
    return dict(session.execute(query).all())


def attach_insurance(
    session: Session,
    permit: PermitRequest,
    filename: str,
    data: bytes,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> list[PermitRequest]:
    """Store the certificate on PERMIT and its still-editable siblings (one certificate covers
    the production), with the cover it states when given (the submission checks it against
    the shoot days). Only real PDFs of at most MAX_INSURANCE_BYTES are accepted."""
    if valid_from and valid_until and valid_until < valid_from:
        raise InvalidInput("valid_until", _l("must not be before valid_from"))
    if permit.status not in EDITABLE_STATUSES:
        raise Conflict(
            _l(
                "The certificate cannot change on a request that is %(status)s.",
                status=STATUS_LABELS[permit.status],
            ),
            current_status=permit.status.value,
        )
    check_pdf(data)
    targets = [permit] + [s for s in siblings(session, permit) if s.status in EDITABLE_STATUSES]
    for target in targets:
        target.insurance_filename = (filename or "insurance.pdf")[-200:]
        target.insurance_pdf = data
        target.insurance_valid_from, target.insurance_valid_until = valid_from, valid_until
    session.flush()
    return targets


def check_pdf(data: bytes, field: str = "insurance", max_bytes: int = MAX_INSURANCE_BYTES) -> None:
    """Refuse, naming FIELD, anything but a readable PDF of one page or more and at most
    MAX_BYTES."""
    if not data:
        raise InvalidInput(field, _l("the file is empty"))
    if len(data) > max_bytes:
        raise InvalidInput(field, _l("must be at most %(mb)s MB", mb=max_bytes // 2**20))
    if not data.startswith(b"%PDF-"):
        raise InvalidInput(field, _l("must be a PDF document"))
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are refused below
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InvalidInput(
            field, _l("is not a readable PDF (%(why)s)", why=type(exc).__name__)
        ) from None
    if pages < 1:
        raise InvalidInput(field, _l("the PDF has no page"))


def audit_trail(session: Session, permit: PermitRequest) -> list[AuditEntry]:
    """Every recorded change to the request, its parts, its shoots and its production."""
    shoot_ids = [str(part.shoot_id) for part in permit.parts]
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                or_(
                    AuditEntry.request_id == permit.id,
                    and_(AuditEntry.table_name == "shoots", AuditEntry.row_id.in_(shoot_ids)),
                    and_(
                        AuditEntry.table_name == "productions",
                        AuditEntry.row_id == str(permit.production_id),
                    ),
                )
            )
            .order_by(AuditEntry.id)
        )
    )


def changed_fields(entry: AuditEntry) -> dict[str, tuple[Any, Any]]:
    """Field -> (before, after) for the fields the change touched."""
    before, after = entry.before or {}, entry.after or {}
    keys = sorted(set(before) | set(after))
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    actor: str | None  # the e-mail of who made the change; None for the system (CLI, demo)
    changes: dict[str, tuple[Any, Any]]


def audit_lines(session: Session, permit: PermitRequest) -> list[AuditLine]:
    entries = audit_trail(session, permit)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    emails = {
        uid: email
        for uid, email in session.execute(select(User.id, User.email).where(User.id.in_(ids)))
    }
    return [
        AuditLine(e, emails.get(e.actor_id), _readable(session, changed_fields(e))) for e in entries
    ]


def _readable(session: Session, changes: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    """CHANGES with each geometry as the API writes every one (core.geo.as_geojson): the log
    keeps PostGIS's JSON of the EPSG:3812 column, with its `crs` member."""
    return {
        name: tuple(_rfc7946(session, value) for value in pair)  # type: ignore[misc]
        for name, pair in changes.items()
    }


def _rfc7946(session: Session, value: Any) -> Any:
    if not (isinstance(value, dict) and "coordinates" in value and "crs" in value):
        return value
    text = session.scalar(select(as_geojson(func.ST_GeomFromGeoJSON(json.dumps(value)))))
    return json.loads(text) if text else None
