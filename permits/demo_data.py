"""Demo data: lead times, services directories and fees of the demo communes. The demo
production's shoots are deliberately left without requests, so a newcomer can turn them into
requests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from permits.fees import save_tariff
from permits.models import PermitCommuneSettings, PermitShoot, Tariff
from permits.services import save_service, services_of
from shoots.models import Production, Shoot

DEMO_PRODUCTION = "WFC-DEMO-0001"
DEMO_SETTINGS = {  # NIS: (working days of notice, the office's address)
    "92094": (15, "evenements@demo.namur.be"),
    "92101": (10, "secretariat@demo.profondeville.be"),
    "63023": (20, "veranstaltungen@demo.eupen.be"),
}


# The demo communes' directories and fees: names of the real services, addresses of the demo.
DEMO_SERVICES = {
    "92094": {
        "police_zone": ("Zone de police Namur Capitale (démo)", "police@demo.namur.be"),
        "fire_zone": ("Zone de secours NAGE (démo)", "prevention@demo.nage.be"),
        "commune_office": ("Ville de Namur, service Événements (démo)", "evenements@demo.namur.be"),
    },
    "63023": {
        "police_zone": ("Polizeizone Weser-Göhl (Demo)", "polizei@demo.eupen.be"),
        "fire_zone": ("Hilfeleistungszone DG (Demo)", "vorbeugung@demo.hz-dg.be"),
    },
}
DEMO_TARIFFS = {  # NIS: per day, per m² a day, per sign, per parking space a day
    "92094": ("50", "0.25", "12", "4"),
    "63023": ("40", "0.20", "10", "3"),
}


def load_demo(session: Session) -> str:
    for nis, directory in DEMO_SERVICES.items():
        for kind, (name, email) in directory.items():
            if kind not in services_of(session, nis):
                save_service(session, nis, kind, {"name": name, "email": email})
    for nis, (day, area, sign, space) in DEMO_TARIFFS.items():
        if session.get(Tariff, nis) is None:
            save_tariff(session, nis, {"per_day": day, "per_m2_day": area, "per_sign": sign,
                                       "per_parking_space_day": space,
                                       "urgency_surcharge_percent": 25})  # fmt: skip
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
