"""A cycle's plan: the date answers are due (reminders go before it) and the questionnaire
version its new assessments use (none: the current one).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 19:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cycle", sa.Column("deadline", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; rebuilding the table, as a batch
        # would, is refused while other tables' keys point at it
        op.execute(
            "ALTER TABLE cycle ADD COLUMN questionnaire_version_id INTEGER "
            "CONSTRAINT fk_cycle_questionnaire_version_id_questionnaire_version "
            "REFERENCES questionnaire_version (id)"
        )
    else:
        op.add_column("cycle", sa.Column("questionnaire_version_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_cycle_questionnaire_version_id_questionnaire_version",
            "cycle",
            "questionnaire_version",
            ["questionnaire_version_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("cycle") as batch:
        batch.drop_constraint("fk_cycle_questionnaire_version_id_questionnaire_version", type_="foreignkey")
        batch.drop_column("questionnaire_version_id")
        batch.drop_column("deadline")
