"""Frozen versions of a request: what the commune read when it was submitted, decided, amended
or withdrawn, kept as immutable rows (permit_request_versions: the app's role may only insert
and read them).

A version's `data` is the whole document: request, production, every shoot with its part of the
commune's ground and its site plan. The document and its PDF render from it, never from the
live rows, so an approved document stays what the officer approved whatever happens later; its
`content_hash` is the SHA-256 of the data's canonical JSON (sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.config import BRUSSELS
from core.errors import NotFound
from permits import fees, measures
from permits.models import EDITABLE_STATUSES, PermitRequest, RequestVersion
from permits.operations import part_geometries, shared_shoots
from permits.siteplan import site_plans
from shoots.activities import answers, declared
from shoots.models import Production


def _time(value: datetime | None) -> str | None:
    return value.astimezone(BRUSSELS).isoformat() if value else None


def canonical_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def file_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _insurance(session: Session, permit: PermitRequest) -> dict[str, str] | None:
    if not permit.insurance_filename:
        return None
    digest = session.scalar(  # hashed where it is stored: the file stays in the database
        select(func.encode(func.sha256(PermitRequest.insurance_pdf), "hex")).where(
            PermitRequest.id == permit.id
        )
    )
    return {
        "filename": permit.insurance_filename,
        "sha256": digest,
        "valid_from": permit.insurance_valid_from and permit.insurance_valid_from.isoformat(),
        "valid_until": permit.insurance_valid_until and permit.insurance_valid_until.isoformat(),
    }


def production_particulars(production: Production) -> dict[str, Any]:
    """The production as a request names it: the document's versions and the request's JSON."""
    return {
        "id": production.id,
        "title": production.title,
        "type": production.type.value,
        "company": production.company,
        "file_reference": production.file_reference,
        "contact_name": production.contact_name,
        "contact_email": production.contact_email,
        "contact_phone": production.contact_phone,
    }


def snapshot(session: Session, permit: PermitRequest) -> dict[str, Any]:
    """The request's document as data, from the live rows."""
    language = permit.language
    production = permit.production
    shared = shared_shoots(session, permit)
    plans = site_plans(session, permit.id, permit.commune_nis)
    geometries = part_geometries(session, permit.id)
    parts = sorted(permit.parts, key=lambda p: (p.shoot.period.lower, p.shoot_id))
    space_m = measures.space_length_of(session, permit.commune_nis)
    return {
        "request": {
            "id": permit.id,
            "group_id": str(permit.group_id),
            "commune_nis": permit.commune_nis,
            "commune": permit.commune.name(language),
            "language": language,
            "status": permit.status.value,
            "submitted_at": _time(permit.submitted_at),
            "decided_at": _time(permit.decided_at),
            "decision_comment": permit.decision_comment,
            "decision_conditions": permit.decision_conditions,
            "is_late": permit.is_late,
            "notice_working_days": permit.notice_working_days,
            "public_domain_use": permit.public_domain_use,
            "notes": permit.notes,
            "insurance": _insurance(session, permit),
        },
        "production": {
            **production_particulars(production),
            "coordinators": [
                {"name": u.display_name or u.email, "email": u.email}
                for u in production.coordinators
            ],
        },
        "fees": {**fees.quote(session, permit).as_json(), "status": permit.fee_status},
        "shoots": [
            {
                "id": part.shoot_id,
                "status": part.shoot.status.value,
                "start": _time(part.shoot.period.lower),
                "end": _time(part.shoot.period.upper),
                "location": (
                    {"name": part.shoot.location.name, "address": part.shoot.location.address}
                    if part.shoot.location
                    else None
                ),
                "footprint_area_m2": part.footprint_area_m2,
                "parking_area_m2": part.parking_area_m2,
                "footprint": geometries[part.shoot_id][0],
                "parking": geometries[part.shoot_id][1],
                "crew_size": part.shoot.crew_size,
                "vehicle_count": part.shoot.vehicle_count,
                # Activity codes (shoots.activities); versions before 0014 used the five flags.
                "particulars": list(declared(part.shoot)),
                "activities": answers(part.shoot.activities).model_dump(exclude_defaults=True),
                # What it does to the street on this commune's ground (the ordinance's facts).
                "street": asdict(measures.measures_of(part, space_m)),
                "notes": part.shoot.notes,
                "continues_in": [
                    {"request_id": other.id, "commune": other.commune.name(language)}
                    for other in shared.get(part.shoot_id, [])
                ],
                "site_plan": str(plans.get(part.shoot_id, "")),
            }
            for part in parts
        ],
    }


def freeze(
    session: Session,
    permit: PermitRequest,
    action: str,
    user: User | None,
    amendment_id: int | None = None,
) -> RequestVersion:
    """Record PERMIT as it stands now as its next version (the caller holds its row lock, so
    two versions never get one number)."""
    session.flush()
    data = snapshot(session, permit)
    last = session.scalar(
        select(func.max(RequestVersion.number)).where(RequestVersion.request_id == permit.id)
    )
    version = RequestVersion(
        request_id=permit.id,
        number=(last or 0) + 1,
        action=action,
        status=permit.status.value,
        amendment_id=amendment_id,
        actor_id=user.id if user else None,
        data=data,
        content_hash=content_hash(data),
    )
    session.add(version)
    session.flush()
    return version


def versions_of(session: Session, request_id: int) -> list[RequestVersion]:
    return list(
        session.scalars(
            select(RequestVersion)
            .where(RequestVersion.request_id == request_id)
            .order_by(RequestVersion.number)
        )
    )


def version(session: Session, request_id: int, number: int) -> RequestVersion:
    found = session.scalar(
        select(RequestVersion).where(
            RequestVersion.request_id == request_id, RequestVersion.number == number
        )
    )
    if found is None:
        raise NotFound(f"Request {request_id} has no version {number}.")
    return found


def current(
    session: Session, permit: PermitRequest
) -> tuple[dict[str, Any], RequestVersion | None]:
    """What the request's document shows: the latest version once the commune has it, the live
    rows while the production is still preparing it (no version then)."""
    if permit.status not in EDITABLE_STATUSES:
        latest = session.scalar(
            select(RequestVersion)
            .where(RequestVersion.request_id == permit.id)
            .order_by(RequestVersion.number.desc())
            .limit(1)
        )
        if latest is not None:
            return latest.data, latest
    return snapshot(session, permit), None
