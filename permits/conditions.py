"""A commune's standard conditions: what its decisions often impose, for the officer to tick.

The list offered in a commune is the default list (rows without a commune, migration 0015)
where the commune's own rows replace a default of the same code, hide it (`withdrawn`) or add
their own. A decision keeps the conditions picked as they read then, in the commune's
language (`picked`), so that a later edit of the list never changes what was decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from permits.models import StandardCondition

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_CONDITION_LENGTH = 2_000


@dataclass(frozen=True)
class Condition:
    code: str
    text_fr: str
    text_de: str
    position: int | None = None  # None: where it stands, or after the others when new
    own: bool = False  # the commune's own wording (or its own condition)

    def text(self, language: str) -> str:
        return self.text_de if language == "de" else self.text_fr


def conditions_for(session: Session, commune_nis: str) -> list[Condition]:
    """The conditions offered in COMMUNE_NIS, in their order."""
    rows = session.scalars(
        select(StandardCondition).where(
            or_(
                StandardCondition.commune_nis.is_(None),
                StandardCondition.commune_nis == commune_nis,
            )
        )
    ).all()
    found: dict[str, tuple[Condition, bool]] = {}
    for row in sorted(rows, key=lambda r: r.commune_nis is not None):  # defaults first
        own = row.commune_nis is not None
        found[row.code] = (
            Condition(row.code, row.text_fr, row.text_de, row.position, own),
            row.withdrawn,
        )
    offered = [condition for condition, withdrawn in found.values() if not withdrawn]
    return sorted(offered, key=lambda c: (c.position or 0, c.code))


def picked(
    session: Session, commune_nis: str, codes: Iterable[str], language: str
) -> list[dict[str, str]]:
    """The conditions CODES as a decision keeps them: their code and text in LANGUAGE, in the
    list's order; a code the commune does not offer is refused, naming `conditions`."""
    wanted = list(dict.fromkeys(codes))
    offered = {condition.code: condition for condition in conditions_for(session, commune_nis)}
    unknown = [code for code in wanted if code not in offered]
    if unknown:
        raise InvalidInput(
            "conditions",
            _l("not a condition of this commune: %(codes)s", codes=", ".join(unknown)),
        )
    ordered = [c for c in offered.values() if c.code in wanted]
    return [{"code": c.code, "text": c.text(language)} for c in ordered]


def save_condition(session: Session, commune_nis: str, condition: Condition) -> None:
    """Write COMMUNE_NIS's own wording of CONDITION (a new code adds a condition), in the
    caller's unit of work; one statement, so two saves at once leave the second's."""
    if not CODE.match(condition.code):
        raise InvalidInput("code", _l("use lower-case letters, digits and _ (at most 40)"))
    for name in ("text_fr", "text_de"):
        text = getattr(condition, name).strip()
        if not text:
            raise InvalidInput(name, _l("is required"))
        if len(text) > MAX_CONDITION_LENGTH:
            raise InvalidInput(name, _l("must be at most %(n)s characters", n=MAX_CONDITION_LENGTH))
    position = condition.position
    if position is None:
        positions = _positions(session, commune_nis)
        position = positions.get(condition.code, max(positions.values(), default=-1) + 1)
    values = {
        "text_fr": condition.text_fr.strip(),
        "text_de": condition.text_de.strip(),
        "position": position,
        "withdrawn": False,
    }
    session.execute(
        insert(StandardCondition)
        .values(commune_nis=commune_nis, code=condition.code, **values)
        .on_conflict_do_update(constraint="uq_permit_standard_conditions_commune_nis", set_=values)
    )


def _positions(session: Session, commune_nis: str) -> dict[str, int]:
    """Where each code stands in COMMUNE_NIS's list, withdrawn ones included."""
    rows = session.execute(
        select(StandardCondition.code, StandardCondition.position, StandardCondition.commune_nis)
        .where(
            or_(
                StandardCondition.commune_nis.is_(None),
                StandardCondition.commune_nis == commune_nis,
            )
        )
        .order_by(StandardCondition.commune_nis.nulls_first())
    ).all()
    return {code: position for code, position, _nis in rows}


def withdraw_condition(session: Session, commune_nis: str, code: str) -> None:
    """Stop offering CODE in COMMUNE_NIS (a default stays for the other communes)."""
    current = {c.code: c for c in conditions_for(session, commune_nis)}.get(code)
    if current is None:
        return
    values = {"withdrawn": True}
    session.execute(
        insert(StandardCondition)
        .values(
            commune_nis=commune_nis,
            code=code,
            text_fr=current.text_fr,
            text_de=current.text_de,
            position=current.position,
            **values,
        )
        .on_conflict_do_update(constraint="uq_permit_standard_conditions_commune_nis", set_=values)
    )
