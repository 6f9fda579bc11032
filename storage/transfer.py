"""Files out: exports with formulas neutralised, as CSV or Excel (answers import:
storage.importing; backup and restore: storage.backup).
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from storage.actors import Actor
from storage.db import reading
from storage.permissions import may
from storage.tables import (
    cycle,
    org_unit_version,
    unit_result,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
        allowed = {unit for unit in {r.unit for r in rows} if may(connection, actor, "read_results", unit)}
    frame = pd.DataFrame([dict(r._mapping) for r in rows if r.unit in allowed])
    return (
        frame.reset_index(drop=True)
        if not frame.empty
        else pd.DataFrame(columns=list(query.selected_columns.keys()))
    )
