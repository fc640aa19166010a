"""commune_at(geometry): the one rule for which commune holds a point or a geometry

Revision ID: 0008_commune_at_point
Revises: 0007_accounts_sessions_tokens
Create Date: 2026-12-09 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from core.communes.operations import BORDER_FALLBACK_M

revision: str = "0008_commune_at_point"
down_revision: str | None = "0007_accounts_sessions_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The active commune whose polygon holds GEOM (the one GEOM is deepest inside where two
# simplified polygons overlap), else the nearest within the border fallback: the polygons were
# simplified one by one, leaving slivers along the borders that belong to no commune. NULL
# outside Wallonia. Both look-ups use the GiST index on communes.boundary (the second as a KNN
# scan); COALESCE runs the second only when the first finds nothing. The distance comes from the
# Python constant, so the two cannot disagree (tests/test_communes.py checks both sides of it).
COMMUNE_AT = f"""
CREATE FUNCTION commune_at(geom geometry) RETURNS varchar
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT nis FROM communes
         WHERE retired_at IS NULL AND ST_Intersects(boundary, geom)
         ORDER BY ST_Distance(ST_Boundary(boundary), geom) DESC, nis
         LIMIT 1),
        (SELECT nis FROM communes
         WHERE retired_at IS NULL AND ST_DWithin(boundary, geom, {BORDER_FALLBACK_M!r})
         ORDER BY boundary <-> geom, nis
         LIMIT 1))
$$
"""


def upgrade() -> None:
    op.execute(COMMUNE_AT)


def downgrade() -> None:
    op.execute("DROP FUNCTION commune_at(geometry)")
