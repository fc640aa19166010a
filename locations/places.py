"""One place search: communes and provinces by their French, German or Dutch names, the library
locations the user may see, and (with a geocoder) street addresses and localities in Wallonia.

People type "Namur", "Lüttich", "Citadelle" or "rue de Fer 25" where they used to type
`lon,lat`, NIS codes and ids: `search_places` lists what they may mean (the pickers' suggestions,
GET /api/v1/places), `best_place` chooses one (the location search's `near=Namur`), and
`resolve_search` turns the names a location search carries into the point and the NIS code the
search filters by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.communes.models import Commune
from core.communes.names import (
    LIMIT,
    NamedArea,
    NameMatch,
    commune_named,
    communes_named,
    name_match,
    name_matches,
    name_similarity,
    point_and_bbox,
    province_names,
    provinces_named,
    typed_key,
    typed_parameters,
)
from core.communes.operations import commune_at
from core.db import WGS84
from core.errors import InvalidInput
from core.geocoder import GeocodedPlace, Geocoder, configured
from locations.models import Location
from locations.schemas import LocationSearch

KINDS = ("commune", "province", "location", "locality", "address")
LOCAL_KINDS = ("commune", "province", "location")
GEOCODED_KINDS = ("locality", "address")
KIND_ORDER = {kind: number for number, kind in enumerate(KINDS)}  # ties: a commune first
DEFAULT_LIMIT = 10
GEOCODER_SLOTS = 3  # suggestions kept for the geocoder's results when the app finds many
GEOCODER_MIN_CHARACTERS = 3  # one or two letters are not an address


@dataclass(frozen=True)
class Place:
    kind: str  # one of KINDS
    label: str  # in the user's language where the place has a name in it
    context: str | None  # where it is: the province of a commune, the commune of the others
    lon: float
    lat: float
    bbox: tuple[float, float, float, float] | None  # min lon, min lat, max lon, max lat
    commune_nis: str | None  # the commune itself, or the one the place lies in
    province_nis: str | None
    id: int | None = None  # a library location's id
    # How it matched, for ranking (not shown): NameMatch, similarity, size.
    match: NameMatch = NameMatch.SIMILAR
    similarity: float = 0.0
    population: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "context": self.context,
            "point": [round(self.lon, 6), round(self.lat, 6)],
            "bbox": [round(value, 6) for value in self.bbox] if self.bbox else None,
            "commune_nis": self.commune_nis,
            "province_nis": self.province_nis,
        }

    @property
    def near(self) -> str:
        """The place's point as the location search's `near` (lon,lat)."""
        return f"{self.lon:.6f},{self.lat:.6f}"


def _rank(place: Place) -> tuple[Any, ...]:
    return (
        place.match,
        -round(place.similarity, 3),
        KIND_ORDER[place.kind],
        -place.population,
        place.label.casefold(),
        place.id or 0,
    )


def _area_place(area: NamedArea, locale: str, provinces: dict[str, dict[str, str]]) -> Place:
    if area.kind == "commune":
        names = provinces.get(area.province_nis, {})
        context = names.get(locale) or names.get("fr")
    else:
        context = None
    return Place(
        kind=area.kind,
        label=area.name(locale),
        context=context,
        lon=area.lon,
        lat=area.lat,
        bbox=area.bbox,
        commune_nis=area.nis if area.kind == "commune" else None,
        province_nis=area.province_nis,
        match=area.match,
        similarity=area.similarity,
        population=area.population,
    )


def locations_named(
    session: Session, typed: str, user: User | None, locale: str, limit: int
) -> list[Place]:
    """The library locations USER may see (Location.visible_to) whose name matches TYPED."""
    if not typed:
        return []
    key = Location.name_key
    match = name_match(key).label("match")
    similarity = name_similarity(key).label("similarity")
    best = (
        select(Location.id, match, similarity)
        .where(Location.visible_to(user), name_matches(key))
        .order_by(match, similarity.desc(), Location.name, Location.id)
        .limit(LIMIT)
        .subquery("best")
    )
    rows = session.execute(
        select(
            Location.id,
            Location.name,
            Commune.nis,
            Commune.name_fr,
            Commune.name_de,
            Commune.province_nis,
            best.c.match,
            best.c.similarity,
            *point_and_bbox(func.ST_Transform(Location.point, WGS84), Location.outline),
        )
        .join(best, best.c.id == Location.id)
        .join(Commune, Commune.nis == Location.commune_nis)
        .order_by(best.c.match, best.c.similarity.desc(), Location.name, Location.id),
        typed_parameters(typed, limit),
    )
    return [
        Place(
            kind="location",
            id=row.id,
            label=row.name,
            context=row.name_de if locale == "de" and row.name_de else row.name_fr,
            lon=row.lon,
            lat=row.lat,
            bbox=(row.west, row.south, row.east, row.north) if row.west is not None else None,
            commune_nis=row.nis,
            province_nis=row.province_nis,
            match=NameMatch(row.match),
            similarity=float(row.similarity),
        )
        for row in rows
    ]


def _geocoded(session: Session, found: list[GeocodedPlace], locale: str, limit: int) -> list[Place]:
    """The geocoder's results that lie in a Walloon commune (commune_at, the owner of that
    rule), in the geocoder's order."""
    places = []
    for result in found:
        commune = commune_at(session, result.lon, result.lat)
        if commune is None:
            continue
        places.append(
            Place(
                kind=result.kind,
                label=result.label,
                context=commune[0].name(locale),
                lon=result.lon,
                lat=result.lat,
                bbox=result.bbox,
                commune_nis=commune[0].nis,
                province_nis=commune[0].province_nis,
            )
        )
        if len(places) == limit:
            break
    return places


