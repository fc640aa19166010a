"""Series: one shoot copied to several days (every weekday for three weeks, or a list of dates).

Every occurrence is checked by the conflict engine and the series is made all or nothing: in one
transaction, under the area's lock (the occurrences share one footprint, hence its lock cells),
the report says for each date what the engine found, and one refused date stores nothing. The
dry run (`check_series`) gives the same report without storing.

Afterwards each occurrence is a shoot like any other (edited, cancelled, held by a permit
request one by one); `update_series` changes or cancels every occurrence still planned, each
through `shoots.update_shoot`, so a shoot a commune has before it becomes an amendment there
(shoots.operations.holds), and again all or nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import Session

from core.auth.models import User
from core.config import in_brussels
from core.errors import ApiError, Conflict, InvalidInput, NotFound, Text
from core.validation import check_date_window
from core.versioning import check_version
from shoots.models import Production, Shoot, ShootSeries
from shoots.operations import conflicts, holds
from shoots.operations import shoots as shoot_ops
from shoots.operations.conflicts import Candidate, Findings
from shoots.operations.findings import findings_json
from shoots.operations.inputs import local_iso, parse_period
from shoots.schemas import (
    MAX_SERIES_OCCURRENCES,
    RepeatIn,
    SeriesIn,
    SeriesPatch,
    ShootPatch,
)


@dataclass
class Occurrence:
    """One day of a series: its shoot as a candidate, or why that day cannot be."""

    day: date
    candidate: Candidate | None = None
    error: Text | None = None
    findings: Findings | None = None
    shoot: Shoot | None = None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "invalid"
        if self.findings is not None and self.findings.conflicts:
            return "conflict"
        if self.findings is not None and self.findings.warnings:
            return "warning"
        return "ok"


# ---- which days ------------------------------------------------------------------------------


def series_days(first: date, repeat: RepeatIn) -> list[date]:
    """FIRST and the other days REPEAT asks for, in order, each once; a 400 naming the part of
    REPEAT that is wrong (a day outside 2000-2100, before FIRST, too many days)."""
    for index, day in enumerate(repeat.dates):
        check_date_window(f"repeat.dates.{index}", day)
        if day < first:
            raise InvalidInput(
                f"repeat.dates.{index}",
                _l("%(day)s is before the first shoot (%(first)s)", day=day, first=first),
            )
    days = {first, *repeat.dates}
    if repeat.weekdays and repeat.until is None:
        raise InvalidInput("repeat.until", _l("is required with weekdays"))
    if repeat.until is not None:
        check_date_window("repeat.until", repeat.until)
        if repeat.until < first:
            raise InvalidInput("repeat.until", _l("must not be before the first shoot"))
        weekdays = set(repeat.weekdays)
        day = first
        while day <= repeat.until and len(days) <= MAX_SERIES_OCCURRENCES:
            if day.isoweekday() in weekdays:
                days.add(day)
            day += timedelta(days=1)
    if len(days) < 2:
        raise InvalidInput("repeat", _l("gives no other day than the first shoot's"))
    if len(days) > MAX_SERIES_OCCURRENCES:
        raise InvalidInput(
            "repeat",
            _l("a series has at most %(max)s shoots", max=MAX_SERIES_OCCURRENCES),
        )
    return sorted(days)


def _on_day(template: Candidate, day: date) -> Occurrence:
    """TEMPLATE moved to DAY at the same Brussels wall-clock hours (a night shoot still ends
    the next morning); a time that does not exist that day (clocks going forward) is its error."""
    starts, ends = in_brussels(template.starts_at), in_brussels(template.ends_at)
    spans = (ends.date() - starts.date()).days
    starts_at = datetime.combine(day, starts.time())
    ends_at = datetime.combine(day + timedelta(days=spans), ends.time())
    try:
        moved = parse_period(starts_at.isoformat(), ends_at.isoformat())
    except InvalidInput as error:
        return Occurrence(day, error=error.reason)
    return Occurrence(day, dataclasses.replace(template, starts_at=moved[0], ends_at=moved[1]))


def _occurrences(template: Candidate, days: list[date]) -> list[Occurrence]:
    found = [_on_day(template, day) for day in days]
    # One footprint: two occurrences at the same time would clash with each other.
    timed = [o for o in found if o.candidate is not None]
    for earlier, later in itertools.pairwise(timed):
        if later.candidate.starts_at < earlier.candidate.ends_at:  # type: ignore[union-attr]
            later.error = _l(
                "overlaps the shoot of %(day)s: the shoot lasts longer than the gap between "
                "two days",
                day=earlier.day,
            )
    return found


# ---- checking and making ---------------------------------------------------------------------


def _check(session: Session, occurrences: list[Occurrence]) -> None:
    for occurrence in occurrences:
        if occurrence.candidate is not None and occurrence.error is None:
            occurrence.findings = shoot_ops.input_findings(session, occurrence.candidate)


def occurrence_json(
    session: Session, viewer: User | None, occurrence: Occurrence
) -> dict[str, Any]:
    """One line of a series' report: the day, its hours, what the engine found (as VIEWER may
    read it) and, once made, the shoot's id."""
    candidate = occurrence.candidate
    body: dict[str, Any] = {
        "date": occurrence.day.isoformat(),
        "starts_at": local_iso(candidate.starts_at) if candidate else None,
        "ends_at": local_iso(candidate.ends_at) if candidate else None,
        "status": occurrence.status,
        "error": str(occurrence.error) if occurrence.error is not None else None,
        "shoot_id": occurrence.shoot.id if occurrence.shoot is not None else None,
        "conflicts": [],
        "warnings": [],
    }
    if occurrence.findings is not None:
        body.update(findings_json(session, viewer, occurrence.findings))
    return body


