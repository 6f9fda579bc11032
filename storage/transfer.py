"""Files in and out: answers import with a preview, exports with formulas neutralised,
and a backup of the whole database to one file that restores on SQLite or PostgreSQL.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from sqlalchemy import Date, DateTime, Engine, LargeBinary, delete, func, insert, select, text

from scoring.answers import NotUtf8, parse_answers, read_text_csv
from scoring.problems import Problem, ProblemsError
from storage import audit, rollup
from storage.access import Actor, holds_on_unit, require_admin
from storage.assessments import refresh_unit_result, store_assessment_scores
from storage.db import is_sqlite, reading, writing
from storage.definitions import current_questionnaire_version, questionnaire_of
from storage.errors import ImportRejected, ServiceError
from storage.faults import checkpoint
from storage.tables import (
    answer,
    assessment,
    assessment_score,
    cycle,
    join_attempt,
    metadata,
    node_result,
    org_node,
    org_unit,
    org_unit_version,
    setting,
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


# Import -------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What an import would change; `apply_import` carries it out, all or nothing."""

    file: str
    answers: pd.DataFrame  # parsed answers with comment, line
    creates: list[tuple[str, str, str]] = field(default_factory=list)  # unit, cycle, respondent
    updates: list[tuple[str, str, str]] = field(default_factory=list)
    questionnaire_version_id: int = 0

    @property
    def summary(self) -> dict[str, int]:
        answered = int(self.answers["value"].notna().sum())
        return {
            "rows": len(self.answers),
            "answers": answered,
            "assessments_created": len(self.creates),
            "assessments_replaced": len(self.updates),
            "units": self.answers["unit"].nunique(),
        }


def plan_import(
    engine: Engine, actor: Actor, source: str | Path | IO[str] | IO[bytes], file: str | None = None
) -> ImportPlan:
    """Check an answers CSV against the questionnaire, the organisation and the cycles.

    Raises ImportRejected listing every bad row; changes nothing in any case.
    """
    require_admin(actor, "import answers", "importere svar")
    name = file or (str(source) if isinstance(source, (str, Path)) else "<answers>")
    raw = _read_raw(source, name)
    with reading(engine) as connection:
        version = current_questionnaire_version(connection)
        questionnaire = questionnaire_of(connection, version)
        units = set(connection.execute(select(org_unit.c.id)).scalars())
        cycles = set(connection.execute(select(cycle.c.label)).scalars())
        existing = {
            (r.unit_id, r.label, r.respondent): r.status
            for r in connection.execute(
                select(
                    assessment.c.unit_id, cycle.c.label, assessment.c.respondent, assessment.c.status
                ).join(cycle, cycle.c.id == assessment.c.cycle_id)
            )
        }
    problems: list[Problem] = []
    try:
        parsed = parse_answers(raw, questionnaire, name)
    except ProblemsError as error:
        parsed, problems = None, list(error.problems)
    for index, (unit, label) in enumerate(
        zip(raw["unit"].str.strip(), raw["cycle"].str.strip(), strict=True)
    ):
        if unit and unit not in units:
            problems.append(Problem(name, index + 2, "unknown_unit", {"unit": unit}))
        if label and label not in cycles:
            problems.append(Problem(name, index + 2, "unknown_cycle", {"cycle": label}))
    if problems or parsed is None:
        raise ImportRejected(sorted(problems, key=lambda p: p.line))
    frame = parsed.assign(
        comment=raw["comment"].str.strip() if "comment" in raw else "",
        role=raw["role"].str.strip() if "role" in raw else "",
        line=range(2, len(raw) + 2),
    )
    plan = ImportPlan(name, frame, questionnaire_version_id=version)
    first_line: dict[tuple[str, str, str], int] = {}
    for unit, label, respondent, line in zip(
        raw["unit"].str.strip(),
        raw["cycle"].str.strip(),
        raw["respondent"].str.strip(),
        frame["line"],
        strict=True,
    ):
        first_line.setdefault((unit, label, respondent), int(line))
    for key, line in first_line.items():
        status = existing.get(key)
        if status is None:
            plan.creates.append(key)
        elif status == "validated":
            problems.append(
                Problem(
                    name,
                    line,
                    "validated_assessment",
                    {"respondent": key[2], "unit": key[0], "cycle": key[1]},
                )
            )
        else:
            plan.updates.append(key)
    if problems:
        raise ImportRejected(problems)
    return plan


