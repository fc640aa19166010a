"""location library: full-text search, photos, external references, category list

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 05:47:06.843799
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# unaccent() is only STABLE (its dictionary could change), so it cannot feed a generated
# column or an index directly. These wrappers name the dictionary and the configuration
# explicitly, which makes them safe to declare IMMUTABLE.
DOCUMENT_FUNCTION = """
CREATE FUNCTION tournages_location_document(name text, tags text[], description text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('french'::regconfig,
                public.unaccent('public.unaccent'::regdictionary, coalesce(name, ''))), 'A')
        || setweight(to_tsvector('french'::regconfig,
                public.unaccent('public.unaccent'::regdictionary,
                                coalesce(array_to_string(tags, ' '), ''))), 'B')
        || setweight(to_tsvector('french'::regconfig,
                public.unaccent('public.unaccent'::regdictionary, coalesce(description, ''))), 'C')
$$
"""
QUERY_FUNCTION = """
CREATE FUNCTION tournages_search_query(q text)
RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT websearch_to_tsquery('french'::regconfig,
                                public.unaccent('public.unaccent'::regdictionary, q))
$$
"""

CATEGORIES = [
    # code, French, English, German
    ("castle", "Château", "Castle", "Schloss"),
    ("abbey_church", "Abbaye / église", "Abbey / church", "Abtei / Kirche"),
    ("industrial_site", "Site industriel", "Industrial site", "Industriegelände"),
    ("farm", "Ferme", "Farm", "Bauernhof"),
    ("forest", "Forêt", "Forest", "Wald"),
    ("park", "Parc / jardin", "Park / garden", "Park / Garten"),
    ("street_square", "Rue / place", "Street / square", "Straße / Platz"),
    ("railway_station", "Gare", "Railway station", "Bahnhof"),
    ("quarry", "Carrière", "Quarry", "Steinbruch"),
    ("lake_river", "Lac / rivière", "Lake / river", "See / Fluss"),
    ("modern_building", "Bâtiment moderne", "Modern building", "Modernes Gebäude"),
    ("house_interior", "Intérieur de maison", "House interior", "Wohnungsinnenraum"),
    ("office", "Bureau", "Office", "Büro"),
    ("school", "École", "School", "Schule"),
    ("hospital", "Hôpital", "Hospital", "Krankenhaus"),
    ("museum", "Musée", "Museum", "Museum"),
    ("cafe_shop", "Café / commerce", "Café / shop", "Café / Geschäft"),
    ("bridge_road", "Pont / route", "Bridge / road", "Brücke / Straße"),
    ("fortress", "Citadelle / fort", "Citadel / fort", "Zitadelle / Festung"),
    ("countryside", "Campagne / panorama", "Countryside / view", "Landschaft / Aussicht"),
]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    op.execute(DOCUMENT_FUNCTION)
    op.execute(QUERY_FUNCTION)

    op.create_table(
        "location_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("caption", sa.String(length=300), server_default="", nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_cover", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_location_photos_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_photos_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_photos")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_location_photos_stored_name")),
    )
    op.create_index(
        op.f("ix_location_photos_location_id"), "location_photos", ["location_id"], unique=False
    )
    op.create_index(
        "uq_location_photos_cover",
        "location_photos",
        ["location_id"],
        unique=True,
        postgresql_where=sa.text("is_cover"),
    )
    op.add_column("locations", sa.Column("external_ref", sa.String(length=120), nullable=True))
    op.add_column(
        "locations",
        sa.Column(
            "search_document",
            postgresql.TSVECTOR(),
            sa.Computed("tournages_location_document(name, tags, description)", persisted=True),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_locations_search_document",
        "locations",
        ["search_document"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_locations_tags", "locations", ["tags"], unique=False, postgresql_using="gin"
    )
    op.create_unique_constraint(op.f("uq_locations_external_ref"), "locations", ["external_ref"])

    categories = sa.table(
        "location_categories",
        sa.column("code", sa.String),
        sa.column("label_fr", sa.String),
        sa.column("label_en", sa.String),
        sa.column("label_de", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        categories,
        [
            {"code": code, "label_fr": fr, "label_en": en, "label_de": de, "position": number}
            for number, (code, fr, en, de) in enumerate(CATEGORIES, start=1)
        ],
    )


def downgrade() -> None:
    op.drop_constraint(op.f("uq_locations_external_ref"), "locations", type_="unique")
    op.drop_index("ix_locations_tags", table_name="locations", postgresql_using="gin")
    op.drop_index("ix_locations_search_document", table_name="locations", postgresql_using="gin")
    op.drop_column("locations", "search_document")
    op.drop_column("locations", "external_ref")
    op.drop_index(
        "uq_location_photos_cover",
        table_name="location_photos",
        postgresql_where=sa.text("is_cover"),
    )
    op.drop_index(op.f("ix_location_photos_location_id"), table_name="location_photos")
    op.drop_table("location_photos")
    codes = ", ".join(f"'{code}'" for code, *_ in CATEGORIES)
    op.execute(
        f"DELETE FROM location_categories WHERE code IN ({codes}) AND NOT EXISTS "
        "(SELECT 1 FROM location_category_links l WHERE l.category_code = code)"
    )
    op.execute("DROP FUNCTION tournages_search_query(text)")
    op.execute("DROP FUNCTION tournages_location_document(text, text[], text)")
