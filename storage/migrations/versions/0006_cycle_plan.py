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

FOREIGN_KEY = "fk_cycle_questionnaire_version_id_questionnaire_version"


def upgrade() -> None:
    op.add_column("cycle", sa.Column("deadline", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; rebuilding the table, as a batch
        # would, is refused while other tables' keys point at it
        op.execute(
            "ALTER TABLE cycle ADD COLUMN questionnaire_version_id INTEGER "
            f"CONSTRAINT {FOREIGN_KEY} "
            "REFERENCES questionnaire_version (id)"
        )
    else:
        op.add_column("cycle", sa.Column("questionnaire_version_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            FOREIGN_KEY,
            "cycle",
            "questionnaire_version",
            ["questionnaire_version_id"],
            ["id"],
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("cycle", recreate="always" if sqlite else "auto") as batch:
        if not sqlite:  # on SQLite the rebuilt table simply leaves the reference out
            batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch.drop_column("questionnaire_version_id")
        batch.drop_column("deadline")
