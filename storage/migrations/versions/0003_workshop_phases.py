"""Workshops in phases (rating, revealed), their participants, private ratings and the
anonymous distribution that replaces them; attempts to join by code.

Until now each participant's answers were stored as an assessment of the unit, so dashboards
and exports could show one person's answers. The upgrade turns those into what the new
design keeps: for an open workshop, participants with private ratings (they can go on with
the same link); for a closed one, the distribution, when at least three had sent in. The
assessments are then deleted and the unit's result scored again from what is left.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 16:43:48.286124

"""

import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MIN_PARTICIPANTS = 3


def upgrade() -> None:
    """Upgrade schema, then make the participants' stored answers anonymous."""

    op.create_table(
        "join_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_attempt")),
    )
    with op.batch_alter_table("join_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_join_attempt_client", ["client", "at"], unique=False)

    op.create_table(
        "workshop_distribution",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=50), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_workshop_distribution_workshop_id_workshop")
        ),
        sa.PrimaryKeyConstraint("workshop_id", "item_id", "answer", name=op.f("pk_workshop_distribution")),
    )
    op.create_table(
        "workshop_participant",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_workshop_participant_workshop_id_workshop")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_participant")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_workshop_participant_secret_hash")),
    )
    with op.batch_alter_table("workshop_participant", schema=None) as batch_op:
        batch_op.create_index("ix_workshop_participant_workshop", ["workshop_id"], unique=False)

    op.create_table(
        "workshop_rating",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=50), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("yes", sa.Boolean(), nullable=True),
        sa.Column("dont_know", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "NOT dont_know OR (level IS NULL AND yes IS NULL)", name=op.f("ck_workshop_rating_dont_know")
        ),
        sa.CheckConstraint("level IS NULL OR yes IS NULL", name=op.f("ck_workshop_rating_one_kind")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["workshop_participant.id"],
            name=op.f("fk_workshop_rating_participant_id_workshop_participant"),
        ),
        sa.PrimaryKeyConstraint("participant_id", "item_id", name=op.f("pk_workshop_rating")),
    )
    # Plain ADD COLUMN, not a batch copy of the table: on SQLite a copy must drop the old
    # table, which the assessments' foreign keys to it forbid once workshops exist.
    op.add_column("workshop", sa.Column("token", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE workshop ADD COLUMN phase VARCHAR(10) DEFAULT 'rating' NOT NULL "
            "CONSTRAINT ck_workshop_phase CHECK (phase IN ('rating', 'revealed'))"
        )
    else:
        op.add_column(
            "workshop", sa.Column("phase", sa.String(length=10), server_default="rating", nullable=False)
        )
        op.create_check_constraint(op.f("ck_workshop_phase"), "workshop", "phase IN ('rating', 'revealed')")
    op.add_column("workshop", sa.Column("expected", sa.Integer(), nullable=True))
    op.add_column("workshop", sa.Column("revealed_at", sa.DateTime(), nullable=True))
    op.add_column("workshop", sa.Column("participants", sa.Integer(), nullable=True))

    _anonymise_participants()


def _anonymise_participants() -> None:
    from storage import audit
    from storage.assessments import refresh_unit_result
    from storage.tables import (
        answer,
        assessment,
        assessment_score,
        role_grant,
        workshop,
        workshop_distribution,
        workshop_participant,
        workshop_rating,
    )

    connection = op.get_bind()
    touched: set[tuple[str, int]] = set()
    for row in connection.execute(sa.select(workshop)).all():
        people = connection.execute(
            sa.select(assessment).where(assessment.c.workshop_id == row.id, assessment.c.mode == "individual")
        ).all()
        values: dict[str, object] = {}
        if row.status == "open":
            token = secrets.token_urlsafe(24)  # the old link's token was kept only as a hash
            values.update(token=token, token_hash=hashlib.sha256(token.encode()).hexdigest())
        sent = [p for p in people if p.status in ("submitted", "validated")]
        answers = {
            p.id: connection.execute(sa.select(answer).where(answer.c.assessment_id == p.id)).all()
            for p in people
        }
        if row.status == "open":
            for person in people:
                secret = person.respondent.removeprefix(f"ws{row.id}-")  # the secret in their link
                participant = connection.execute(
                    sa.insert(workshop_participant).values(
                        workshop_id=row.id,
                        secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
                        joined_at=person.created_at,
                        submitted_at=person.submitted_at if person in sent else None,
                    )
                ).inserted_primary_key[0]
                kept = [
                    {
                        "participant_id": participant,
                        "item_id": a.item_id,
                        "level": a.level,
                        "yes": a.yes,
                        "dont_know": bool(a.dont_know),
                    }
                    for a in answers[person.id]
                    if a.level is not None or a.yes is not None or a.dont_know
                ]
                if kept:
                    connection.execute(sa.insert(workshop_rating), kept)
        elif len(sent) >= MIN_PARTICIPANTS:
            counts: dict[tuple[str, str], int] = {}
            for person in sent:
                for a in answers[person.id]:
                    key = (
                        "dk"
                        if a.dont_know
                        else str(a.level)
                        if a.level is not None
                        else (None if a.yes is None else "yes" if a.yes else "no")
                    )
                    if key is not None:
                        counts[a.item_id, key] = counts.get((a.item_id, key), 0) + 1
            if counts:
                connection.execute(
                    sa.insert(workshop_distribution),
                    [
                        {"workshop_id": row.id, "item_id": i, "answer": k, "count": n}
                        for (i, k), n in counts.items()
                    ],
                )
            values.update(
                phase="revealed", participants=len(sent), revealed_at=row.closed_at or row.created_at
            )
        if values:
            connection.execute(sa.update(workshop).where(workshop.c.id == row.id).values(**values))
        ids = [p.id for p in people]
        if not ids:
            continue
        connection.execute(sa.delete(role_grant).where(role_grant.c.assessment_id.in_(ids)))
        connection.execute(sa.delete(assessment_score).where(assessment_score.c.assessment_id.in_(ids)))
        connection.execute(sa.delete(answer).where(answer.c.assessment_id.in_(ids)))
        connection.execute(sa.delete(assessment).where(assessment.c.id.in_(ids)))
        audit.record(
            connection,
            "system",
            "anonymise",
            "workshop",
            row.id,
            {"participant_assessments": len(ids)},
            {"kept": "ratings" if row.status == "open" else "distribution" if len(sent) >= 3 else "nothing"},
        )
        touched.add((row.unit_id, row.cycle_id))
    for unit_id, cycle_id in sorted(touched):
        refresh_unit_result(connection, unit_id, cycle_id)


def downgrade() -> None:
    """Drop the new tables and columns (the distributions go with them; the participants'
    assessments that the upgrade made anonymous do not come back)."""
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workshop_phase"), type_="check")
        batch_op.drop_column("participants")
        batch_op.drop_column("revealed_at")
        batch_op.drop_column("expected")
        batch_op.drop_column("phase")
        batch_op.drop_column("token")

    op.drop_table("workshop_rating")
    with op.batch_alter_table("workshop_participant", schema=None) as batch_op:
        batch_op.drop_index("ix_workshop_participant_workshop")

    op.drop_table("workshop_participant")
    op.drop_table("workshop_distribution")
    with op.batch_alter_table("join_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_join_attempt_client")

    op.drop_table("join_attempt")
