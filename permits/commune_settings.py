"""A commune's own settings, as its officers set them on one page: the minimum notice of a
request and the address its notifications go to (permits.leadtime), the fast track
(permits.requirements), and the thresholds of the
conflict engine's warnings (shoots.operations.conflicts). Each stays with its owner; this
module reads and saves them together, in the caller's unit of work."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.validation import parse
from permits import issued, leadtime, measures, requirements
from permits.models import (
    DEFAULT_FAST_TRACK_MAX_CREW,
    DEFAULT_FAST_TRACK_WORKING_DAYS,
    DEFAULT_NOTICE_WORKING_DAYS,
    DEFAULT_PARKING_SPACE_M,
    DEFAULT_RESIDENT_NOTICE_DAYS,
)
from shoots.operations import conflicts
from shoots.schemas import CommuneSettingsIn

THRESHOLDS = tuple(CommuneSettingsIn.model_fields)
# What a commune that set nothing has (the page shows them beside the fields).
DEFAULTS: dict[str, Any] = {
    "notice_working_days": DEFAULT_NOTICE_WORKING_DAYS,
    "notification_email": "",
    "fast_track_working_days": DEFAULT_FAST_TRACK_WORKING_DAYS,
    "fast_track_max_crew": DEFAULT_FAST_TRACK_MAX_CREW,
    "parking_space_m": DEFAULT_PARKING_SPACE_M,
    "resident_notice_days": DEFAULT_RESIDENT_NOTICE_DAYS,
    **conflicts.DEFAULT_SETTINGS,
}


def commune_settings(session: Session, nis: str) -> dict[str, Any]:
    """Everything the page shows of commune NIS (the defaults where it set nothing)."""
    fast = requirements.fast_track_of(session, nis)
    return {
        "notice_working_days": leadtime.notice_for(session, nis),
        "notification_email": leadtime.notification_email_of(session, nis) or "",
        "fast_track_working_days": fast.working_days,
        "fast_track_max_crew": fast.max_crew,
        "parking_space_m": measures.space_length_of(session, nis),
        "resident_notice_days": issued.notice_days_of(session, nis),
        **conflicts.settings_of(session, nis),
    }


def save_commune_settings(session: Session, nis: str, values: dict[str, Any]) -> dict[str, Any]:
    """Save VALUES (every field of the page) for commune NIS, or refuse naming the field
    (nothing saved: the caller's savepoint undoes the half done)."""
    thresholds = parse(CommuneSettingsIn, {name: values.get(name) for name in THRESHOLDS})
    leadtime.set_notice(
        session, nis, values["notice_working_days"], values.get("notification_email") or ""
    )
    requirements.set_fast_track(
        session, nis, values["fast_track_working_days"], values["fast_track_max_crew"]
    )
    issued.set_street_rules(session, nis, values["parking_space_m"], values["resident_notice_days"])
    conflicts.save_settings(session, nis, thresholds.model_dump())
    return commune_settings(session, nis)
