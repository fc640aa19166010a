"""JSON shapes of the package's objects, shared by the API and the HTML views."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from core.auth.models import User
from shoots.models import Blackout, CalendarFeed, Production
from shoots.operations.findings import visible_other
from shoots.operations.inputs import local_iso


def production_json(production: Production) -> dict[str, Any]:
    return {
        "id": production.id,
        "title": production.title,
        "type": production.type.value,
        "company": production.company,
        "contact_name": production.contact_name,
        "contact_email": production.contact_email,
        "contact_phone": production.contact_phone,
        "file_reference": production.file_reference,
        "status": production.status.value,
        "listed": production.listed,
        "coordinators": [user.email for user in production.coordinators],
        "version": production.version,
    }


def report_json(
    session: Session, viewer: User | None, pairs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The conflict report's pairs, each side as occupancy unless VIEWER reads its production."""

    def side(shoot: dict[str, Any]) -> dict[str, Any]:
        other = visible_other(session, viewer, {"type": "shoot", **shoot})
        return {key: value for key, value in other.items() if key != "type"}

    return [{**pair, "shoots": [side(s) for s in pair["shoots"]]} for pair in pairs]


def blackout_json(blackout: Blackout, area: str | None) -> dict[str, Any]:
    """BLACKOUT with its AREA (GeoJSON text: shoots.operations.blackouts.blackouts_with_areas)."""
    weekly = blackout.weekday is not None
    return {
        "id": blackout.id,
        "commune": blackout.commune_nis,
        "kind": blackout.kind.value,
        "title": blackout.title,
        "area": json.loads(area) if area else None,
        "starts_at": local_iso(blackout.period.lower),
        "ends_at": local_iso(blackout.period.upper),
        "weekday": blackout.weekday,
        "daily_start": blackout.daily_start.strftime("%H:%M") if weekly else None,
        "daily_end": blackout.daily_end.strftime("%H:%M") if weekly else None,
    }


def feed_json(feed: CalendarFeed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "scope": feed.scope.value,
        "target": feed.target,
        "revoked": feed.revoked_at is not None,
    }
