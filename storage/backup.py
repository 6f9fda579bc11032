"""The whole database to one file and back: a gzip'd JSON-lines backup that restores on
SQLite or PostgreSQL, all or nothing, into an empty migrated database.

A restore is the one writer of every table at once: it puts back rows exactly as another
database held them, so it goes past the services (tests/test_storage_shape.py names it).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, LargeBinary, func, insert, select, text

from storage import audit, rollup
from storage.db import is_sqlite, reading, writing
from storage.errors import ServiceError
from storage.tables import (
    import_stage,
    join_attempt,
    metadata,
    node_result,
    org_node,
    setting,
    staged_answer,
    staged_score,
    workshop_rating,
)

BACKUP_FORMAT = "maturity-backup/1"


def backup(engine: Engine, path: str | Path) -> dict[str, int]:
    """Write every table to one gzip'd JSON-lines file; returns rows per table."""
    counts = {}
    with reading(engine) as connection, gzip.open(path, "wt", encoding="utf-8") as out:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        out.write(
            json.dumps({"format": BACKUP_FORMAT, "revision": revision, "at": audit.now().isoformat()}) + "\n"
        )
        for table in _backed_up():
            rows = connection.execute(
                select(table).where(*_kept(table)).order_by(*table.primary_key.columns)
            ).all()
            counts[table.name] = len(rows)
            out.write(json.dumps({"table": table.name, "columns": [c.name for c in table.columns]}) + "\n")
            for row in rows:
                out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
    return counts


def restore(engine: Engine, path: str | Path) -> dict[str, int]:
    """Load a backup into an empty, migrated database, all or nothing."""
    counts: dict[str, int] = {}
    with writing(engine) as connection:
        for table in _backed_up():
            if connection.execute(select(func.count()).select_from(table).where(*_kept(table))).scalar_one():
                raise ServiceError("database_not_empty")
        with gzip.open(path, "rt", encoding="utf-8") as source:
            header = json.loads(source.readline())
            if header.get("format") != BACKUP_FORMAT:
                raise ServiceError("invalid", detail="not a backup file", detail_nb="ikke en sikkerhetskopi")
            table, columns, batch = None, [], []
            for line in source:
                record = json.loads(line)
                if isinstance(record, dict):
                    _flush(connection, table, columns, batch, counts)
                    table, columns, batch = metadata.tables[record["table"]], record["columns"], []
                    continue
                if table in DERIVED:
                    continue  # a backup made before they were left out: rebuilt below
                batch.append({c: _decode(table.c[c].type, v) for c, v in zip(columns, record, strict=True)})
                if len(batch) >= 5_000:
                    _flush(connection, table, columns, batch, counts)
                    batch = []
            _flush(connection, table, columns, batch, counts)
        rollup.rebuild(connection)  # the derived tables and their setting, from what was restored
        if not is_sqlite(engine):
            for t in metadata.sorted_tables:
                column = next((c for c in t.primary_key.columns if c.autoincrement is True), None)
                if column is not None:
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{t.name}', '{column.name}'), "
                            f"COALESCE((SELECT MAX({column.name}) FROM {t.name}), 0) + 1, false)"
                        )
                    )
    return counts


DERIVED = (org_node, node_result)
# Private ratings of a workshop round still open, join attempts and imports under way: kept
# for minutes, never worth restoring, and the ratings are no one's to copy.
TRANSIENT = (workshop_rating, join_attempt, import_stage, staged_answer, staged_score)


def _backed_up() -> list[Any]:
    """Every table but the derived ones, which a restore rebuilds, and the transient ones."""
    return [t for t in metadata.sorted_tables if t not in DERIVED and t not in TRANSIENT]


def _kept(table: Any) -> list[Any]:
    """Row filter for backups: the setting that says when the derived tables were made is
    derived too."""
    return [table.c.key != rollup.SETTING] if table is setting else []


def _flush(
    connection: Any, table: Any, columns: list[str], batch: list[dict[str, Any]], counts: dict[str, int]
) -> None:
    if table is None:
        return
    counts.setdefault(table.name, 0)
    if batch:
        connection.execute(insert(table), batch)
        counts[table.name] += len(batch)


def _encode(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decode(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    return value
