"""Demo accounts, one per role, so a newcomer can try every part of the app after `make run`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.auth.models import Role
from core.auth.operations import create_user, find_user

DEMO_PASSWORD = "tournages-demo"
DEMO_ACCOUNTS = (
    ("admin@demo.tournages.be", Role.ADMIN, None, "Admin (démo)"),
    ("coordinator@demo.tournages.be", Role.COORDINATOR, None, "Claire Coordinatrice (démo)"),
    ("coordinator2@demo.tournages.be", Role.COORDINATOR, None, "Marc Autreprod (démo)"),
    ("scout@demo.tournages.be", Role.SCOUT, None, "Sam Repéreur (démo)"),
    ("officer.namur@demo.tournages.be", Role.OFFICER, "92094", "Agent de Namur (démo)"),
    ("officer.profondeville@demo.tournages.be", Role.OFFICER, "92101", "Agent de Profondeville"),
    ("officer.eupen@demo.tournages.be", Role.OFFICER, "63023", "Beamter Eupen (Demo)"),
)


def load_demo_accounts(session: Session) -> str:
    created = 0
    for email, role, commune, name in DEMO_ACCOUNTS:
        if find_user(session, email) is None:
            create_user(
                session,
                email,
                role,
                password=DEMO_PASSWORD,
                commune_nis=commune,
                display_name=name,
            )
            created += 1
    return f"{created} accounts created, {len(DEMO_ACCOUNTS) - created} already there"
