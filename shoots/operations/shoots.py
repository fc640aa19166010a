"""Shoots: a production's occupation of a footprint for a half-open period.

Every write goes through `_save`: lock the area, run the conflict engine, refuse hard conflicts,
store — all in the caller's transaction, so nothing is half-stored and concurrent saves of
clashing shoots cannot both win.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon
from sqlalchemy import Select, and_, false, func, select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.policy import ProductionView, production_label, production_view
from core.communes.models import Commune
from core.db import SRID
from core.errors import Conflict, InvalidInput, NotFound
from core.geo import as_geojson, as_multipolygon, envelope_3812, feature
from core.versioning import check_version
from locations.models import Location
from shoots import activities
from shoots.models import Production, Shoot, ShootStatus, WarningOverride
from shoots.operations import conflicts, holds
from shoots.operations.conflicts import Candidate, Findings
from shoots.operations.findings import findings_json
from shoots.operations.inputs import (
    OUTSIDE_WALLONIA,
    local_iso,
    parse_area,
    parse_period,
    parse_time,
)
from shoots.schemas import CheckIn, ShootFields, ShootIn, ShootPatch

DEFAULT_FOOTPRINT_RADIUS_M = 50
ATTRIBUTES = (
    "crew_size",
    "vehicle_count",
    "night_shoot",
    "parking_suspension",
    "road_closure",
    "special_effects",
    "drones",
    "activities",  # the rest of the questionnaire (shoots.activities)
    "notes",
)


def get_shoot(session: Session, shoot_id: int) -> Shoot:
    shoot = session.get(Shoot, shoot_id)
    if shoot is None:
        raise NotFound(f"No shoot {shoot_id}.")
    return shoot


def known_production(session: Session, production_id: int) -> Production:
    production = session.get(Production, production_id)
    if production is None:
        raise _no_production(production_id)
    return production


def _no_production(production_id: int) -> InvalidInput:
    return InvalidInput("production_id", _l("no production %(id)s", id=production_id))


def _location(session: Session, location_id: int | None) -> Location | None:
    if location_id is None:
        return None
    location = session.get(Location, location_id)
    if location is None:
        raise InvalidInput("location_id", _l("no location %(id)s", id=location_id))
    return location


def _default_footprint(location: Location) -> MultiPolygon:
    return as_multipolygon(to_shape(location.point).buffer(DEFAULT_FOOTPRINT_RADIUS_M))


def candidate_from(session: Session, data: ShootFields, base: Candidate | None) -> Candidate:
    """The shoot DATA describes, on top of BASE (the stored shoot, for an edit); checks input.
    Its production and Wallonia are checked by the engine's statement: see `input_findings`."""
    given = data.model_fields_set
    location_id = data.location_id if "location_id" in given else (base and base.location_id)
    location = _location(session, location_id)
    if data.footprint is not None:
        footprint = parse_area("footprint", data.footprint)
    elif location is not None and (base is None or "location_id" in given):
        footprint = _default_footprint(location)
    elif base is not None:
        footprint = base.footprint
    else:
        raise InvalidInput("footprint", _l("is required when no location is given"))
    if "parking" in given:
        parking = parse_area("parking", data.parking) if data.parking is not None else None
    else:
        parking = base.parking if base else None
    if base is None or given & {"starts_at", "ends_at"}:
        starts_at, ends_at = parse_period(
            data.starts_at if "starts_at" in given else base and local_iso(base.starts_at),
            data.ends_at if "ends_at" in given else base and local_iso(base.ends_at),
        )
    else:
        starts_at, ends_at = base.starts_at, base.ends_at
    production_id = getattr(data, "production_id", None) or (base and base.production_id)
    return Candidate(
        footprint=footprint,
        starts_at=starts_at,
        ends_at=ends_at,
        production_id=production_id,
        location_id=location_id,
        parking=parking,
        exclude_id=base.exclude_id if base else None,
    )


def dry_run(session: Session, data: CheckIn) -> tuple[Candidate, Findings]:
    """What the shoot DATA describes would clash with (the API's and the form's live check):
    its input checked, nothing stored. With `shoot_id` it is that shoot edited."""
    base = None
    if data.shoot_id is not None:
        base = stored_candidate(get_shoot(session, data.shoot_id))
    candidate = candidate_from(session, data, base)
    return candidate, input_findings(session, candidate)