def series_report(
    session: Session, viewer: User | None, occurrences: list[Occurrence]
) -> list[dict[str, Any]]:
    return [occurrence_json(session, viewer, o) for o in occurrences]


def _refuse(session: Session, viewer: User | None, occurrences: list[Occurrence]) -> None:
    """A refusal naming the days that cannot be, with the whole report: nothing is stored."""
    invalid = [str(o.day) for o in occurrences if o.status == "invalid"]
    clashing = [str(o.day) for o in occurrences if o.status == "conflict"]
    report = series_report(session, viewer, occurrences)
    if invalid:
        raise InvalidInput(
            "repeat",
            _l("no shoot can be made on %(days)s (see each day)", days=", ".join(invalid)),
            occurrences=report,
        )
    if clashing:
        raise Conflict(
            _l(
                "The series clashes with other shoots on %(days)s: no shoot of it was saved.",
                days=", ".join(clashing),
            ),
            occurrences=report,
        )


@dataclass(frozen=True)
class Plan:
    production: Production
    occurrences: list[Occurrence]
    attributes: dict[str, Any]
    rule: dict[str, Any]


def plan_series(session: Session, data: SeriesIn) -> Plan:
    """The shoots DATA asks for, each checked as input; nothing checked against others yet."""
    production = shoot_ops.known_production(session, data.production_id)
    template = shoot_ops.candidate_from(session, data, None)
    days = series_days(in_brussels(template.starts_at).date(), data.repeat)
    return Plan(
        production,
        _occurrences(template, days),
        shoot_ops.given_attributes(data),
        data.repeat.model_dump(mode="json"),
    )


def check_series(session: Session, viewer: User | None, data: SeriesIn) -> list[dict[str, Any]]:
    """The dry run of a series: the report each day would get; stores nothing."""
    plan = plan_series(session, data)
    _check(session, plan.occurrences)
    return series_report(session, viewer, plan.occurrences)


def _make(session: Session, user: User | None, plan: Plan, series: ShootSeries) -> None:
    """Check every occurrence of PLAN under the area's lock and store them all in SERIES, or
    refuse (nothing stored)."""
    lockable = [o.candidate for o in plan.occurrences if o.candidate is not None]
    if lockable:
        conflicts.lock_area(session, lockable[0].footprint)  # the same footprint every day
    _check(session, plan.occurrences)
    _refuse(session, user, plan.occurrences)
    session.add(series)
    for occurrence in plan.occurrences:
        if occurrence.shoot is not None:  # the shoot copied: it is already stored
            continue
        shoot = Shoot(created_by_id=user.id if user else None, series=series)
        with session.no_autoflush:
            shoot.production = plan.production
            shoot_ops.store(session, shoot, occurrence.candidate, plan.attributes)  # type: ignore[arg-type]
        occurrence.shoot = shoot


def create_series(
    session: Session, user: User | None, data: SeriesIn
) -> tuple[ShootSeries, list[Occurrence]]:
    """The series DATA asks for, every shoot of it stored, or a refusal storing none (400 for a
    day that cannot be, 409 for a clash), with the report of every day."""
    plan = plan_series(session, data)
    series = ShootSeries(
        production=plan.production, rule=plan.rule, created_by_id=user.id if user else None
    )
    _make(session, user, plan, series)
    return series, plan.occurrences


