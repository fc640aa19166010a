"""Domain operations of the location library: plain functions on a Session; callers commit."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from geoalchemy2 import WKBElement
from geoalchemy2.shape import from_shape
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Select, and_, exists, false, func, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.policy import allowed
from core.communes.models import Commune, province_name_in
from core.communes.operations import commune_at
from core.dates import language
from core.db import SRID, WGS84
from core.errors import ApiError, Conflict, InvalidInput, NotFound
from core.geo import (
    as_geojson,
    check_outline_size,
    envelope_3812,
    geojson_shape,
    point_3812,
    polygon_3812,
    to_lambert,
)
from core.validation import like_literal
from core.versioning import check_version
from locations import photos, places
from locations.bookings import UpcomingShoot, bookings
from locations.models import (
    Category,
    Location,
    LocationPhoto,
    LocationStatus,
    location_category_links,
)
from locations.schemas import (
    FACILITY_FIELDS,
    PRIVATE_FIELDS,
    LocationFields,
    LocationSearch,
    PolygonGeometry,
)

OUTLINE_MAX_DISTANCE_M = 500.0  # a site outline must be around its point
NEARBY_RADIUS_M = 10_000.0


class Forbidden(ApiError):
    status = 403
    error = "forbidden"


# ---- geometry and commune -------------------------------------------------------------------


def outside_wallonia(session: Session, lon: float, lat: float, field: str) -> InvalidInput:
    """The error for a point outside Wallonia, saying so when lon and lat look swapped."""
    swapped = commune_at(session, lat, lon) if abs(lat) <= 180 and abs(lon) <= 90 else None
    if swapped is not None:
        return InvalidInput(
            field,
            _l(
                "(%(lon)s, %(lat)s) is outside Wallonia, but (%(lat)s, %(lon)s) is in "
                "%(commune)s: latitude and longitude look swapped; GeoJSON wants "
                "[longitude, latitude]",
                lon=lon,
                lat=lat,
                commune=swapped[0].name(),
            ),
        )
    return InvalidInput(field, _l("(%(lon)s, %(lat)s) is outside Wallonia", lon=lon, lat=lat))


def commune_for(session: Session, lon: float, lat: float, field: str = "geometry") -> Commune:
    found = commune_at(session, lon, lat)
    if found is None:
        raise outside_wallonia(session, lon, lat, field)
    return found[0]


def checked_outline(field: str, geometry: BaseGeometry, crs: int = WGS84) -> Polygon:
    """A site outline people sent (typed or imported, in EPSG:CRS) as a valid EPSG:3812 polygon
    of a site's size, or a 400 naming FIELD."""
    polygon = polygon_3812(field, geometry, crs)
    check_outline_size(field, polygon)
    return polygon


def outline_3812(outline: PolygonGeometry, point: Point, field: str) -> WKBElement:
    """A WGS84 outline near POINT (EPSG:3812) as a stored geometry, or a 400 saying why."""
    polygon = checked_outline(field, geojson_shape(field, outline.model_dump()))
    distance = polygon.distance(point)
    if distance > OUTLINE_MAX_DISTANCE_M:
        raise InvalidInput(
            field, _l("lies %(metres).0f m from the location's point", metres=distance)
        )
    return from_shape(polygon, srid=SRID)


def lambert_point(lon: float, lat: float) -> Point:
    return to_lambert(Point(lon, lat))


# ---- categories ------------------------------------------------------------------------------


def all_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.position, Category.code)))


def categories_named(session: Session, codes: list[str], field: str) -> list[Category]:
    wanted = list(dict.fromkeys(codes))
    found = {c.code: c for c in session.scalars(select(Category).where(Category.code.in_(wanted)))}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        known = ", ".join(c.code for c in all_categories(session))
        raise InvalidInput(
            field, _l("unknown category %(code)r; known: %(known)s", code=unknown[0], known=known)
        )
    return [found[code] for code in wanted]


def normalise_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))


# ---- create, edit, publish, delete ----------------------------------------------------------

SIMPLE_FIELDS = (
    "name",
    "description",
    "address",
    *FACILITY_FIELDS,
    "access_notes",
    *PRIVATE_FIELDS,
)


