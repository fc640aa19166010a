"""The special-activity questionnaire of a shoot: what it does that a commune must know of.

Five answers are the shoot's own columns from the start (night shoot, parking suspension, road
closure, special effects, drones); the others are the `activities` document (`Activities`, a
JSON object). `declared` is the one reading of both: which activities a shoot declares, with
night work also derived from its period. The permit rules (permits.requirements) map these
codes to lead time, documents and services; pages, documents and the API name them with
`ACTIVITY_LABELS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field

from core.config import BRUSSELS
from core.validation import Flag, Number, WholeNumber

# Night work, as communes and the labour rules count it: 22:00 to 07:00, Brussels time.
NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(7, 0)
MAX_STREETS = 20


class Activities(BaseModel):
    """The questionnaire's answers besides the five flag columns. Every field has a default:
    a shoot that answered nothing declares nothing."""

    model_config = ConfigDict(extra="forbid")

    pyrotechnics: Flag = Field(False, description="fireworks, explosions, open flames")
    replica_weapons: Flag = False
    police_uniforms: Flag = Field(False, description="actors in police or army uniforms")
    stunts: Flag = False
    animals: Flag = False
    generators: Flag = False
    base_camp: Flag = Field(False, description="trucks, catering and dressing rooms on site")
    drone_pilot_certificate: str = Field("", max_length=100)
    parking_spaces: WholeNumber = Field(0, ge=0, le=1_000, description="spaces suspended")
    parking_length_m: Number = Field(0, ge=0, le=10_000, allow_inf_nan=False)
    public_domain_m2: Number = Field(
        0, ge=0, le=1_000_000, allow_inf_nan=False, description="public domain occupied, m²"
    )
    streets: list[Annotated[str, Field(min_length=1, max_length=120)]] = Field(
        default_factory=list,
        max_length=MAX_STREETS,
        description="the streets concerned by parking bans and closures",
    )


# The questionnaire's codes, in the order pages list them. Each maps to a rule of the
# commune (permits.requirements).
ACTIVITY_LABELS: dict[str, Any] = {
    "special_effects": _l("special effects"),
    "pyrotechnics": _l("pyrotechnics"),
    "replica_weapons": _l("replica weapons"),
    "police_uniforms": _l("police uniforms"),
    "stunts": _l("stunts"),
    "animals": _l("animals"),
    "drones": _l("drones"),
    "night_work": _l("night work (22:00–07:00)"),
    "generators": _l("generators"),
    "road_closure": _l("road closure"),
    "parking_suspension": _l("parking suspension"),
    "public_domain": _l("public domain occupation"),
    "base_camp": _l("base camp"),
}
ACTIVITIES = tuple(ACTIVITY_LABELS)
_COLUMN_FLAGS = ("special_effects", "drones", "road_closure", "parking_suspension")
_ANSWER_FLAGS = (
    "pyrotechnics",
    "replica_weapons",
    "police_uniforms",
    "stunts",
    "animals",
    "generators",
    "base_camp",
)


def answers(raw: Mapping[str, Any] | None) -> Activities:
    """The stored `activities` document as answers (missing keys: their defaults)."""
    return Activities.model_validate(dict(raw or {}))


def touches_night(starts_at: datetime, ends_at: datetime) -> bool:
    """Whether [STARTS_AT, ENDS_AT) has a moment between 22:00 and 07:00, Brussels time."""
    day = starts_at.astimezone(BRUSSELS).date() - timedelta(days=1)
    last = ends_at.astimezone(BRUSSELS).date()
    while day <= last:
        night_start = datetime.combine(day, NIGHT_STARTS, BRUSSELS)
        night_end = datetime.combine(day + timedelta(days=1), NIGHT_ENDS, BRUSSELS)
        if starts_at < night_end and night_start < ends_at:
            return True
        day += timedelta(days=1)
    return False


def declared(shoot: Any) -> tuple[str, ...]:
    """The activity codes SHOOT declares (a Shoot or an Amendment: its five flags and its
    `activities`), in questionnaire order; night work also when its period touches the night."""
    given = answers(shoot.activities)
    codes = {code for code in _COLUMN_FLAGS if getattr(shoot, code)}
    codes |= {code for code in _ANSWER_FLAGS if getattr(given, code)}
    if given.parking_spaces > 0:
        codes.add("parking_suspension")
    if given.public_domain_m2 > 0:
        codes.add("public_domain")
    period = shoot.period
    if shoot.night_shoot or (period is not None and touches_night(period.lower, period.upper)):
        codes.add("night_work")
    return tuple(code for code in ACTIVITIES if code in codes)
