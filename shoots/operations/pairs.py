"""The pair rule: whether two shoots clash or warn, how far apart they are, when they overlap.

One definition, written once as SQL and put together for two uses: the engine's check
(`conflicts.CHECK_SQL`: a candidate against the stored shoots) and the conflict report
(`report.REPORT_SQL`: stored shoots against each other). Each side of a pair is a few SQL
expressions (a stored shoot's columns, or the candidate's), so both statements apply the very
same conditions and PostgreSQL still sees plain column comparisons it can answer with indexes.

For two shoots whose periods overlap (`meets`):

- `same_location` (conflict): the same library location;
- `footprint_overlap` (conflict): footprints that really intersect;
- `nearby_set` (warning): another production, within the reach (`within`);
- nothing for a production's own sets near each other (its unit moves between them).

The reach is a commune's `nearby_distance_m`: the check uses the candidate's commune; the report
lists a pair when either shoot's check would find it, so it uses the larger of the two.
"""

from __future__ import annotations

from dataclasses import dataclass

RULES = ("same_location", "footprint_overlap", "nearby_set")


@dataclass(frozen=True)
class Side:
    """One shoot of a pair as SQL expressions."""

    footprint: str
    parking: str
    period: str
    location_id: str
    production_id: str

    @classmethod
    def of(cls, alias: str, separator: str = ".") -> Side:
        """The shoots table's columns under ALIAS (`a.footprint`), or, with separator "_",
        the columns of a row holding two shoots (`a_footprint`)."""
        return cls(
            footprint=f"{alias}{separator}footprint",
            parking=f"{alias}{separator}parking",
            period=f"{alias}{separator}period",
            location_id=f"{alias}{separator}location_id",
            production_id=f"{alias}{separator}production_id",
        )


def rule(a: Side, b: Side) -> str:
    """The finding the pair makes, or NULL for a production's own sets near each other."""
    return f"""CASE WHEN {a.location_id} = {b.location_id} THEN 'same_location'
                    WHEN ST_Intersects({a.footprint}, {b.footprint}) THEN 'footprint_overlap'
                    WHEN {a.production_id} IS DISTINCT FROM {b.production_id} THEN 'nearby_set'
               END"""


def within(a: Side, b: Side, reach_m: str) -> str:
    """Whether the pair is close enough to be a finding: the same library location, or a
    footprint or parking of one within REACH_M metres of a footprint or parking of the other
    (with B a stored shoot, each branch is an index search)."""
    return f"""({b.location_id} = {a.location_id}
                OR ST_DWithin({b.footprint}, {a.footprint}, {reach_m})
                OR ST_DWithin({b.parking}, {a.footprint}, {reach_m})
                OR ST_DWithin({b.footprint}, {a.parking}, {reach_m})
                OR ST_DWithin({b.parking}, {a.parking}, {reach_m}))"""


def distance(a: Side, b: Side) -> str:
    """Metres between the closest footprints or parking zones of the pair (0 if they touch)."""
    return f"""LEAST(ST_Distance({b.footprint}, {a.footprint}),
                      ST_Distance({b.parking}, {a.footprint}),
                      ST_Distance({b.footprint}, {a.parking}),
                      ST_Distance({b.parking}, {a.parking}))"""


def meets(a: Side, b: Side) -> str:
    """Whether the half-open periods overlap (touching ones do not)."""
    return f"{b.period} && {a.period}"


def overlap(a: Side, b: Side) -> str:
    """The period both shoots take place in."""
    return f"({a.period} * {b.period})"
