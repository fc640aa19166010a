"""A commune's services directory: its office, police zone, fire zone and road manager, one of
each kind, with the address and mailbox a copy of a request goes to (permits.notifications).
Which services a request must copy is the rule table's answer (permits.requirements)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.auth.operations import EMAIL_PATTERN
from core.errors import InvalidInput
from permits.models import CommuneService, ServiceKind


def services_of(session: Session, commune_nis: str) -> dict[str, CommuneService]:
    """COMMUNE_NIS's directory by kind, in ServiceKind's order."""
    rows = {
        row.kind: row
        for row in session.scalars(
            select(CommuneService).where(CommuneService.commune_nis == commune_nis)
        )
    }
    return {kind.value: rows[kind.value] for kind in ServiceKind if kind.value in rows}


def save_service(session: Session, commune_nis: str, kind: str, values: dict[str, Any]) -> None:
    """Write COMMUNE_NIS's service of KIND (name, address, email, phone), in the caller's unit
    of work; two saves at once: the second overwrites the first (one statement)."""
    if kind not in ServiceKind.__members__.values():
        known = ", ".join(k.value for k in ServiceKind)
        raise InvalidInput("kind", _l("must be one of %(kinds)s", kinds=known))
    name = (values.get("name") or "").strip()
    if not name:
        raise InvalidInput("name", _l("is required"))
    email = (values.get("email") or "").strip() or None
    if email and not EMAIL_PATTERN.match(email):
        raise InvalidInput("email", _l("is not an e-mail address"))
    row = {
        "name": name[:200],
        "address": (values.get("address") or "").strip()[:2_000],
        "email": email,
        "phone": (values.get("phone") or "").strip()[:50] or None,
    }
    session.execute(
        insert(CommuneService)
        .values(commune_nis=commune_nis, kind=kind, **row)
        .on_conflict_do_update(constraint="uq_permit_commune_services_commune_nis", set_=row)
    )


def remove_service(session: Session, commune_nis: str, kind: str) -> None:
    session.execute(
        delete(CommuneService).where(
            CommuneService.commune_nis == commune_nis, CommuneService.kind == kind
        )
    )