def copy_shoot(
    session: Session, user: User | None, shoot: Shoot, repeat: RepeatIn
) -> tuple[ShootSeries, list[Occurrence]]:
    """SHOOT copied to the other days REPEAT asks for (its own day stays as it is): the copies
    join its series, or a new one it joins too. All or nothing, as create_series."""
    template = dataclasses.replace(shoot_ops.stored_candidate(shoot), exclude_id=None)
    first = in_brussels(template.starts_at).date()
    days = series_days(first, repeat)
    occurrences = _occurrences(template, days)
    own = next(o for o in occurrences if o.day == first)
    own.shoot, own.candidate, own.error = shoot, None, None  # not checked again: it exists
    attributes = {name: getattr(shoot, name) for name in shoot_ops.ATTRIBUTES}
    series = shoot.series or ShootSeries(
        production=shoot.production, rule={}, created_by_id=user.id if user else None
    )
    series.rule = {**series.rule, "copies": repeat.model_dump(mode="json")}
    plan = Plan(shoot.production, occurrences, attributes, series.rule)
    _make(session, user, plan, series)
    shoot.series = series
    session.flush()
    return series, occurrences


# ---- changing a series -----------------------------------------------------------------------


@dataclass
class Change:
    """What a change of the whole series did to one of its shoots."""

    shoot: Shoot
    day: date
    edit: shoot_ops.Edit | None = None
    error: ApiError | None = None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "refused"
        return "amendment" if self.edit and self.edit.amendment else "changed"


def _clock(field: str, raw: str | None) -> time | None:
    if raw is None:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(field, _l("is not a time of day: %(raw)r", raw=raw)) from None


def _moved(shoot: Shoot, start: time | None, end: time | None) -> dict[str, str]:
    """SHOOT's new wall-clock period on its own day, for new hours START and END."""
    if start is None and end is None:
        return {}
    starts, ends = in_brussels(shoot.period.lower), in_brussels(shoot.period.upper)
    day = starts.date()
    start = start or starts.time()
    end = end or ends.time()
    end_day = day + timedelta(days=1) if end <= start else day
    return {
        "starts_at": datetime.combine(day, start).isoformat(),
        "ends_at": datetime.combine(end_day, end).isoformat(),
    }


def live_shoots(series: ShootSeries) -> list[Shoot]:
    return [s for s in series.shoots if s.is_live]


def update_series(
    session: Session, user: User | None, series: ShootSeries, data: SeriesPatch
) -> list[Change]:
    """Change (or, with status cancelled, cancel) every planned shoot of SERIES: each as an
    edit of that shoot (an amendment where a commune has it before it). One refused shoot
    refuses all (409 with what each shoot got); nothing is changed then."""
    check_version(series, data.version)
    start, end = _clock("start_time", data.start_time), _clock("end_time", data.end_time)
    given = data.model_dump(exclude_unset=True, exclude={"start_time", "end_time", "version"})
    changes = []
    for shoot in live_shoots(series):
        change = Change(shoot, in_brussels(shoot.period.lower).date())
        patch = ShootPatch.model_validate({**given, **_moved(shoot, start, end)})
        try:
            with session.begin_nested():
                change.edit = shoot_ops.update_shoot(session, user, shoot, patch)
        except ApiError as error:
            change.error = error
        changes.append(change)
    refused = [c for c in changes if c.error is not None]
    if refused:
        raise Conflict(
            _l(
                "The change cannot be made on %(days)s: no shoot of the series was changed.",
                days=", ".join(str(c.day) for c in refused),
            ),
            shoots=[change_json(session, user, c) for c in changes],
        )
    series.updated_at = func.now()  # a new version: a second change made from the same one is a 409
    session.flush()
    return changes


def change_json(session: Session, viewer: User | None, change: Change) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shoot_id": change.shoot.id,
        "date": change.day.isoformat(),
        "status": change.status,
        "error": change.error.body() if change.error is not None else None,
        "amendment": change.edit.amendment if change.edit else None,
    }
    if change.edit is not None:
        body.update(findings_json(session, viewer, change.edit.findings))
    return body


def delete_series(session: Session, series: ShootSeries) -> None:
    """The series and every shoot of it; a 409 naming the request when one is in a live permit
    request (cancel the series instead)."""
    holds.refuse_removal(session, [s.id for s in series.shoots])
    for shoot in list(series.shoots):
        session.delete(shoot)
    session.delete(series)
    session.flush()


def get_series(session: Session, series_id: int) -> ShootSeries:
    series = session.get(ShootSeries, series_id)
    if series is None:
        raise NotFound(f"No series {series_id}.")
    return series


def series_json(session: Session, viewer: User | None, series: ShootSeries) -> dict[str, Any]:
    """A series and its shoots, each as VIEWER may see it (shoots.shoot_json)."""
    query = shoot_ops.shoots_query(series_id=series.id)
    return {
        "id": series.id,
        "production_id": series.production_id,
        "rule": series.rule,
        "version": series.version,
        "shoots": [shoot_ops.shoot_json(viewer, *row) for row in session.execute(query)],
    }
