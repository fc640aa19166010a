"""Minimum notice: a commune wants requests N working days (no weekends, no Belgian public
holidays) before the first shoot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import holidays
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth.operations import EMAIL_PATTERN
from core.communes.models import Commune
from core.config import BRUSSELS
from core.errors import InvalidInput
from permits import requirements
from permits.models import (
    DEFAULT_NOTICE_WORKING_DAYS,
    MAX_NOTICE_WORKING_DAYS,
    PermitCommuneSettings,
    PermitRequest,
    PermitShoot,
)
from permits.settings_row import check_range, settings_row
from shoots.models import Shoot


@cache
def _belgian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BE", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _belgian_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date DAYS working days after START (START itself does not count)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def set_notice(
    session: Session, commune_nis: str, working_days: int, email: str | None = None
) -> PermitCommuneSettings:
    """Set a commune's minimum notice (and the address its notifications go to: '' for none,
    None to keep it)."""
    if session.get(Commune, commune_nis) is None:
        raise InvalidInput("commune", _l("unknown commune %(nis)s", nis=commune_nis))
    check_range("working_days", working_days, 0, MAX_NOTICE_WORKING_DAYS)
    if email and not EMAIL_PATTERN.match(email.strip()):
        raise InvalidInput("notification_email", _l("is not an e-mail address"))
    settings = settings_row(session, commune_nis)
    settings.notice_working_days = working_days
    if email is not None:
        settings.notification_email = email.strip() or None
    session.flush()
    return settings


def notification_email_of(session: Session, commune_nis: str) -> str | None:
    """The address a commune's notifications go to besides its officers (None: theirs only)."""
    return session.scalar(
        select(PermitCommuneSettings.notification_email).where(
            PermitCommuneSettings.commune_nis == commune_nis
        )
    )


def notice_for(session: Session, commune_nis: str) -> int:
    days = session.scalar(
        select(PermitCommuneSettings.notice_working_days).where(
            PermitCommuneSettings.commune_nis == commune_nis
        )
    )
    return DEFAULT_NOTICE_WORKING_DAYS if days is None else days


@dataclass(frozen=True)
class LeadTimeCheck:
    fast_track: bool
    working_days: int
    first_shoot_day: date | None
    earliest_allowed_day: date  # the first shoot day a request sent now still respects

    @property
    def late(self) -> bool:
        return self.first_shoot_day is not None and self.first_shoot_day < self.earliest_allowed_day


def first_shoot_start(session: Session, request_id: int) -> datetime | None:
    return session.scalar(
        select(func.min(func.lower(Shoot.period)))
        .join(PermitShoot, PermitShoot.shoot_id == Shoot.id)
        .where(PermitShoot.request_id == request_id)
    )


def check(session: Session, permit: PermitRequest, at: datetime) -> LeadTimeCheck:
    """Whether PERMIT, sent at AT, gives its commune the notice it asks for: its minimum,
    plus what the activities of the request's shoots add, or the fast track's shorter notice
    (permits.requirements)."""
    needs = requirements.requirements_for(session, permit)
    days = needs.working_days(notice_for(session, permit.commune_nis))
    first = first_shoot_start(session, permit.id)
    return LeadTimeCheck(
        fast_track=needs.fast_track,
        working_days=days,
        first_shoot_day=first.astimezone(BRUSSELS).date() if first else None,
        earliest_allowed_day=add_working_days(at.astimezone(BRUSSELS).date(), days),
    )
