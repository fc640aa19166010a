"""A conflict check's findings as a viewer may read them: another production's shoot is
occupancy under "another production" (core.auth.policy.production_view). The shoot operations
put them in a refusal (409); the API and the pages show them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.policy import ProductionView, production_label, production_view
from shoots.models import Production
from shoots.operations.conflicts import Finding, Findings


def visible_other(session: Session, viewer: User | None, other: dict[str, Any]) -> dict[str, Any]:
    """What VIEWER may read of the other side of a finding: another production's shoot is
    occupancy (its id, to look at its footprint and period) under "another production"."""
    if other.get("type") != "shoot":
        return other
    production = session.get(Production, other["production_id"])
    if production_view(viewer, production) is ProductionView.FULL:
        return other
    return {"type": "shoot", "id": other["id"], "production": production_label(viewer, production)}


def finding_json(
    session: Session, viewer: User | None, finding: Finding, own: bool = True
) -> dict[str, Any]:
    """A finding as VIEWER may see it; OWN: VIEWER sees the checked shoot's production in full
    (else who overrode the warning and why stays with that production)."""
    body = finding.as_json()
    body["other"] = visible_other(session, viewer, body["other"])
    if not own and body["override"] is not None:
        body["override"] = {"recorded": True}
    return body


def findings_json(
    session: Session, viewer: User | None, findings: Findings, own: bool = True
) -> dict[str, Any]:
    return {
        "conflicts": [finding_json(session, viewer, f, own) for f in findings.conflicts],
        "warnings": [finding_json(session, viewer, f, own) for f in findings.warnings],
    }
