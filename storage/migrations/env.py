"""Alembic environment: runs on the connection the app hands over, or on the configured URL."""

from __future__ import annotations

from alembic import context

from storage.tables import metadata

config = context.config
connection = config.attributes.get("connection")


def run_with(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run_with(connection)
else:
    from storage.db import make_engine, writing

    engine = make_engine()
    with writing(engine) as new_connection:
        run_with(new_connection)
    engine.dispose()
