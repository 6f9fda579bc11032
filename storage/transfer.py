"""Files out and back: exports with formulas neutralised, and a backup of the whole
database to one file that restores on SQLite or PostgreSQL (answers import: storage.importing).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Date, DateTime, Engine, LargeBinary, delete, func, insert, select, text

from storage import audit, rollup
from storage.access import Actor, holds_on_unit
from storage.db import is_sqlite, reading, writing
from storage.errors import ServiceError
from storage.tables import (
    cycle,
    import_stage,
    join_attempt,
    metadata,
    node_result,
    org_node,
    org_unit_version,
    setting,
    staged_answer,
    staged_score,
    unit_result,
    workshop_rating,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BACKUP_FORMAT = "maturity-backup/1"


# Exports ------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and column name) neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so Excel in Norway opens æøå right."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def export_results(engine: Engine, actor: Actor, cycle_label: str | None = None) -> pd.DataFrame:
    """Stored unit results the actor may read, with unit names: one row per unit, cycle, dimension."""
    query = (
        select(
            unit_result.c.unit_id.label("unit"),
            org_unit_version.c.name_nb.label("name"),
            cycle.c.label.label("cycle"),
            unit_result.c.dimension_id.label("dimension"),
            unit_result.c.score,
            unit_result.c.level,
            unit_result.c.respondents,
            unit_result.c.spread,
            unit_result.c.stage,
            unit_result.c.journey,
            unit_result.c.status,
        )
        .join(cycle, cycle.c.id == unit_result.c.cycle_id)
        .join(
            org_unit_version,
            (org_unit_version.c.unit_id == unit_result.c.unit_id) & org_unit_version.c.valid_to.is_(None),
            isouter=True,
        )
        .order_by(unit_result.c.unit_id, cycle.c.starts_on, unit_result.c.dimension_id)
    )
    if cycle_label:
        query = query.where(cycle.c.label == cycle_label)
    with reading(engine) as connection:
        rows = connection.execute(query).all()
        allowed = {
            unit
            for unit in {r.unit for r in rows}
            if holds_on_unit(connection, actor, unit, ("leader", "management", "advisor"))
        }
    frame = pd.DataFrame([dict(r._mapping) for r in rows if r.unit in allowed])
    return (
        frame.reset_index(drop=True)
        if not frame.empty
        else pd.DataFrame(columns=list(query.selected_columns.keys()))
    )


# Backup and restore -------------------------------------------------------------------


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
        for table in DERIVED:
            connection.execute(delete(table))
        connection.execute(delete(setting).where(setting.c.key == rollup.SETTING))
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
        connection.execute(delete(setting).where(setting.c.key == rollup.SETTING))
        rollup.rebuild(connection)
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
