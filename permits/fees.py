"""What a request costs: the commune's tariff applied to its shoots, and whether it is paid.

The quote counts, on the commune's ground: shoot days (distinct Brussels calendar days,
shoots.operations.days), square metres of public domain per day, parking-ban and closure
signs, and suspended parking spaces per day (permits.measures). A request inside its lead time
(late, permits.leadtime) adds the commune's urgency surcharge; a production of a type the
commune exempts (student films by default) pays nothing, and the quote says why. A commune
without a tariff charges nothing. Amounts are euros, rounded to the cent, half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.auth.models import User
from core.errors import InvalidInput
from permits import leadtime, measures
from permits.models import (
    EDITABLE_STATUSES,
    MAX_AMOUNT_EUR,
    FeeStatus,
    PermitRequest,
    Tariff,
)
from permits.settings_row import check_range
from shoots.activities import answers
from shoots.models import ProductionType
from shoots.operations.days import brussels_days

CENT = Decimal("0.01")
MAX_SURCHARGE_PERCENT = 200  # as the table's check constraint
FEE_LABELS = {
    "days": _l("shoot days"),
    "public_domain": _l("public domain (m² × days)"),
    "signs": _l("signs"),
    "parking_spaces": _l("parking spaces × days"),
}
_DAYS_SQL = text(
    f"""
    SELECT ps.shoot_id, count(DISTINCT day) AS days
    FROM permit_request_shoots ps JOIN shoots s ON s.id = ps.shoot_id, {brussels_days("s.period")}
    WHERE ps.request_id = :request_id
    GROUP BY ROLLUP (ps.shoot_id)
    """
)


@dataclass(frozen=True)
class FeeLine:
    code: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Quote:
    lines: tuple[FeeLine, ...]
    surcharge_percent: int  # 0 unless the request is late
    exempt_type: str | None  # the production's type, when the commune exempts it

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def surcharge(self) -> Decimal:
        return (self.subtotal * self.surcharge_percent / 100).quantize(CENT, ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        return Decimal("0.00") if self.exempt_type else self.subtotal + self.surcharge

    def as_json(self) -> dict[str, Any]:
        return {
            "lines": [
                {
                    "code": line.code,
                    "quantity": str(line.quantity),
                    "unit_price": str(line.unit_price),
                    "amount": str(line.amount),
                }
                for line in self.lines
            ],
            "subtotal": str(self.subtotal),
            "surcharge_percent": self.surcharge_percent,
            "surcharge": str(self.surcharge),
            "exempt_type": self.exempt_type,
            "total": str(self.total),
            "currency": "EUR",
        }


def _late(session: Session, permit: PermitRequest) -> bool:
    if permit.status in EDITABLE_STATUSES:  # not sent yet: late if it were sent now
        return leadtime.check(session, permit, datetime.now(UTC)).late
    return permit.is_late


def tariff_of(session: Session, commune_nis: str) -> Tariff:
    """COMMUNE_NIS's tariff; a commune that set none charges nothing (and exempts nobody)."""
    return session.get(Tariff, commune_nis) or Tariff(
        commune_nis=commune_nis, per_day=Decimal(0), per_m2_day=Decimal(0),
        per_sign=Decimal(0), per_parking_space_day=Decimal(0), urgency_surcharge_percent=0,
        exempt_types=[],
    )  # fmt: skip


def quote(session: Session, permit: PermitRequest) -> Quote:
    """PERMIT's fees by its commune's tariff (nothing when the commune has none)."""
    tariff = tariff_of(session, permit.commune_nis)
    days = {
        shoot_id: count for shoot_id, count in session.execute(_DAYS_SQL, {"request_id": permit.id})
    }
    space_m = measures.space_length_of(session, permit.commune_nis)
    area_days = Decimal(0)
    signs = 0
    space_days = 0
    for part in permit.parts:
        shoot_days = days.get(part.shoot_id, 0)
        street = measures.measures_of(part, space_m)
        area = Decimal(str(answers(part.shoot.activities).public_domain_m2))
        area_days += area * shoot_days
        signs += street.signs
        space_days += street.parking_spaces * shoot_days
    lines = (
        FeeLine("days", Decimal(days.get(None, 0)), Decimal(tariff.per_day)),
        FeeLine("public_domain", area_days.quantize(CENT), Decimal(tariff.per_m2_day)),
        FeeLine("signs", Decimal(signs), Decimal(tariff.per_sign)),
        FeeLine("parking_spaces", Decimal(space_days), Decimal(tariff.per_parking_space_day)),
    )
    production_type = permit.production.type.value
    return Quote(
        lines=lines,
        surcharge_percent=tariff.urgency_surcharge_percent if _late(session, permit) else 0,
        exempt_type=production_type if production_type in tariff.exempt_types else None,
    )


def set_fee_status(
    session: Session, permit: PermitRequest, status: str, user: User | None
) -> PermitRequest:
    """The officer's word on the fees: paid, unpaid or waived (the audit log keeps who)."""
    if status not in FeeStatus.__members__.values():
        known = ", ".join(s.value for s in FeeStatus)
        raise InvalidInput("fee_status", _l("must be one of %(kinds)s", kinds=known))
    permit.fee_status = status
    permit.fee_status_at = datetime.now(UTC)
    session.flush()
    return permit


def save_tariff(session: Session, commune_nis: str, values: dict[str, Any]) -> Tariff:
    """Write COMMUNE_NIS's tariff, refusing a negative or absurd amount naming its field."""
    tariff = session.get(Tariff, commune_nis) or Tariff(commune_nis=commune_nis)
    for name in ("per_day", "per_m2_day", "per_sign", "per_parking_space_day"):
        amount = Decimal(str(values.get(name) or 0))
        check_range(name, amount if amount.is_finite() else Decimal(-1), 0, MAX_AMOUNT_EUR)
        setattr(tariff, name, amount.quantize(CENT, ROUND_HALF_UP))
    surcharge = values.get("urgency_surcharge_percent") or 0
    check_range("urgency_surcharge_percent", surcharge, 0, MAX_SURCHARGE_PERCENT)
    tariff.urgency_surcharge_percent = surcharge
    exempt = list(dict.fromkeys(values.get("exempt_types", [ProductionType.STUDENT.value])))
    known = [kind.value for kind in ProductionType]
    if any(kind not in known for kind in exempt):
        raise InvalidInput("exempt_types", _l("must be among %(kinds)s", kinds=", ".join(known)))
    tariff.exempt_types = exempt
    session.add(tariff)
    session.flush()
    return tariff
