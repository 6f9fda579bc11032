"""The database role a PostgreSQL deployment's app processes connect as: it reads and writes
the app's tables, but may only add to and read the audit log. It owns nothing, so it cannot
truncate the log, switch its triggers off or drop them; the owner (who runs the migrations)
keeps that. `python -m storage --database OWNER_URL app-role NAME` creates or updates it.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from storage.db import writing
from storage.errors import InvalidInput

APPEND_ONLY = "audit_log"


def grant_app_role(engine: Engine, role: str, password: str | None = None) -> list[str]:
    """Create `role` (LOGIN, with `password` if given) unless it exists, and give it what
    the app needs in the connection's schema; returns the statements run (password hidden)."""
    if engine.dialect.name != "postgresql":
        raise InvalidInput(
            detail="an app role is for PostgreSQL; a SQLite file is protected by its file permissions",
            detail_nb="en app-rolle gjelder PostgreSQL; en SQLite-fil vernes av filrettighetene sine",
        )
    with writing(engine) as connection:
        quote = connection.dialect.identifier_preparer.quote
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
        owner = connection.exec_driver_sql("SELECT current_user").scalar()
        found = text("SELECT 1 FROM pg_roles WHERE rolname = :role")
        exists = connection.execute(found, {"role": role}).first()
        who, where = quote(role), quote(str(schema))
        statements = [] if exists else [f"CREATE ROLE {who} LOGIN"]
        statements += [
            f"GRANT USAGE ON SCHEMA {where} TO {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {where}.{APPEND_ONLY} FROM {who}",
            f"REVOKE INSERT, UPDATE, DELETE ON {where}.alembic_version FROM {who}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
            # tables of later migrations (run by the owner) are the app's to use as well
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote(str(owner))} IN SCHEMA {where} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote(str(owner))} IN SCHEMA {where} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {who}",
        ]
        for statement in statements:
            connection.exec_driver_sql(statement)
        if password is not None:
            literal = connection.exec_driver_sql("SELECT quote_literal(%s)", (password,)).scalar()
            connection.exec_driver_sql(f"ALTER ROLE {who} PASSWORD {literal}")
            statements.append(f"ALTER ROLE {who} PASSWORD '…'")
    return statements
