"""What a request must bring, by its commune's rule table: the one reading of the rules.

Each activity a shoot declares (shoots.activities.declared) maps, in the request's commune, to
a rule (`ActivityRule`): extra working days of notice, documents to attach, services to copy,
and whether the request may still take the fast track. A commune's own row for an activity
replaces the default row (the one without a commune) for that activity; the rules of the
request's activities add up as the largest extra notice, and the union of documents and
services. A request takes the fast track (its commune's shorter notice) when every activity
it declares allows it, no shoot uses parking, and no crew is larger than the commune's limit.

The submission check (permits.workflow), the lead-time check (permits.leadtime), the request's
page, its API and the services copied on submission all read `requirements_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from permits.models import (
    DEFAULT_FAST_TRACK_MAX_CREW,
    DEFAULT_FAST_TRACK_WORKING_DAYS,
    MAX_NOTICE_WORKING_DAYS,
    ActivityRule,
    DocumentKind,
    PermitCommuneSettings,
    PermitRequest,
    PermitShoot,
    ServiceKind,
)
from permits.settings_row import check_range, settings_row
from shoots.activities import ACTIVITIES, declared
from shoots.models import Shoot

MAX_FAST_TRACK_CREW = 10_000  # the shoot's own limit (shoots.schemas.ShootFields.crew_size)


@dataclass(frozen=True)
class Rule:
    activity: str
    extra_working_days: int = 0
    documents: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    allows_fast_track: bool = True
    commune_nis: str | None = None  # None: the default of every commune

    @classmethod
    def of(cls, row: ActivityRule) -> Rule:
        return cls(
            activity=row.activity,
            extra_working_days=row.extra_working_days,
            documents=tuple(row.documents),
            services=tuple(row.services),
            allows_fast_track=row.allows_fast_track,
            commune_nis=row.commune_nis,
        )


@dataclass(frozen=True)
class FastTrack:
    working_days: int = DEFAULT_FAST_TRACK_WORKING_DAYS
    max_crew: int = DEFAULT_FAST_TRACK_MAX_CREW


@dataclass(frozen=True)
class Requirements:
    """What the rules ask of one request."""

    activities: tuple[str, ...]
    extra_working_days: int
    documents: tuple[str, ...]
    services: tuple[str, ...]
    fast_track: bool
    fast_track_working_days: int
    # Why the fast track is closed: activity codes, "parking" or "crew".
    fast_track_blockers: tuple[str, ...] = field(default=())

    def working_days(self, base_notice: int) -> int:
        """The notice the request owes, given its commune's minimum BASE_NOTICE."""
        if self.fast_track:
            return min(base_notice, self.fast_track_working_days)
        return min(base_notice + self.extra_working_days, MAX_NOTICE_WORKING_DAYS)


def rules_for(session: Session, commune_nis: str) -> dict[str, Rule]:
    """The rule of every activity in COMMUNE_NIS: its own row, else the default row, else a
    rule that asks nothing (an activity nobody wrote a rule for)."""
    rows = session.scalars(
        select(ActivityRule).where(
            or_(ActivityRule.commune_nis.is_(None), ActivityRule.commune_nis == commune_nis)
        )
    ).all()
    rules = {code: Rule(code) for code in ACTIVITIES}
    for row in sorted(rows, key=lambda r: r.commune_nis is not None):  # defaults first
        rules[row.activity] = Rule.of(row)
    return rules


def fast_track_of(session: Session, commune_nis: str) -> FastTrack:
    settings = session.get(PermitCommuneSettings, commune_nis)
    if settings is None:
        return FastTrack()
    return FastTrack(settings.fast_track_working_days, settings.fast_track_max_crew)


def set_fast_track(session: Session, commune_nis: str, working_days: int, max_crew: int) -> None:
    """Set COMMUNE_NIS's fast track (its settings row exists: permits.leadtime.set_notice)."""
    check_range("fast_track_working_days", working_days, 0, MAX_NOTICE_WORKING_DAYS)
    check_range("fast_track_max_crew", max_crew, 0, MAX_FAST_TRACK_CREW)
    settings = settings_row(session, commune_nis)
    settings.fast_track_working_days = working_days
    settings.fast_track_max_crew = max_crew
    session.flush()