def stored_candidate(shoot: Shoot) -> Candidate:
    return Candidate(
        footprint=as_multipolygon(to_shape(shoot.footprint)),
        starts_at=shoot.period.lower,
        ends_at=shoot.period.upper,
        production_id=shoot.production_id,
        location_id=shoot.location_id,
        parking=as_multipolygon(to_shape(shoot.parking)) if shoot.parking is not None else None,
        exclude_id=shoot.id,
    )


def input_findings(session: Session, candidate: Candidate) -> Findings:
    """The engine's findings for a candidate made from what someone sent, refusing it (400,
    naming the field) when its production is unknown or an area lies outside Wallonia: the
    engine's one statement reads both, so the checks cost no round trip of their own."""
    findings = conflicts.check(session, candidate)
    if not findings.production_known:
        raise _no_production(candidate.production_id)
    for field in findings.outside_wallonia:
        raise InvalidInput(field, OUTSIDE_WALLONIA)
    return findings


def refuse_hard(session: Session, viewer: User | None, findings: Findings) -> None:
    if findings.conflicts:
        raise Conflict(
            _l("This shoot clashes with other shoots at the same place and time."),
            **findings_json(session, viewer, findings),
        )


def given_attributes(data: ShootFields) -> dict[str, Any]:
    """The attributes DATA sets (null means "unchanged", as leaving it out)."""
    given = data.model_dump(exclude_unset=True, include=set(ATTRIBUTES))
    if given.get("activities") is not None:
        # Stored without the defaults: answering "no" is the same as not answering.
        given["activities"] = activities.answers(given["activities"]).model_dump(
            exclude_defaults=True
        )
    return {name: value for name, value in given.items() if value is not None}


def _save(
    session: Session,
    user: User | None,
    shoot: Shoot,
    candidate: Candidate,
    attributes: dict[str, Any],
) -> Findings:
    conflicts.lock_area(session, candidate.footprint)
    findings = input_findings(session, candidate)
    if shoot.is_live:  # a shoot that is not live takes no ground: nothing to refuse
        refuse_hard(session, user, findings)
    store(session, shoot, candidate, attributes)
    return findings


def store(session: Session, shoot: Shoot, candidate: Candidate, attributes: dict[str, Any]) -> None:
    """Write CANDIDATE and ATTRIBUTES to SHOOT, once checked under the area's lock (`_save`,
    a series: shoots.operations.series); a concurrent booking of the location is a 409."""
    shoot.location_id = candidate.location_id
    shoot.footprint = from_shape(candidate.footprint, srid=SRID)
    shoot.parking = from_shape(candidate.parking, srid=SRID) if candidate.parking else None
    shoot.period = Range(candidate.starts_at, candidate.ends_at, bounds="[)")
    for name, value in attributes.items():
        setattr(shoot, name, value)
    session.add(shoot)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        if "no_double_booking" in str(exc.orig):  # a concurrent save won the location
            raise Conflict(_l("The location was booked for this period in the meantime.")) from None
        raise


def create_shoot(session: Session, user: User | None, data: ShootIn) -> tuple[Shoot, Findings]:
    production = known_production(session, data.production_id)
    candidate = candidate_from(session, data, None)
    shoot = Shoot(created_by_id=user.id if user else None)
    # The shoot knows its production (Shoot.is_live reads it) but joins the session only
    # once complete, in _save: no autoflush of a half-made row meanwhile.
    with session.no_autoflush:
        shoot.production = production
        findings = _save(session, user, shoot, candidate, given_attributes(data))
    return shoot, findings


@dataclass(frozen=True)
class Edit:
    findings: Findings
    # The edit became this amendment (shoots.operations.holds): the shoot itself is unchanged.
    amendment: dict[str, Any] | None = None


