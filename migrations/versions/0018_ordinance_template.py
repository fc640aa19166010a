"""ordinance template: the commune's own Word document the ordinance draft is written on

Revision ID: 0018_ordinance_template
Revises: 0017_insurance_cover
Create Date: 2026-12-05 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_ordinance_template"
down_revision: str | None = "0017_insurance_cover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "permit_commune_settings", sa.Column("ordinance_template", sa.LargeBinary(), nullable=True)
    )
    # An uploaded file: not copied into the audit log, as the insurance certificates.
    op.execute("DROP TRIGGER IF EXISTS audit_permit_commune_settings ON permit_commune_settings")
    op.execute(
        "CREATE TRIGGER audit_permit_commune_settings AFTER INSERT OR UPDATE OR DELETE "
        "ON permit_commune_settings FOR EACH ROW EXECUTE FUNCTION "
        "audit_row_change('ordinance_template')"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_permit_commune_settings ON permit_commune_settings")
    op.execute(
        "CREATE TRIGGER audit_permit_commune_settings AFTER INSERT OR UPDATE OR DELETE "
        "ON permit_commune_settings FOR EACH ROW EXECUTE FUNCTION audit_row_change()"
    )
    op.drop_column("permit_commune_settings", "ordinance_template")
