"""iCalendar feeds (RFC 5545) of shoots, and the private token URLs that serve them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.policy import ProductionView, allowed, production_label, production_view
from core.config import in_brussels
from core.errors import NotFound
from core.validation import EARLIEST_DATE, LATEST_DATE
from shoots.models import CalendarFeed, FeedScope, Shoot

UID_DOMAIN = "tournages.wallonie.be"


def shoots_calendar(name: str, shoots: list[Shoot], viewer: User | None) -> bytes:
    """A VCALENDAR with one VEVENT per shoot as VIEWER may see it (another production's shoot
    is occupancy: no title unless listed, no notes); UIDs depend only on the shoot's id. A shoot
    that is no longer live (Shoot.is_live: it or its production cancelled) is CANCELLED."""
    calendar = Calendar()
    calendar.add("prodid", "-//Walloon film commission//Tournages//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Brussels")
    if shoots:
        first = min(s.period.lower for s in shoots)
        last = max(s.period.upper for s in shoots)
        # whole years: clients then also get the DST rules around the shoots (within the
        # date window: a shoot stored in year 9999 gets no rules of its own)
        window = EARLIEST_DATE.year, LATEST_DATE.year
        first_day = date(min(max(first.year, window[0]), window[1]), 1, 1)
        last_day = date(min(max(last.year + 1, window[0]), window[1]), 1, 1)
        calendar.add_component(
            Timezone.from_tzid("Europe/Brussels", first_date=first_day, last_date=last_day)
        )
    for shoot in shoots:
        calendar.add_component(_event(shoot, viewer))
    return calendar.to_ical()


def _event(shoot: Shoot, viewer: User | None) -> Event:
    event = Event()
    event.add("uid", f"shoot-{shoot.id}@{UID_DOMAIN}")
    event.add("dtstamp", (shoot.updated_at or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", in_brussels(shoot.period.lower))
    event.add("dtend", in_brussels(shoot.period.upper))
    event.add("sequence", shoot.version)
    event.add("summary", f"{production_label(viewer, shoot.production)} — shoot {shoot.id}")
    if shoot.location is not None and allowed(viewer, "locations.view", shoot.location):
        event.add("location", shoot.location.name)  # not a draft's name to an officer
    full = production_view(viewer, shoot.production) is ProductionView.FULL
    if shoot.notes and full:
        event.add("description", shoot.notes)
    event.add("status", "CONFIRMED" if shoot.is_live else "CANCELLED")
    return event


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(
    session: Session, user: User, scope: FeedScope, target: str
) -> tuple[CalendarFeed, str]:
    """A new private feed; the token is returned once, only its hash is kept."""
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        token_hash=_digest(token), scope=scope, target=target, created_by_id=user.id
    )
    session.add(feed)
    session.flush()
    return feed, token


def feed_for_token(session: Session, token: str) -> CalendarFeed:
    feed = session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == _digest(token), CalendarFeed.revoked_at.is_(None)
        )
    )
    if feed is None:
        raise NotFound(_("No such calendar feed (it may have been revoked)."))
    return feed


def revoke_feed(session: Session, feed: CalendarFeed) -> None:
    feed.revoked_at = datetime.now(UTC)
    session.flush()


def feeds_of(session: Session, user: User) -> list[CalendarFeed]:
    return list(
        session.scalars(
            select(CalendarFeed)
            .where(CalendarFeed.created_by_id == user.id, CalendarFeed.revoked_at.is_(None))
            .order_by(CalendarFeed.id)
        )
    )
