"""What the people reading a request learn from the conflict engine about its shoots.

The engine's current answer for each live shoot of a request (`shoots.operations.shoots.
findings_for`: conflicts, warnings and the overrides recorded for them), as the viewer may see
it (`shoots.serialize.findings_json`: another production's shoot is occupancy unless the access
policy lets the viewer read that production). The request page, the request's JSON, its
document (PDF annex) and the inbox's marks all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.policy import ProductionView, production_view
from permits.models import PermitRequest
from permits.transitions import AWAITING_DECISION
from shoots.operations.conflicts import Findings
from shoots.operations.findings import findings_json
from shoots.operations.shoots import findings_for

# The requests the commune still has to decide: the inbox marks their warnings. (Decided and
# draft ones are not checked there: one engine query per shoot for the whole history would
# make the inbox slow, and the request page shows their findings anyway.)


def request_findings(session: Session, permit: PermitRequest) -> dict[int, Findings]:
    """The engine's current findings for each live shoot of PERMIT, by shoot id (a shoot that
    is no longer live takes no ground: it has none)."""
    return {
        part.shoot_id: findings_for(session, part.shoot)
        for part in permit.parts
        if part.shoot.is_live
    }


def visible_findings(
    session: Session, viewer: User | None, permit: PermitRequest, found: dict[int, Findings]
) -> dict[int, dict[str, Any]]:
    """FOUND as VIEWER may read it: {"conflicts": [...], "warnings": [...]} per shoot id.
    Who overrode a warning, when and why belongs to the request's production: shown to those
    reading that production in full (its coordinators, the commune's officers, admins)."""
    own = production_view(viewer, permit.production) is ProductionView.FULL
    return {
        shoot_id: findings_json(session, viewer, findings, own)
        for shoot_id, findings in found.items()
    }


@dataclass(frozen=True)
class Attention:
    """How many findings a request's shoots have (the inbox's mark, the page's summary)."""

    conflicts: int
    open_warnings: int  # not overridden
    overridden_warnings: int

    @property
    def any(self) -> bool:
        return bool(self.conflicts or self.open_warnings or self.overridden_warnings)


def summarize(found: dict[int, Findings]) -> Attention:
    items = [finding for findings in found.values() for finding in findings.items]
    warnings = [finding for finding in items if not finding.hard]
    return Attention(
        conflicts=sum(finding.hard for finding in items),
        open_warnings=sum(finding.override is None for finding in warnings),
        overridden_warnings=sum(finding.override is not None for finding in warnings),
    )


def attention(session: Session, permits: list[PermitRequest]) -> dict[int, Attention]:
    """The findings' counts of the requests awaiting decision, by request id."""
    return {
        permit.id: summarize(request_findings(session, permit))
        for permit in permits
        if permit.status in AWAITING_DECISION
    }
