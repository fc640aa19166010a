"""Shoots that permit requests rely on: the one seam between shoots and the permits package.

Permits sits above shoots (docs/architecture.md), so shoots may not import it. Yet once a commune
has a shoot before it (a submitted or decided request) the shoot's values are what the commune
reads and decides: an edit must become an amendment the communes decide, not a change in
place, and a shoot in any live request must not vanish. The permits package installs its
Keeper when the app starts (permits.init_app); every edit and deletion of a shoot asks it first.
Without a keeper (the shoots package on its own) every shoot changes in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy.orm import Session

from core.auth.models import User
from shoots.models import Shoot, ShootStatus
from shoots.operations.conflicts import Candidate, Findings

EXTENSION = "tournages.shoot_keeper"


@dataclass(frozen=True)
class Proposal:
    """A shoot as an edit would leave it: input checked, conflicts checked, nothing stored."""

    candidate: Candidate
    status: ShootStatus
    attributes: dict[str, Any]  # shoots.operations.shoots.ATTRIBUTES, all of them
    reason: str
    base_version: int
    findings: Findings


class Keeper(Protocol):
    def binds(self, session: Session, shoot: Shoot) -> bool:
        """A commune has SHOOT before it: its values change only through an amendment."""

    def refuse_removal(self, session: Session, shoot_ids: list[int]) -> None:
        """Raise a Conflict naming the live requests holding any of SHOOT_IDS."""

    def amend(
        self, session: Session, user: User | None, shoot: Shoot, proposal: Proposal
    ) -> dict[str, Any]:
        """Store the edit of a bound SHOOT as an amendment for the communes to decide; the
        amendment as JSON."""

    def follow(self, session: Session, user: User | None, shoot: Shoot) -> None:
        """SHOOT changed in place: the requests still being prepared follow it."""

    def last_change(self, session: Session) -> datetime | None:
        """When any shoot or production last changed, a deletion included, or a commune's
        view of one did (a request submitted, an amendment proposed or decided)."""


def install(app: Flask, keeper: Keeper) -> None:
    app.extensions[EXTENSION] = keeper


def keeper() -> Keeper | None:
    return current_app.extensions.get(EXTENSION)


def last_change(session: Session) -> datetime | None:
    """Keeper.last_change; None without a keeper (nothing records deletions then)."""
    found = keeper()
    return found.last_change(session) if found is not None else None


def refuse_removal(session: Session, shoot_ids: list[int]) -> None:
    """A shoot in a live permit request does not vanish from it: 409 naming the request."""
    found = keeper()
    if found is not None and shoot_ids:
        found.refuse_removal(session, shoot_ids)
