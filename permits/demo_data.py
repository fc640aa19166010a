"""Demo data: lead times of the demo communes. The demo production's shoots are deliberately
left without requests, so a newcomer can turn them into requests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from permits.models import PermitCommuneSettings, PermitShoot
from shoots.models import Production, Shoot

DEMO_PRODUCTION = "WFC-DEMO-0001"
DEMO_SETTINGS = {  # NIS: (working days of notice, the office's address)
    "92094": (15, "evenements@demo.namur.be"),
    "92101": (10, "secretariat@demo.profondeville.be"),
    "63023": (20, "veranstaltungen@demo.eupen.be"),
}


def load_demo(session: Session) -> str:
    created = 0
    for nis, (days, email) in DEMO_SETTINGS.items():
        if session.get(PermitCommuneSettings, nis) is None:
            session.add(
                PermitCommuneSettings(
                    commune_nis=nis, notice_working_days=days, notification_email=email
                )
            )
            created += 1
    session.flush()
    summary = f"{created} commune settings created, {len(DEMO_SETTINGS) - created} already there"
    production = session.scalar(
        select(Production).where(Production.file_reference == DEMO_PRODUCTION)
    )
    if production is not None:
        requested = session.scalar(
            select(Shoot.id)
            .join(PermitShoot, PermitShoot.shoot_id == Shoot.id)
            .where(Shoot.production_id == production.id)
            .limit(1)
        )
        state = "some already requested" if requested else "ready to be requested"
        summary += f"; demo production {DEMO_PRODUCTION}: shoots {state}"
    return summary