def update_shoot(session: Session, user: User | None, shoot: Shoot, data: ShootPatch) -> Edit:
    """Change SHOOT in place, or, when a commune has it before it, propose the change."""
    check_version(shoot, data.version)
    status = ShootStatus(data.status) if data.status is not None else shoot.status
    candidate = candidate_from(session, data, stored_candidate(shoot))
    keeper = holds.keeper()
    if keeper is not None and keeper.binds(session, shoot):
        proposal = _proposal(session, user, shoot, candidate, status, data)
        if _changes_nothing(shoot, proposal):  # e.g. a form saved again as it was
            return Edit(proposal.findings)
        return Edit(proposal.findings, keeper.amend(session, user, shoot, proposal))
    findings = apply_revision(session, user, shoot, candidate, status, given_attributes(data))
    if keeper is not None:
        keeper.follow(session, user, shoot)
    return Edit(findings)


def _proposal(
    session: Session,
    user: User | None,
    shoot: Shoot,
    candidate: Candidate,
    status: ShootStatus,
    data: ShootPatch,
) -> holds.Proposal:
    """The edit as a proposal, checked now as a save would be (applying it checks again)."""
    findings = conflicts.check(session, candidate)
    if status is not ShootStatus.CANCELLED:
        refuse_hard(session, user, findings)
    attributes = {name: getattr(shoot, name) for name in ATTRIBUTES} | given_attributes(data)
    return holds.Proposal(
        candidate=candidate,
        status=status,
        attributes=attributes,
        reason=(data.reason or "").strip(),
        base_version=shoot.version,
        findings=findings,
    )


# Geometries come back from GeoJSON in EPSG:4326 with rounding: a centimetre is the same place.
SAME_PLACE_M = 0.01


