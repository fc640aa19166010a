"""Communes and provinces found by their names in French, German or Dutch, however they are
typed: case, accents and punctuation ignored ("LIEGE", "Saint Vith"), by prefix ("Nam") or by
trigram similarity ("Butgenbak"). The place search (locations.places) and the filters that
accept a commune's name build on it.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, defer

from core.communes.models import Commune, ProvinceName, place_key
from core.db import WGS84
from core.errors import InvalidInput
from core.validation import like_literal

Bbox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (RFC 7946 order)
AMBIGUOUS_SHOWN = 5  # names listed when a commune's name is ambiguous


class NameMatch(enum.IntEnum):
    """How a name matches what was typed, best first."""

    WHOLE = 0  # the whole name ("liege" for Liège)
    START = 1  # the name starts with it ("nam" for Namur)
    WORD = 2  # one of its words starts with it ("vith" for Sankt Vith)
    SIMILAR = 3  # trigram word similarity ≥ pg_trgm.word_similarity_threshold (0.6)
    NONE = 9


def typed_key(session: Session, text: str) -> str:
    """TEXT as names are compared (tournages_place_key): '' when nothing of it is searchable
    ("%", "_", "{{ }}" are punctuation and match nothing, rather than everything)."""
    return session.scalar(select(place_key(literal(text)))) or ""


# What was typed, as bound parameters: the statements are built once (functools.cache) and run
# with typed_parameters(key); building the expressions took longer than running them.
TYPED = bindparam("typed", type_=Text)
STARTING = bindparam("starting", type_=Text)
WORD_STARTING = bindparam("word_starting", type_=Text)
LIMIT = bindparam("limit", type_=Integer)


def typed_parameters(typed: str, limit: int) -> dict[str, Any]:
    """The parameters of the statements built with name_match, name_matches, name_similarity
    for the place key TYPED, and LIMIT rows."""
    return {
        "typed": typed,
        "starting": like_literal(typed) + "%",
        "word_starting": "% " + like_literal(typed) + "%",
        "limit": limit,
    }


def name_match(key: Any) -> ColumnElement[int]:
    """The NameMatch of the name whose place key is KEY (NONE when it is NULL)."""
    return case(
        (key == TYPED, int(NameMatch.WHOLE)),
        (_starts(key), int(NameMatch.START)),
        (_word_starts(key), int(NameMatch.WORD)),
        (_similar(key), int(NameMatch.SIMILAR)),
        else_=int(NameMatch.NONE),
    )


def name_matches(key: Any) -> ColumnElement[bool]:
    """Whether the name whose place key is KEY matches at all: each test can use the name's
    trigram index (migration 0011)."""
    return or_(_starts(key), _word_starts(key), _similar(key))


def name_similarity(key: Any) -> ColumnElement[float]:
    """How close a near miss is (trigram word similarity); 1 for a name matching by a start,
    which ranks by its match, then by name. Computing the similarity of each of the thousands
    of names starting with "cha" would cost more than finding them."""
    return case((or_(_starts(key), _word_starts(key)), 1.0), else_=func.word_similarity(TYPED, key))


def _starts(key: Any) -> ColumnElement[bool]:
    return key.like(STARTING, escape="\\")


def _word_starts(key: Any) -> ColumnElement[bool]:
    return key.like(WORD_STARTING, escape="\\")


def _similar(key: Any) -> ColumnElement[bool]:
    """pg_trgm's `<%`: word similarity at least pg_trgm.word_similarity_threshold (0.6)."""
    return TYPED.op("<%")(key)


def representative_point(area: Any) -> ColumnElement[Any]:
    """AREA's centroid when it lies inside it, else a point that does (a crescent-shaped
    commune's centroid may lie in its neighbour), in WGS84."""
    centroid = func.ST_Centroid(area)
    inside = case(
        (func.ST_Intersects(area, centroid), centroid),
        else_=func.ST_PointOnSurface(area),
    )
    return func.ST_Transform(inside, WGS84)


@dataclass(frozen=True)
class NamedArea:
    """A commune or a province that matched a name."""

    kind: str  # "commune" or "province"
    nis: str
    names: dict[str, str]  # language -> name ("fr" always)
    province_nis: str
    match: NameMatch
    similarity: float
    population: int
    lon: float
    lat: float
    bbox: Bbox

    def name(self, locale: str) -> str:
        """The name in LOCALE where there is one (German in the East Cantons), else French."""
        return self.names.get(locale) or self.names["fr"]


def communes_named(session: Session, typed: str, limit: int) -> list[NamedArea]:
    """The active communes with a name matching TYPED (a place key), best first: how well the
    best of their French, German and Dutch names matches, then its similarity, then the larger
    commune (the "Saint…" one is more likely Saint-Ghislain than Saint-Léger)."""
    if not typed:
        return []
    rows = session.execute(_communes_statement(), typed_parameters(typed, limit))
    return [
        _named_area("commune", row.Commune.nis, _names(row.Commune), row.Commune.province_nis, row)
        for row in rows
    ]


@functools.cache
def _communes_statement() -> Select[Any]:
    keys = [place_key(column) for column in (Commune.name_fr, Commune.name_de, Commune.name_nl)]
    match = func.least(*(name_match(key) for key in keys)).label("match")
    similarity = func.greatest(*(name_similarity(key) for key in keys)).label("similarity")
    best = (
        select(Commune.nis, match, similarity)
        .where(Commune.retired_at.is_(None), or_(*(name_matches(key) for key in keys)))
        .order_by(match, similarity.desc(), Commune.population.desc().nulls_last(), Commune.nis)
        .limit(LIMIT)
        .subquery("best")
    )
    return (
        select(
            Commune,
            best.c.match,
            best.c.similarity,
            func.coalesce(Commune.population, 0).label("population"),
            *point_and_bbox(representative_point(Commune.boundary), Commune.boundary),
        )
        .options(defer(Commune.boundary))
        .join(best, best.c.nis == Commune.nis)
        .order_by(best.c.match, best.c.similarity.desc(), Commune.population.desc().nulls_last())
    )