def apply_import(engine: Engine, actor: Actor, plan: ImportPlan, status: str = "submitted") -> dict[str, int]:
    """Carry out a checked import in one transaction; scores are computed as on submit."""
    require_admin(actor, "import answers", "importere svar")
    frame = plan.answers
    with writing(engine) as connection:
        questionnaire = questionnaire_of(connection, plan.questionnaire_version_id)
        items = {i.id: i for i in questionnaire.items()}
        cycles = dict(connection.execute(select(cycle.c.label, cycle.c.id)).all())
        moment = audit.now()
        touched: set[tuple[str, int]] = set()
        groups = list(frame.groupby(["unit", "cycle", "respondent"], observed=True, sort=True))
        for position, ((unit, label, respondent), rows) in enumerate(groups):
            cycle_id = cycles[str(label)]
            current = connection.execute(
                select(assessment).where(
                    assessment.c.unit_id == str(unit),
                    assessment.c.cycle_id == cycle_id,
                    assessment.c.respondent == str(respondent),
                )
            ).first()
            role = next((r for r in rows["role"] if r), None)
            if current is None:
                assessment_id = connection.execute(
                    insert(assessment).values(
                        unit_id=str(unit),
                        cycle_id=cycle_id,
                        questionnaire_version_id=plan.questionnaire_version_id,
                        respondent=str(respondent),
                        role=role,
                        mode="individual",
                        status=status,
                        created_by=actor.user_id,
                        created_at=moment,
                        updated_at=moment,
                        submitted_at=moment if status != "draft" else None,
                        row_version=1,
                    )
                ).inserted_primary_key[0]
            else:
                assessment_id = current.id
                connection.execute(
                    assessment.update()
                    .where(assessment.c.id == assessment_id)
                    .values(
                        status=status,
                        updated_at=moment,
                        row_version=assessment.c.row_version + 1,
                        questionnaire_version_id=plan.questionnaire_version_id,
                        submitted_at=moment if status != "draft" else None,
                    )
                )
                connection.execute(answer.delete().where(answer.c.assessment_id == assessment_id))
                connection.execute(
                    assessment_score.delete().where(assessment_score.c.assessment_id == assessment_id)
                )
            connection.execute(
                insert(answer),
                [
                    {
                        "assessment_id": assessment_id,
                        "item_id": str(r.item),
                        "level": int(r.value) if items[str(r.item)].scored and pd.notna(r.value) else None,
                        "yes": bool(r.value) if not items[str(r.item)].scored and pd.notna(r.value) else None,
                        "dont_know": bool(pd.isna(r.value)),
                        "comment": r.comment or None,
                        "evidence": None,
                        "updated_by": actor.user_id,
                        "updated_at": moment,
                    }
                    for r in rows.itertuples()
                ],
            )
            audit.record(
                connection,
                actor.user_id,
                "import",
                "assessment",
                assessment_id,
                None if current is None else {"status": current.status},
                {"status": status, "answers": len(rows), "file": plan.file},
            )
            if status != "draft":
                row = connection.execute(
                    select(assessment, cycle.c.label.label("cycle_label"))
                    .join(cycle, cycle.c.id == assessment.c.cycle_id)
                    .where(assessment.c.id == assessment_id)
                ).first()
                store_assessment_scores(connection, row, questionnaire)
                touched.add((str(unit), cycle_id))
            if position == len(groups) // 2:
                checkpoint("import:half")
        for unit, cycle_id in sorted(touched):
            refresh_unit_result(connection, unit, cycle_id)
        audit.record(connection, actor.user_id, "import", "file", plan.file, None, plan.summary)
    return plan.summary


def _read_raw(source: str | Path | IO[str] | IO[bytes], name: str) -> pd.DataFrame | None:
    """The CSV as text columns, or None when it cannot be read at all."""
    try:
        raw = read_text_csv(source)
        raw.columns = [str(c).strip().lower() for c in raw.columns]
        missing = [c for c in ("unit", "cycle", "respondent", "item", "answer") if c not in raw.columns]
        if missing:
            raise ImportRejected([Problem(name, 1, "missing_columns", {"columns": ", ".join(missing)})])
        return raw
    except ImportRejected:
        raise
    except NotUtf8 as error:
        raise ImportRejected([error.problem(name)]) from error
    except Exception as error:  # unreadable file: report, never crash the caller
        raise ImportRejected(
            [Problem(name, 1, "csv_unreadable", {"detail": str(error).splitlines()[0]})]
        ) from error


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
# Private ratings of a workshop round still open, and join attempts: kept for minutes, never
# worth restoring, and the ratings are no one's to copy.
TRANSIENT = (workshop_rating, join_attempt)


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