def _same_area(a: MultiPolygon | None, b: MultiPolygon | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.equals_exact(b, SAME_PLACE_M)


def _changes_nothing(shoot: Shoot, proposal: holds.Proposal) -> bool:
    stored, new = stored_candidate(shoot), proposal.candidate
    return (
        proposal.status is shoot.status
        and all(proposal.attributes[name] == getattr(shoot, name) for name in ATTRIBUTES)
        and (new.starts_at, new.ends_at, new.location_id)
        == (stored.starts_at, stored.ends_at, stored.location_id)
        and _same_area(new.footprint, stored.footprint)
        and _same_area(new.parking, stored.parking)
    )


def apply_revision(
    session: Session,
    user: User | None,
    shoot: Shoot,
    candidate: Candidate,
    status: ShootStatus,
    attributes: dict[str, Any],
) -> Findings:
    """Write CANDIDATE, STATUS and ATTRIBUTES to SHOOT under the area's lock, refusing hard
    conflicts (an edit in place, or an approved amendment)."""
    shoot.status = status
    return _save(session, user, shoot, candidate, attributes)


def delete_shoot(session: Session, shoot: Shoot) -> None:
    holds.refuse_removal(session, [shoot.id])
    session.delete(shoot)
    session.flush()


def findings_for(session: Session, shoot: Shoot) -> Findings:
    """The stored shoot's findings, each warning with its override if one was recorded."""
    findings = conflicts.check(session, stored_candidate(shoot))
    overrides = {
        (o.rule, o.other_ref): o
        for o in session.scalars(
            select(WarningOverride).where(WarningOverride.shoot_id == shoot.id)
        )
    }
    for finding in findings.items:
        if found := overrides.get((finding.rule, finding.other_ref)):
            finding.override = override_json(found)
    return findings


def override_json(override: WarningOverride) -> dict[str, Any]:
    return {
        "by": override.user.email if override.user else None,
        "reason": override.reason,
        "at": local_iso(override.created_at),
    }


def override_warning(
    session: Session, user: User, shoot: Shoot, rule: str, other_ref: str, reason: str
) -> WarningOverride:
    """Record USER's decision to keep SHOOT despite a current warning."""
    warnings = {(f.rule, f.other_ref): f for f in findings_for(session, shoot).warnings}
    if (rule, other_ref) not in warnings:
        raise InvalidInput(
            "other",
            _l(
                "%(shoot)s has no current %(rule)s warning about %(other)s",
                shoot=shoot.id,
                rule=rule,
                other=other_ref,
            ),
        )
    override = session.scalar(
        select(WarningOverride).where(
            WarningOverride.shoot_id == shoot.id,
            WarningOverride.rule == rule,
            WarningOverride.other_ref == other_ref,
        )
    ) or WarningOverride(shoot_id=shoot.id, rule=rule, other_ref=other_ref)
    override.reason = reason.strip()
    override.user = user
    override.created_at = func.now()
    session.add(override)
    session.flush()
    session.refresh(override)
    return override


def shoots_query(
    *,
    starts: datetime | None = None,
    ends: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    production_id: int | None = None,
    location_id: int | None = None,
    commune: str | None = None,
    series_id: int | None = None,
) -> Select:
    """Shoots with their GeoJSON footprint and parking, filtered, in time order."""
    query = select(Shoot, as_geojson(Shoot.footprint), as_geojson(Shoot.parking))
    if starts is not None or ends is not None:
        window = func.tstzrange(starts, ends, "[)")
        query = query.where(Shoot.period.op("&&")(window))
    if bbox is not None:
        envelope = envelope_3812(bbox)
        query = query.where(
            false() if envelope is None else func.ST_Intersects(Shoot.footprint, envelope)
        )
    if production_id is not None:
        query = query.where(Shoot.production_id == production_id)
    if location_id is not None:
        query = query.where(Shoot.location_id == location_id)
    if series_id is not None:
        query = query.where(Shoot.series_id == series_id)
    if commune is not None:
        query = query.join(
            Commune,
            and_(Commune.nis == commune, func.ST_Intersects(Shoot.footprint, Commune.boundary)),
        )
    return query.order_by(func.lower(Shoot.period), Shoot.id)


@dataclass(frozen=True)
class ShootPage:
    features: list[dict[str, Any]]  # RFC 7946 Features, as VIEWER may see the shoots
    matched: int


def shoot_page(
    session: Session, query: Select, viewer: User | None, *, limit: int, offset: int
) -> ShootPage:
    """A page of QUERY's shoots (shoots_query) as Features, and how many match in all."""
    matched = session.scalar(
        select(func.count()).select_from(
            query.with_only_columns(Shoot.id).order_by(None).subquery()
        )
    )
    rows = session.execute(query.limit(limit).offset(offset))
    return ShootPage([shoot_feature(viewer, *row) for row in rows], matched or 0)


def shoot_feature(
    viewer: User | None, shoot: Shoot, footprint: str, parking: str | None
) -> dict[str, Any]:
    """shoot_json as a Feature: the footprint its geometry, the rest its properties."""
    properties = shoot_json(viewer, shoot, footprint, parking)
    geometry = properties.pop("footprint")
    del properties["id"]
    return feature(geometry, properties, shoot.id)


def one_shoot_json(session: Session, viewer: User | None, shoot: Shoot) -> dict[str, Any]:
    footprint, parking = session.execute(
        select(as_geojson(Shoot.footprint), as_geojson(Shoot.parking)).where(Shoot.id == shoot.id)
    ).one()
    return shoot_json(viewer, shoot, footprint, parking)


def shoot_json(
    viewer: User | None, shoot: Shoot, footprint: str, parking: str | None
) -> dict[str, Any]:
    """A shoot as VIEWER may see it: in full for its production's readers, else occupancy
    (place, period, status) under "another production" (core.auth.policy.production_view)."""
    occupancy = {
        "id": shoot.id,
        "production": production_label(viewer, shoot.production),
        "location_id": shoot.location_id,
        "starts_at": local_iso(shoot.period.lower),
        "ends_at": local_iso(shoot.period.upper),
        "footprint": json.loads(footprint),
        "parking": json.loads(parking) if parking else None,
        "status": shoot.status.value,
        "series_id": shoot.series_id,
    }
    if production_view(viewer, shoot.production) is not ProductionView.FULL:
        return occupancy
    return {
        **occupancy,
        "production_id": shoot.production_id,
        "version": shoot.version,
        **{name: getattr(shoot, name) for name in ATTRIBUTES},
    }


def period_filter(
    raw_from: str | None, raw_to: str | None
) -> tuple[datetime | None, datetime | None]:
    """A search's period; moments outside the dates we hold are clamped to them (nothing lies
    outside), so `to=9999-12-31T00:00:00Z` is an open end, not an error. An empty period
    (`to` equal to `from`, say both beyond 2100) matches nothing; a reversed one is a 400."""
    starts = parse_time("from", raw_from, clamp=True) if raw_from else None
    ends = parse_time("to", raw_to, clamp=True) if raw_to else None
    if starts and ends and ends < starts:
        raise InvalidInput("to", "must not be before from")
    return starts, ends
