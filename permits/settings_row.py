"""The one row of a commune's permit settings (`permit_commune_settings`) that each owner of a
setting writes its columns to (the notice: permits.leadtime; the fast track:
permits.requirements; street rules and the ordinance template: permits.issued), and the one
range check their numbers share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from permits.models import PermitCommuneSettings


def check_range(field: str, value: float, low: float, high: float) -> None:
    """Refuse VALUE outside [LOW, HIGH], naming FIELD."""
    if not low <= value <= high:
        raise InvalidInput(field, _l("must be between %(low)s and %(high)s", low=low, high=high))


def settings_row(session: Session, commune_nis: str) -> PermitCommuneSettings:
    """COMMUNE_NIS's settings row, made (with the defaults) when it has none, in SESSION."""
    row = session.get(PermitCommuneSettings, commune_nis)
    if row is None:
        row = PermitCommuneSettings(commune_nis=commune_nis)
        session.add(row)
    return row
