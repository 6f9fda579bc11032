"""Staging tables for answers imports: rows are written in short batches while the app goes
on, then moved into place in one short transaction (storage.importing).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 16:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_stage",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("file", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_stage")),
    )
    op.create_table(
        "staged_answer",
        sa.Column("stage_id", sa.String(32), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(50), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("yes", sa.Boolean(), nullable=True),
        sa.Column("dont_know", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
    )
    op.create_table(
        "staged_score",
        sa.Column("stage_id", sa.String(32), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.String(50), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("staged_score")
    op.drop_table("staged_answer")
    op.drop_table("import_stage")