def _merged(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        seen.update(dict.fromkeys(group))
    return tuple(seen)


def requirements_for(session: Session, permit: PermitRequest) -> Requirements:
    """What PERMIT's commune asks of it, from the activities of the shoots it holds."""
    shoots = session.scalars(
        select(Shoot)
        .join(PermitShoot, PermitShoot.shoot_id == Shoot.id)
        .where(PermitShoot.request_id == permit.id)
    ).all()
    return requirements_of(session, permit.commune_nis, shoots)


def requirements_of(session: Session, commune_nis: str, shoots: Iterable[Any]) -> Requirements:
    """What COMMUNE_NIS asks of a request holding SHOOTS (shoots or amendments)."""
    shoots = list(shoots)
    codes = _merged(declared(shoot) for shoot in shoots)
    rules = rules_for(session, commune_nis)
    fast = fast_track_of(session, commune_nis)
    applied = [rules[code] for code in codes]
    blockers = [rule.activity for rule in applied if not rule.allows_fast_track]
    if any(shoot.parking is not None for shoot in shoots):
        blockers.append("parking")
    if any(shoot.crew_size > fast.max_crew for shoot in shoots):
        blockers.append("crew")
    return Requirements(
        activities=codes,
        extra_working_days=max((rule.extra_working_days for rule in applied), default=0),
        documents=_merged(rule.documents for rule in applied),
        services=_merged(rule.services for rule in applied),
        fast_track=not blockers,
        fast_track_working_days=fast.working_days,
        fast_track_blockers=tuple(blockers),
    )


# ---- editing the rule table -----------------------------------------------------------------


def _known(field_name: str, values: Iterable[str], kinds: type[Any]) -> tuple[str, ...]:
    allowed = [kind.value for kind in kinds]
    values = tuple(dict.fromkeys(values))
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(
            field_name,
            _l(
                "unknown: %(values)s (known: %(known)s)",
                values=", ".join(unknown),
                known=", ".join(allowed),
            ),
        )
    return tuple(kind for kind in allowed if kind in values)  # in the kinds' order


def save_rule(session: Session, commune_nis: str | None, rule: Rule) -> Rule:
    """Write RULE as COMMUNE_NIS's own (None: the default of every commune), in the caller's
    unit of work. One statement: of two officers saving the same rule at once, the second
    waits on the unique constraint and then overwrites the first, neither gets an error."""
    if rule.activity not in ACTIVITIES:
        raise InvalidInput("activity", _l("unknown activity %(code)s", code=rule.activity))
    check_range("extra_working_days", rule.extra_working_days, 0, MAX_NOTICE_WORKING_DAYS)
    saved = Rule(
        activity=rule.activity,
        extra_working_days=rule.extra_working_days,
        documents=_known("documents", rule.documents, DocumentKind),
        services=_known("services", rule.services, ServiceKind),
        allows_fast_track=rule.allows_fast_track,
        commune_nis=commune_nis,
    )
    values = {
        "extra_working_days": saved.extra_working_days,
        "documents": list(saved.documents),
        "services": list(saved.services),
        "allows_fast_track": saved.allows_fast_track,
    }
    statement = insert(ActivityRule).values(
        commune_nis=commune_nis, activity=rule.activity, **values
    )
    session.execute(
        statement.on_conflict_do_update(
            constraint="uq_permit_activity_rules_commune_nis", set_=values
        )
    )
    return saved


def reset_rule(session: Session, commune_nis: str, activity: str) -> None:
    """Drop COMMUNE_NIS's own rule for ACTIVITY: the default applies again."""
    session.execute(
        delete(ActivityRule).where(
            ActivityRule.commune_nis == commune_nis, ActivityRule.activity == activity
        )
    )
