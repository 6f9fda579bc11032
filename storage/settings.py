"""The `setting` table: named values the app keeps about itself (which questionnaire
version new assessments use, when the database was set up, when the rollups were built)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from storage.tables import setting

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (setting,)


def set_setting(connection: Connection, key: str, value: str) -> None:
    done = connection.execute(update(setting).where(setting.c.key == key).values(value=value)).rowcount
    if not done:
        connection.execute(insert(setting).values(key=key, value=value))


def forget_setting(connection: Connection, key: str) -> None:
    connection.execute(delete(setting).where(setting.c.key == key))


def setting_in(connection: Connection, key: str) -> str | None:
    return connection.execute(select(setting.c.value).where(setting.c.key == key)).scalar()
