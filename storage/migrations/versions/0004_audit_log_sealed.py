"""The audit log refuses rewriting by every statement, not only UPDATE and DELETE.

On SQLite `INSERT OR REPLACE` (and `REPLACE`) with an existing id deleted the old row and
wrote a new one without firing the delete trigger, and an upsert could do the same; now an
insert that names an id already taken is refused before conflict handling starts. On
PostgreSQL `TRUNCATE audit_log` emptied the table; now a statement trigger refuses it. (An
upsert there takes the update path, which the row trigger of 0001 refuses already.)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:00:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
            "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
