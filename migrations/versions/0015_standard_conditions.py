"""standard conditions: what a commune's decisions often impose, ticked by the officer

Revision ID: 0015_standard_conditions
Revises: 0014_commune_rules
Create Date: 2026-12-04 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015_standard_conditions"
down_revision: str | None = "0014_commune_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Offered to every commune (rows without a commune), as Belgian communes word their filming
# permits' conditions: (code, French, German).
DEFAULT_CONDITIONS = (
    (
        "signage",
        "Placer la signalisation d'interdiction de stationner au moins 48 heures avant le "
        "tournage, avec l'ordonnance de police affichée.",
        "Die Beschilderung des Parkverbots ist mindestens 48 Stunden vor dem Dreh mit der "
        "Polizeiverordnung anzubringen.",
    ),
    (
        "access",
        "Maintenir en permanence l'accès des riverains, des services de secours et des "
        "personnes à mobilité réduite.",
        "Der Zugang für Anwohner, Rettungsdienste und Personen mit eingeschränkter Mobilität "
        "ist jederzeit freizuhalten.",
    ),
    (
        "residents",
        "Informer les riverains par écrit avant le tournage, dans le délai fixé par la commune.",
        "Die Anwohner sind vor dem Dreh schriftlich zu informieren, innerhalb der von der "
        "Gemeinde gesetzten Frist.",
    ),
    (
        "quiet",
        "Aucun bruit excessif ni éclairage dirigé vers les habitations entre 22:00 et 07:00.",
        "Zwischen 22:00 und 07:00 kein übermäßiger Lärm und keine auf Wohnungen gerichtete "
        "Beleuchtung.",
    ),
    (
        "clean",
        "Rendre les lieux propres et dans leur état initial ; tout dégât est à charge de la "
        "production.",
        "Der Ort ist sauber und im ursprünglichen Zustand zu hinterlassen; Schäden gehen zu "
        "Lasten der Produktion.",
    ),
    (
        "police",
        "Se conformer aux instructions de la zone de police et des services de secours sur place.",
        "Den Anweisungen der Polizeizone und der Rettungsdienste vor Ort ist Folge zu leisten.",
    ),
)


def upgrade() -> None:
    op.add_column(
        "permit_requests",
        sa.Column(
            "decision_conditions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
    )
    conditions = op.create_table(
        "permit_standard_conditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_nis", sa.String(length=5), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("text_de", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("withdrawn", sa.Boolean(), server_default="false", nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_nis"],
            ["communes.nis"],
            name=op.f("fk_permit_standard_conditions_commune_nis_communes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_standard_conditions")),
        sa.UniqueConstraint(
            "commune_nis",
            "code",
            name=op.f("uq_permit_standard_conditions_commune_nis"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        op.f("ix_permit_standard_conditions_commune_nis"),
        "permit_standard_conditions",
        ["commune_nis"],
    )
    op.bulk_insert(
        conditions,
        [
            {"commune_nis": None, "code": code, "text_fr": fr, "text_de": de, "position": n}
            for n, (code, fr, de) in enumerate(DEFAULT_CONDITIONS)
        ],
    )
    op.execute(
        "CREATE TRIGGER audit_permit_standard_conditions AFTER INSERT OR UPDATE OR DELETE "
        "ON permit_standard_conditions FOR EACH ROW EXECUTE FUNCTION audit_row_change()"
    )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS audit_permit_standard_conditions ON permit_standard_conditions"
    )
    op.drop_table("permit_standard_conditions")
    op.drop_column("permit_requests", "decision_conditions")