def _check_rights(user: User | None, fields: LocationFields, location: Location | None) -> None:
    sent = fields.model_fields_set
    private = [name for name in PRIVATE_FIELDS if name in sent]
    if private and not allowed(user, "locations.view_private"):
        raise Forbidden(
            f"properties.{private[0]}: your role may not set owner or contact details",
            field=f"properties.{private[0]}",
        )
    changes_status = fields.status is not None and (
        location is None or fields.status != location.status
    )
    if changes_status and not allowed(user, "locations.publish"):
        raise Forbidden(
            "properties.status: only administrators publish or archive locations",
            field="properties.status",
        )


def _apply(
    session: Session,
    location: Location,
    fields: LocationFields,
    coordinates: tuple[float, float] | None,
) -> None:
    sent = fields.model_fields_set  # the schema refuses a null name
    for name in SIMPLE_FIELDS:
        if name in sent:
            setattr(location, name, getattr(fields, name) or _empty(name))
    if coordinates is not None:
        lon, lat = coordinates
        location.commune_nis = commune_for(session, lon, lat).nis
        location.point = from_shape(lambert_point(lon, lat), srid=SRID)
    if "outline" in sent:
        point = _stored_point(session, location, coordinates)
        location.outline = (
            outline_3812(fields.outline, point, "properties.outline") if fields.outline else None
        )
    if fields.categories is not None:
        location.categories = categories_named(session, fields.categories, "properties.categories")
    if fields.tags is not None:
        location.tags = normalise_tags(fields.tags)
    if fields.status is not None:
        location.status = fields.status


def _empty(name: str) -> Any:
    """What an explicit null stores: text columns that are NOT NULL keep an empty string."""
    nullable = Location.__table__.c[name].nullable
    python_type = Location.__table__.c[name].type.python_type
    if nullable:
        return None
    return python_type()


def _stored_point(
    session: Session, location: Location, coordinates: tuple[float, float] | None
) -> Point:
    if coordinates is not None:
        return lambert_point(*coordinates)
    x, y = session.execute(
        select(func.ST_X(Location.point), func.ST_Y(Location.point)).where(
            Location.id == location.id
        )
    ).one()
    return Point(x, y)


def create_location(
    session: Session,
    fields: LocationFields,
    coordinates: tuple[float, float],
    user: User | None,
    *,
    is_demo: bool = False,
) -> Location:
    _check_rights(user, fields, None)
    location = Location(
        status=LocationStatus.DRAFT, created_by=user, updated_by=user, is_demo=is_demo
    )
    _apply(session, location, fields, coordinates)
    session.add(location)
    session.flush()
    return location


def update_location(
    session: Session,
    location: Location,
    fields: LocationFields,
    coordinates: tuple[float, float] | None,
    user: User | None,
    expected_version: int,
) -> Location:
    """Apply the changes if EXPECTED_VERSION is still current; else 409 (someone saved first).

    A save racing another one past this check is a 409 at flush (core.versioning).
    """
    check_version(location, expected_version)
    _check_rights(user, fields, location)
    _apply(session, location, fields, coordinates)
    location.updated_by = user
    location.updated_at = datetime.now(UTC)
    session.flush()
    return location


def set_status(
    session: Session, location: Location, status: LocationStatus, user: User | None
) -> None:
    location.status = status
    location.updated_by = user
    session.flush()


def delete_location(
    session: Session, location_id: int, user: User | None, upload_root: str | Path
) -> str:
    """Delete the location, or archive it when shoots refer to it (they keep their place in
    the record): "deleted" or "archived". The one delete of the API and the pages."""
    location = get_location(session, location_id)
    if bookings().has_shoots(session, location):
        set_status(session, location, LocationStatus.ARCHIVED, user)
        return "archived"
    # The database deletes the photo rows (ON DELETE CASCADE); their files follow the commit.
    photos.forget_files(session, location, upload_root)
    session.delete(location)
    session.flush()
    return "deleted"


