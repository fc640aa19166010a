"""What a shoot does to the street, as a police ordinance states it: the length of a parking
ban in metres, the spaces it suspends, the signs it needs, and the closures. One reading of the
questionnaire's answers and of the parking geometry, for the ordinance draft, the resident
notice and the fees.

A parking ban's length is the one the coordinator typed; without it, the number of spaces
times the commune's space length (5.5 m unless it says); without either, the long side of the
parking area's smallest rotated rectangle (the kerb it runs along). Its spaces are the typed
number, else the length divided by the space length, rounded down. It needs a sign at each
end and one every SIGN_SPACING_M between (Belgian practice: E1 signs with the additional
panel of dates and hours); a road closure needs two (C3 at each end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from permits.models import DEFAULT_PARKING_SPACE_M, PermitCommuneSettings, PermitShoot
from shoots.activities import answers

SIGN_SPACING_M = 25
CLOSURE_SIGNS = 2


@dataclass(frozen=True)
class StreetMeasures:
    parking_length_m: float  # 0: no parking ban
    parking_spaces: int
    parking_signs: int
    road_closure: bool
    closure_signs: int
    streets: tuple[str, ...]

    @property
    def signs(self) -> int:
        return self.parking_signs + self.closure_signs


def space_length_of(session: Session, commune_nis: str) -> float:
    settings = session.get(PermitCommuneSettings, commune_nis)
    return settings.parking_space_m if settings is not None else DEFAULT_PARKING_SPACE_M


def kerb_length(area: BaseGeometry | None) -> float:
    """The long side of AREA's smallest rotated rectangle, in metres (0 without an area)."""
    if area is None or area.is_empty:
        return 0.0
    corners = list(area.minimum_rotated_rectangle.exterior.coords)
    return max(math.dist(a, b) for a, b in pairwise(corners))


def parking_signs(length_m: float) -> int:
    """A sign at each end of the ban and one every SIGN_SPACING_M between (0: no ban)."""
    if length_m <= 0:
        return 0
    return math.ceil(length_m / SIGN_SPACING_M) + 1


def measures_of(part: PermitShoot, space_m: float) -> StreetMeasures:
    """What PART's shoot does to the street on the request's commune's ground."""
    shoot = part.shoot
    given = answers(shoot.activities)
    parking = to_shape(part.parking_part) if part.parking_part is not None else None
    if given.parking_length_m > 0:
        length = given.parking_length_m
    elif given.parking_spaces > 0:
        length = given.parking_spaces * space_m
    elif shoot.parking_suspension:
        length = kerb_length(parking)
    else:
        length = 0.0
    spaces = given.parking_spaces or math.floor(length / space_m + 1e-9)
    return StreetMeasures(
        parking_length_m=round(length, 1),
        parking_spaces=spaces,
        parking_signs=parking_signs(length),
        road_closure=shoot.road_closure,
        closure_signs=CLOSURE_SIGNS if shoot.road_closure else 0,
        streets=tuple(given.streets),
    )