def search_places(
    session: Session,
    text: str,
    user: User | None,
    *,
    locale: str = "fr",
    kinds: tuple[str, ...] = KINDS,
    limit: int = DEFAULT_LIMIT,
    geocoder: Geocoder | None = None,
) -> list[Place]:
    """The places TEXT may mean, best first, at most LIMIT: the app's own (communes, provinces,
    locations) ranked by how well their names match, then the geocoder's, which keep
    GEOCODER_SLOTS of the places when the app finds many. Without a geocoder, or when it fails,
    only the app's own."""
    typed = typed_key(session, text)
    local: list[Place] = []
    if "commune" in kinds or "province" in kinds:
        provinces = province_names(session)
        areas = communes_named(session, typed, limit) if "commune" in kinds else []
        areas += provinces_named(session, typed, limit) if "province" in kinds else []
        local += [_area_place(area, locale, provinces) for area in areas]
    if "location" in kinds:
        local += locations_named(session, typed, user, locale, limit)
    local.sort(key=_rank)
    geocoded: list[Place] = []
    wanted = [kind for kind in GEOCODED_KINDS if kind in kinds]
    if geocoder is not None and wanted and len(text.strip()) >= GEOCODER_MIN_CHARACTERS:
        found = [p for p in geocoder.search(text, locale, limit * 2) if p.kind in wanted]
        communes = {place.label.casefold() for place in local if place.kind == "commune"}
        geocoded = [
            place
            for place in _geocoded(session, found, locale, limit)
            # a commune's seat found again as a locality ("Namur", "Namur")
            if not (place.kind == "locality" and place.label.split(",")[0].casefold() in communes)
        ]
    kept = local[: limit - min(len(geocoded), GEOCODER_SLOTS)]
    return kept + geocoded[: limit - len(kept)]


def best_place(
    session: Session, text: str, user: User | None, geocoder: Geocoder | None = None
) -> Place | None:
    """The place TEXT most likely means: the best of the app's own when its name matches at
    least by a word's start (the geocoder is not asked then), else the geocoder's first, else a
    near miss of the app's own."""
    local = search_places(session, text, user, kinds=LOCAL_KINDS, limit=1)
    if local and local[0].match <= NameMatch.WORD:
        return local[0]
    geocoded = search_places(session, text, user, kinds=GEOCODED_KINDS, limit=1, geocoder=geocoder)
    return (geocoded or local or [None])[0]


def resolve_search(session: Session, criteria: LocationSearch, user: User | None) -> LocationSearch:
    """CRITERIA with a place name in `near` replaced by the place's point and a commune's name in
    `commune` by its NIS code; a name or code that matches nothing is a 400 naming the
    parameter."""
    changes: dict[str, Any] = {}
    if criteria.near_name is not None:
        place = best_place(session, criteria.near_name, user, configured())
        if place is None:
            raise InvalidInput(
                "near",
                _(
                    "no place called %(name)s was found: type a commune, a library location, "
                    "an address or longitude,latitude",
                    name=criteria.near_name,
                ),
            )
        changes["near"] = place.near
    if criteria.commune is not None:  # a NIS code is checked too: an unknown one is a 400
        changes["commune"] = commune_named(session, criteria.commune, "commune").nis
    return criteria.model_copy(update=changes) if changes else criteria
