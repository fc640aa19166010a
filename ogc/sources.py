"""The collections: communes, published locations, public shoots, blackouts.

Only public columns are listed: never a location's contact or owner notes, nor a production's
company contacts, crew figures or notes.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, cast, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from core.communes.models import Commune
from locations.models import Location, location_category_links
from ogc.collections import Collection, register
from permits.public import PUBLIC_SHOOT_FIELDS, public_shoots_query
from shoots.models import Blackout, Shoot


def active_communes() -> Select:
    return select().select_from(Commune).where(Commune.retired_at.is_(None))


def published_locations() -> Select:
    return (
        select()
        .select_from(Location)
        .join(Commune, Commune.nis == Location.commune_nis)
        .where(Location.visible_to(None))  # OGC is public: what an anonymous visitor sees
    )


def current_blackouts() -> Select:
    """Blackouts not over yet; a commune-wide one takes its commune's boundary."""
    return (
        select()
        .select_from(Blackout)
        .join(Commune, Commune.nis == Blackout.commune_nis)
        .where(func.upper(Blackout.period) > func.now())
    )


category_codes = func.coalesce(
    select(func.array_agg(location_category_links.c.category_code))
    .where(location_category_links.c.location_id == Location.id)
    .scalar_subquery(),
    cast(text("'{}'"), ARRAY(String)),
)


def register_collections() -> None:
    register(
        Collection(
            id="communes",
            title=_l("Walloon communes"),
            description=_l("The 262 communes of Wallonia, to which permits are addressed."),
            query=active_communes,
            id_column=Commune.nis,
            geometry=Commune.boundary,
            properties={
                "name_fr": Commune.name_fr,
                "name_de": Commune.name_de,
                "name_nl": Commune.name_nl,
                "arrondissement": Commune.arrondissement,
                "province": Commune.province,
                "population": Commune.population,
            },
            keywords=("communes", "Wallonia"),
        )
    )
    register(
        Collection(
            id="locations",
            title=_l("Filming locations"),
            description=_l("Published filming locations of the Walloon film commission."),
            query=published_locations,
            id_column=Location.id,
            geometry=Location.point,
            properties={
                "name": Location.name,
                "description": Location.description,
                "categories": category_codes,
                "tags": Location.tags,
                "address": Location.address,
                "commune_nis": Location.commune_nis,
                "commune": Commune.name_fr,
                "truck_parking_capacity": Location.truck_parking_capacity,
                "has_power": Location.has_power,
                "has_water": Location.has_water,
                "has_toilets": Location.has_toilets,
                "step_free_access": Location.step_free_access,
                "access_notes": Location.access_notes,
                "updated_at": Location.updated_at,
            },
            keywords=("filming", "locations"),
            updated=Location.updated_at,
        )
    )
    register(
        Collection(
            id="shoots",
            title=_l("Upcoming shoots"),
            description=_l("Where and when productions will be filming, with their footprint."),
            query=public_shoots_query,  # the public pages' and maps' query, their fields
            id_column=Shoot.id,
            geometry=Shoot.footprint,
            properties=PUBLIC_SHOOT_FIELDS,
            period=Shoot.period,
            keywords=("filming", "shoots"),
        )
    )
    register(
        Collection(
            id="blackouts",
            title=_l("Blackout periods"),
            description=_l(
                "Markets, festivals, roadworks and holiday moratoria during which a commune "
                "does not want shoots, commune-wide or in an area."
            ),
            query=current_blackouts,
            id_column=Blackout.id,
            geometry=func.coalesce(Blackout.area, Commune.boundary),
            properties={
                "commune_nis": Blackout.commune_nis,
                "commune": Commune.name_fr,
                "kind": Blackout.kind,
                "title": Blackout.title,
                "start": func.lower(Blackout.period),
                "end": func.upper(Blackout.period),
                "weekday": Blackout.weekday,  # ISO weekday of a weekly market, else null
                "daily_start": func.to_char(Blackout.daily_start, "HH24:MI"),
                "daily_end": func.to_char(Blackout.daily_end, "HH24:MI"),
            },
            period=Blackout.period,
            keywords=("blackouts", "markets", "roadworks"),
        )
    )
