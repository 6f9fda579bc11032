"""The e-mails sent to unit leaders about a cycle: invitations and reminders, each with the
units it named, its status (sending, sent, failed) and the error when it failed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mailing",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("sent_by", sa.String(100), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('invitation', 'reminder')", name=op.f("ck_mailing_kind")),
        sa.CheckConstraint("status IN ('sending', 'sent', 'failed')", name=op.f("ck_mailing_status")),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_mailing_cycle_id_cycle")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_mailing_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailing")),
    )
    op.create_index("ix_mailing_cycle_user", "mailing", ["cycle_id", "user_id", "kind"])
    op.create_table(
        "mailing_unit",
        sa.Column("mailing_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailing_id"], ["mailing.id"], name=op.f("fk_mailing_unit_mailing_id_mailing")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_mailing_unit_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("mailing_id", "unit_id", name=op.f("pk_mailing_unit")),
    )
    op.create_index("ix_mailing_unit_unit", "mailing_unit", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_mailing_unit_unit", table_name="mailing_unit")
    op.drop_table("mailing_unit")
    op.drop_index("ix_mailing_cycle_user", table_name="mailing")
    op.drop_table("mailing")