def get_location(session: Session, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound(f"No location with id {location_id}.")
    return location


# ---- search ----------------------------------------------------------------------------------


@dataclass
class SearchResult:
    features: list[dict[str, Any]]
    matched: int


def _category_codes() -> ColumnElement[Any]:
    return (
        select(
            func.array_agg(
                aggregate_order_by(location_category_links.c.category_code, Category.position)
            )
        )
        .select_from(location_category_links.join(Category))
        .where(location_category_links.c.location_id == Location.id)
        .scalar_subquery()
    )


def _cover_photo_id() -> ColumnElement[Any]:
    return (
        select(LocationPhoto.id)
        .where(LocationPhoto.location_id == Location.id)
        .order_by(LocationPhoto.is_cover.desc(), LocationPhoto.position, LocationPhoto.id)
        .limit(1)
        .scalar_subquery()
    )


PUBLIC_COLUMNS = (
    "id",
    "name",
    "description",
    "tags",
    "address",
    "commune_nis",
    *FACILITY_FIELDS,
    "access_notes",
    "status",
    "is_demo",
    "version",
    "created_at",
    "updated_at",
)


@functools.cache  # a Select is immutable: built once, it saves a millisecond per search
def feature_select(show_private: bool, locale: str) -> Select[Any]:
    """The columns a location Feature is built from (joined with its commune, named in
    LOCALE)."""
    columns: list[Any] = [getattr(Location, name) for name in PUBLIC_COLUMNS]
    if show_private:
        columns += [getattr(Location, name) for name in PRIVATE_FIELDS]
    columns += [
        Commune.name_in(locale).label("commune_name"),
        province_name_in(locale).label("province"),
        as_geojson(Location.point).label("geometry"),
        as_geojson(Location.outline).label("outline"),
        func.ST_X(func.ST_Transform(Location.point, WGS84)).label("lon"),
        func.ST_Y(func.ST_Transform(Location.point, WGS84)).label("lat"),
        _category_codes().label("categories"),
        _cover_photo_id().label("cover_photo_id"),
    ]
    return select(*columns).join(Commune, Commune.nis == Location.commune_nis)


def row_feature(row: Any, show_private: bool) -> dict[str, Any]:
    values = row._mapping
    properties = {name: values[name] for name in PUBLIC_COLUMNS if name != "id"}
    properties["status"] = str(values["status"])
    properties["created_at"] = values["created_at"].isoformat()
    properties["updated_at"] = values["updated_at"].isoformat()
    properties["categories"] = list(values["categories"] or [])
    properties["commune"] = {"nis": values["commune_nis"], "name": values["commune_name"]}
    properties.pop("commune_nis")
    properties["province"] = values["province"]
    properties["outline"] = json.loads(values["outline"]) if values["outline"] else None
    properties["cover_photo_id"] = values["cover_photo_id"]
    if "distance_m" in values:
        properties["distance_m"] = round(values["distance_m"], 1)
    if show_private:
        properties.update({name: values[name] for name in PRIVATE_FIELDS})
    return {
        "type": "Feature",
        "id": values["id"],
        "geometry": json.loads(values["geometry"]),
        "properties": properties,
    }


def _visible_statuses(criteria: LocationSearch, user: User | None) -> list[LocationStatus]:
    if criteria.status == "published":
        return [LocationStatus.PUBLISHED]
    if not allowed(user, "locations.view_unpublished"):
        raise Forbidden(
            f"status: your role sees published locations only, not {criteria.status!r}",
            field="status",
        )
    if criteria.status == "any":
        return list(LocationStatus)
    return [LocationStatus(criteria.status)]


def _province_filter(session: Session, province: str) -> ColumnElement[bool]:
    """A province by NIS code or French name ("Namur", "province de Namur"; accents and case
    ignored)."""
    if province.isdigit():
        condition = Commune.province_nis == province
    else:
        condition = func.lower(func.unaccent(Commune.province)).like(
            "%" + func.lower(func.unaccent(like_literal(province))), escape="\\"
        )
    if not session.scalar(select(exists().where(condition))):
        names = ", ".join(
            f"{nis} {name}"
            for nis, name in session.execute(
                select(Commune.province_nis, Commune.province).distinct().order_by(Commune.province)
            )
        )
        raise InvalidInput("province", f"unknown province {province!r}; known: {names}")
    return Location.commune_nis.in_(select(Commune.nis).where(condition))


def search_filters(
    session: Session, criteria: LocationSearch, user: User | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Location.visible_to(user),
        Location.status.in_(_visible_statuses(criteria, user)),
    ]
    if criteria.q:
        conditions.append(
            Location.search_document.op("@@")(func.tournages_search_query(criteria.q))
        )
    if criteria.category:
        conditions.append(
            exists().where(
                location_category_links.c.location_id == Location.id,
                location_category_links.c.category_code.in_(criteria.category),
            )
        )
    if criteria.tag:
        conditions.append(Location.tags.contains([criteria.tag]))
    if criteria.commune:
        conditions.append(Location.commune_nis == criteria.commune)
    if criteria.province:
        conditions.append(_province_filter(session, criteria.province))
    if near := criteria.near_point:
        conditions.append(func.ST_DWithin(Location.point, point_3812(*near), criteria.radius))
    if bbox := criteria.bbox_values:
        envelope = envelope_3812(bbox)
        conditions.append(
            false() if envelope is None else func.ST_Intersects(Location.point, envelope)
        )
    if criteria.min_truck_parking is not None:
        conditions.append(Location.truck_parking_capacity >= criteria.min_truck_parking)
    for flag, column in (
        (criteria.power, Location.has_power),
        (criteria.water, Location.has_water),
        (criteria.toilets, Location.has_toilets),
        (criteria.step_free, Location.step_free_access),
    ):
        if flag is not None:
            conditions.append(column.is_(flag))
    if criteria.available_from and criteria.available_to:
        conditions.append(
            ~bookings().booked_between(criteria.available_from, criteria.available_to)
        )
    return conditions


def _matching(session: Session, criteria: LocationSearch, user: User | None) -> Select[Any]:
    return select(Location.id).where(and_(*search_filters(session, criteria, user)))


def search_statement(
    session: Session, criteria: LocationSearch, user: User | None, show_private: bool
) -> Select[Any]:
    """The search as one SELECT: the page is chosen first (filters, order by distance, rank and
    name, the total as a window count), and only its rows are turned into Features, so the
    photo, category and GeoJSON work is done for `limit` rows, not for every match."""
    page = _matching(session, criteria, user).add_columns(
        Location.name.label("sort_name"), func.count().over().label("matched")
    )
    keys: list[Any] = []
    if near := criteria.near_point:
        distance = func.ST_Distance(Location.point, point_3812(*near)).label("distance_m")
        page = page.add_columns(distance)
        keys.append(("distance_m", False))
    if criteria.q:
        query = func.tournages_search_query(criteria.q)
        page = page.add_columns(func.ts_rank_cd(Location.search_document, query).label("rank"))
        keys.append(("rank", True))
    keys += [("sort_name", False), ("id", False)]
    chosen = page.order_by(*(_ordering(page.selected_columns[k], desc) for k, desc in keys))
    chosen_page = chosen.limit(criteria.limit).offset(criteria.offset).subquery("page")
    extra = [chosen_page.c.matched] + ([chosen_page.c.distance_m] if near else [])
    return (
        feature_select(show_private, language())
        .join(chosen_page, chosen_page.c.id == Location.id)
        .add_columns(*extra)
        .order_by(*(_ordering(chosen_page.c[k], desc) for k, desc in keys))
    )


def _ordering(column: Any, descending: bool) -> Any:
    return column.desc() if descending else column.asc()


# PostGIS gives its functions a high cost so the planner uses the spatial index; the estimates
# then look big enough for parallel workers, whose start-up (several ms) costs more than a
# search returning one page. A search is a short query: no parallel workers (set_config with
# is_local is SET LOCAL). The same round trip finds which requested categories exist.
_PREPARE_SEARCH = text("""
    SELECT set_config('max_parallel_workers_per_gather', '0', true),
           ARRAY(SELECT code FROM location_categories WHERE code = ANY(CAST(:codes AS text[])))
""")


def prepare_search(session: Session, criteria: LocationSearch) -> None:
    """Tune this transaction for a short search; an unknown category is a 400."""
    _, known = session.execute(_PREPARE_SEARCH, {"codes": criteria.category}).one()
    if len(set(known)) != len(set(criteria.category)):
        categories_named(session, criteria.category, "category")  # raises, naming the code


def search(session: Session, criteria: LocationSearch, user: User | None) -> SearchResult:
    """One page of the locations matching CRITERIA; a place name in `near` or `commune` is
    resolved first (locations.places.resolve_search)."""
    show_private = allowed(user, "locations.view_private")
    criteria = places.resolve_search(session, criteria, user)
    prepare_search(session, criteria)
    rows = session.execute(search_statement(session, criteria, user, show_private)).all()
    if rows:
        matched = rows[0].matched
    elif criteria.offset:  # past the end: count separately
        matched = session.scalar(
            select(func.count()).select_from(_matching(session, criteria, user).subquery())
        )
    else:
        matched = 0
    return SearchResult([row_feature(row, show_private) for row in rows], int(matched or 0))


MAP_POINTS_MAX = 20_000


def newest_locations(session: Session, user: User | None, limit: int) -> list[dict[str, Any]]:
    """The LIMIT locations USER sees (drafts too, for the library's editors) most recently
    added: id, name, status, commune (in the request's language), added."""
    rows = session.execute(
        select(
            Location.id, Location.name, Location.status, Commune.name_in().label("commune"),
            Location.created_at,
        )
        .join(Commune, Commune.nis == Location.commune_nis)
        .where(Location.visible_to(user), Location.status != LocationStatus.ARCHIVED)
        .order_by(Location.created_at.desc(), Location.id.desc())
        .limit(limit)
    )  # fmt: skip
    return [dict(row._mapping) for row in rows]


def search_points(
    session: Session, criteria: LocationSearch, user: User | None
) -> list[dict[str, Any]]:
    """Every match (up to MAP_POINTS_MAX) as a light point Feature for a clustered map."""
    criteria = places.resolve_search(session, criteria, user)
    prepare_search(session, criteria)
    wgs84 = func.ST_Transform(Location.point, WGS84)
    rows = session.execute(
        select(
            Location.id,
            Location.name,
            Commune.name_in(),
            func.ST_X(wgs84),
            func.ST_Y(wgs84),
        )
        .join(Commune, Commune.nis == Location.commune_nis)
        .where(and_(*search_filters(session, criteria, user)))
        .order_by(Location.id)
        .limit(MAP_POINTS_MAX)
    )
    return [
        {
            "type": "Feature",
            "id": location_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": name, "commune": commune},
        }
        for location_id, name, commune, lon, lat in rows
    ]


def location_feature(session: Session, location: Location, user: User | None) -> dict[str, Any]:
    """One location as a Feature; the library's editors also see who created and changed it."""
    show_private = allowed(user, "locations.view_private")
    chosen = feature_select(show_private, language()).where(Location.id == location.id)
    row = session.execute(chosen).one()
    feature = row_feature(row, show_private)
    if allowed(user, "locations.view_unpublished"):
        for key, author in (
            ("created_by", location.created_by),
            ("updated_by", location.updated_by),
        ):
            feature["properties"][key] = (author.display_name or author.email) if author else None
    return feature


# ---- detail page: nearby locations, upcoming shoots -----------------------------------------


@dataclass
class Neighbour:
    location: Location
    distance_m: float
    lon: float
    lat: float


def nearby_locations(
    session: Session, location: Location, limit: int = 5, radius_m: float = NEARBY_RADIUS_M
) -> list[Neighbour]:
    """Published neighbours by distance (KNN on the spatial index)."""
    distance = func.ST_Distance(Location.point, location.point)
    wgs84 = func.ST_Transform(Location.point, WGS84)
    query = (
        select(Location, distance, func.ST_X(wgs84), func.ST_Y(wgs84))
        .where(
            Location.id != location.id,
            Location.status == LocationStatus.PUBLISHED,
            func.ST_DWithin(Location.point, location.point, radius_m),
        )
        .order_by(Location.point.op("<->")(location.point))
        .limit(limit)
    )
    return [Neighbour(*row) for row in session.execute(query)]


def upcoming_shoots(
    session: Session, location: Location, viewer: User | None, now: datetime | None = None
) -> list[UpcomingShoot]:
    """The shoots to come at LOCATION (linked to it or covering its point), as VIEWER may
    see them; the shoots package answers (locations.bookings)."""
    return bookings().upcoming(session, location, viewer, now or datetime.now(UTC))


# ---- categories management (admins) ---------------------------------------------------------


def create_category(session: Session, values: dict[str, Any]) -> Category:
    """A new category; its code taken (even by a save at the same moment) is a 409."""
    taken = Conflict(_l("A category with code %(code)s exists.", code=values["code"]), field="code")
    if session.get(Category, values["code"]) is not None:
        raise taken
    category = Category(**values)
    try:
        with session.begin_nested():
            session.add(category)
            session.flush()
    except IntegrityError:
        raise taken from None
    return category


def update_category(session: Session, code: str, values: dict[str, Any]) -> Category:
    category = session.get(Category, code)
    if category is None:
        raise NotFound(_l("No category with code %(code)s.", code=code))
    for name, value in values.items():
        setattr(category, name, value)
    session.flush()
    return category
