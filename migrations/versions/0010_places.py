"""places: one search over commune, province and location names (trigram indexes), German
province names

Revision ID: 0010_places
Revises: 0009_amendments_versions
Create Date: 2026-12-02 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_places"
down_revision: str | None = "0009_amendments_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What a name is compared by: lower case, no accents, punctuation as single spaces, so that
# "LIEGE", "Liège" and "liege" are one key, as are "Saint-Vith" and "saint vith". unaccent() is
# only STABLE; naming its dictionary makes the wrapper safe to declare IMMUTABLE, so that it can
# feed an index (as tournages_location_document does, migration 0003).
PLACE_KEY_FUNCTION = """
CREATE FUNCTION tournages_place_key(name text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT btrim(regexp_replace(
        lower(public.unaccent('public.unaccent'::regdictionary, name)), '[^a-z0-9]+', ' ', 'g'))
$$
"""

# The commune names the place search looks up by prefix and by trigram similarity: an index on
# the key of each (a few hundred rows). Locations store their key (locations.name_key), which is
# indexed: computing it for each of thousands of rows matching "cha" cost more than the search.
COMMUNE_NAMES = ["name_fr", "name_de", "name_nl"]

# The boundary file names provinces in French only. Their German names are those of the German
# text of the Belgian Constitution (article 5: "Wallonisch-Brabant, Hennegau, Lüttich, Luxemburg
# und Namur"), as the German-speaking Community writes them.
GERMAN_PROVINCE_NAMES = [
    ("20002", "Provinz Wallonisch-Brabant"),
    ("50000", "Provinz Hennegau"),
    ("60000", "Provinz Lüttich"),
    ("80000", "Provinz Luxemburg"),
    ("90000", "Provinz Namur"),
]


def upgrade() -> None:
    # pg_trgm is a trusted extension: the schema owner, who runs the migrations, may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    op.execute(PLACE_KEY_FUNCTION)
    for column in COMMUNE_NAMES:
        op.create_index(
            f"ix_communes_{column}_key",
            "communes",
            [sa.literal_column(f"tournages_place_key({column})").label(f"{column}_key")],
            postgresql_using="gin",
            postgresql_ops={f"{column}_key": "gin_trgm_ops"},
        )
    op.add_column(
        "locations",
        sa.Column(
            "name_key",
            sa.Text(),
            sa.Computed("tournages_place_key(name)", persisted=True),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_locations_name_key",
        "locations",
        ["name_key"],
        postgresql_using="gin",
        postgresql_ops={"name_key": "gin_trgm_ops"},
    )
    province_names = op.create_table(
        "province_names",
        sa.Column("province_nis", sa.String(length=5), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("province_nis", "language", name=op.f("pk_province_names")),
    )
    op.bulk_insert(
        province_names,
        [
            {"province_nis": nis, "language": "de", "name": name}
            for nis, name in GERMAN_PROVINCE_NAMES
        ],
    )


def downgrade() -> None:
    op.drop_table("province_names")
    op.drop_index("ix_locations_name_key", table_name="locations", postgresql_using="gin")
    op.drop_column("locations", "name_key")
    for column in reversed(COMMUNE_NAMES):
        op.drop_index(f"ix_communes_{column}_key", table_name="communes", postgresql_using="gin")
    op.execute("DROP FUNCTION tournages_place_key(text)")
    # pg_trgm stays, as unaccent does (migration 0003): other objects may use it.