def _names(commune: Commune) -> dict[str, str]:
    return {"fr": commune.name_fr, **({"de": commune.name_de} if commune.name_de else {})}


def point_and_bbox(point: Any, area: Any) -> list[ColumnElement[Any]]:
    """Columns lon, lat of POINT (WGS84) and west, south, east, north of AREA (EPSG:3812): its
    envelope is reprojected, not the whole boundary, which is cheap and a little generous."""
    box = func.ST_Transform(func.ST_Envelope(area), WGS84)
    return [
        func.ST_X(point).label("lon"),
        func.ST_Y(point).label("lat"),
        func.ST_XMin(box).label("west"),
        func.ST_YMin(box).label("south"),
        func.ST_XMax(box).label("east"),
        func.ST_YMax(box).label("north"),
    ]


def _named_area(kind: str, nis: str, names: dict[str, str], province_nis: str, row: Any):
    return NamedArea(
        kind=kind,
        nis=nis,
        names=names,
        province_nis=province_nis,
        match=NameMatch(row.match),
        similarity=float(row.similarity),
        population=int(row.population),
        lon=row.lon,
        lat=row.lat,
        bbox=(row.west, row.south, row.east, row.north),
    )


def province_names(session: Session) -> dict[str, dict[str, str]]:
    """Every province of the active communes: NIS -> language -> name."""
    names: dict[str, dict[str, str]] = {}
    for nis, name in session.execute(
        select(Commune.province_nis, Commune.province)
        .where(Commune.retired_at.is_(None))
        .distinct()
    ):
        names.setdefault(nis, {})["fr"] = name
    for nis, language, name in session.execute(
        select(ProvinceName.province_nis, ProvinceName.language, ProvinceName.name)
    ):
        if nis in names:
            names[nis][language] = name
    return names


def provinces_named(session: Session, typed: str, limit: int) -> list[NamedArea]:
    """The provinces with a French or German name matching TYPED, best first. There are five:
    their names are compared in one query, their area aggregated from their communes."""
    if not typed:
        return []
    rows = session.execute(_provinces_statement(), typed_parameters(typed, limit))
    return [
        _named_area(
            "province",
            row.nis,
            {"fr": row.name, **({"de": row.name_de} if row.name_de else {})},
            row.nis,
            row,
        )
        for row in rows
    ]


@functools.cache
def _provinces_statement() -> Select[Any]:
    french = (
        select(Commune.province_nis.label("nis"), func.min(Commune.province).label("name"))
        .where(Commune.retired_at.is_(None))
        .group_by(Commune.province_nis)
        .subquery("french")
    )
    german = and_(ProvinceName.province_nis == french.c.nis, ProvinceName.language == "de")
    keys = [place_key(french.c.name), place_key(ProvinceName.name)]
    match = func.least(*(name_match(key) for key in keys)).label("match")
    similarity = func.greatest(*(name_similarity(key) for key in keys)).label("similarity")
    best = (
        select(french.c.nis, french.c.name, ProvinceName.name.label("name_de"), match, similarity)
        .outerjoin(ProvinceName, german)
        .where(or_(*(name_matches(key) for key in keys)))
        .order_by(match, similarity.desc(), french.c.nis)
        .limit(LIMIT)
        .subquery("best")
    )
    # The provinces are compact: the centroid of their communes lies inside.
    area = func.ST_Collect(Commune.boundary)
    point = func.ST_Transform(func.ST_Centroid(area), WGS84)
    return (
        select(
            best.c.nis,
            best.c.name,
            best.c.name_de,
            best.c.match,
            best.c.similarity,
            func.coalesce(func.sum(Commune.population), 0).label("population"),
            *point_and_bbox(point, area),
        )
        .join(Commune, and_(Commune.province_nis == best.c.nis, Commune.retired_at.is_(None)))
        .group_by(best.c.nis, best.c.name, best.c.name_de, best.c.match, best.c.similarity)
        .order_by(best.c.match, best.c.similarity.desc(), best.c.nis)
    )


def commune_named(session: Session, text: str, field: str) -> Commune:
    """The active commune TEXT names: its NIS code, or a name matching one commune better than
    any other (the whole name, or the only match), else a 400 naming FIELD that says why."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        commune = session.get(Commune, text)
        if commune is None or commune.retired_at is not None:
            raise InvalidInput(field, _("no commune has the NIS code %(code)s", code=text))
        return commune
    found = communes_named(session, typed_key(session, text), AMBIGUOUS_SHOWN + 1)
    if not found:
        raise InvalidInput(field, _("no Walloon commune is called %(name)s", name=text))
    whole = [area for area in found if area.match is NameMatch.WHOLE]
    if len(whole) == 1 or len(found) == 1:
        return session.get_one(Commune, (whole or found)[0].nis)
    names = ", ".join(area.names["fr"] for area in found[:AMBIGUOUS_SHOWN])
    raise InvalidInput(
        field,
        _(
            "%(name)s could be several communes (%(names)s…): type more of the name",
            name=text,
            names=names,
        ),
    )
