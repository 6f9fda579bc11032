"""Answers import: a preview that lists every bad row, then an apply that does not starve the app.

Applying a million rows takes a SQLite database's only write lock for no longer than a
short batch at a time: the answers and their scores are computed in memory, written to
staging tables in batches of their own short transactions while the app goes on saving,
then moved into place in one short transaction (all of the import or none of it), and
the staging rows are deleted in batches again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update

from scoring.answers import NotUtf8, parse_answers, read_text_csv
from scoring.engine import score
from scoring.models import Questionnaire
from scoring.problems import Problem, ProblemsError
from storage import audit, bulk, rollup
from storage.actors import Actor
from storage.assessments import (
    add_imported,
    adopt_staged,
    choose_counted,
    many_scores,
    replace_imported,
    result_rows,
    store_unit_results,
    stored_in,
)
from storage.db import reading, writing
from storage.definitions import current_questionnaire_version, questionnaire_of, roadmap_for
from storage.errors import ImportRejected, ServiceError
from storage.faults import checkpoint
from storage.permissions import require
from storage.tables import (
    answer,
    assessment,
    cycle,
    import_stage,
    org_unit,
    staged_answer,
    staged_score,
)

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (import_stage, staged_answer, staged_score)

BATCH_ROWS = 50_000  # rows per staging transaction: a SQLite write lock of about 0.2 s
STALE_STAGE = dt.timedelta(hours=6)  # a stage this old belongs to an import that died
FEW_UNITS = 50  # up to this many unit-cycles, the dashboards' sums are refreshed unit by unit
Key = tuple[str, str, str]  # unit, cycle label, respondent


@dataclass
class ImportPlan:
    """What an import would change; `apply_import` carries it out, all or nothing."""

    file: str
    answers: pd.DataFrame  # parsed answers with comment, role, line
    creates: list[Key] = field(default_factory=list)
    updates: list[Key] = field(default_factory=list)
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
    require(None, actor, "import_answers")
    name = file or (str(source) if isinstance(source, (str, Path)) else "<answers>")
    raw = _read_raw(source, name)
    with reading(engine) as connection:
        version = current_questionnaire_version(connection)
        questionnaire = questionnaire_of(connection, version)
        units = list(connection.execute(select(org_unit.c.id)).scalars())
        cycles = list(connection.execute(select(cycle.c.label)).scalars())
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
    unit, label, respondent = (raw[c].astype(str).str.strip() for c in ("unit", "cycle", "respondent"))
    lines = np.arange(2, len(raw) + 2)
    for column, values, known, code in (
        ("unit", unit, units, "unknown_unit"),
        ("cycle", label, cycles, "unknown_cycle"),
    ):
        unknown = ((values != "") & ~values.isin(known)).to_numpy()
        for line, value in zip(lines[unknown], values[unknown], strict=True):
            problems.append(Problem(name, int(line), code, {column: value}))
    if problems or parsed is None:
        raise ImportRejected(sorted(problems, key=lambda p: p.line))
    frame = parsed.assign(
        comment=raw["comment"].astype(str).str.strip().to_numpy() if "comment" in raw else "",
        role=raw["role"].astype(str).str.strip().to_numpy() if "role" in raw else "",
        line=lines,
    )
    plan = ImportPlan(name, frame, questionnaire_version_id=version)
    firsts = pd.DataFrame({"u": unit, "c": label, "r": respondent, "line": lines}).drop_duplicates(
        ["u", "c", "r"]
    )
    for key_unit, key_label, key_respondent, line in firsts.itertuples(index=False):
        key = (key_unit, key_label, key_respondent)
        status = existing.get(key)
        if status is None:
            plan.creates.append(key)
        elif status == "validated":
            problems.append(
                Problem(
                    name,
                    int(line),
                    "validated_assessment",
                    {"respondent": key[2], "unit": key[0], "cycle": key[1]},
                )
            )
        else:
            plan.updates.append(key)
    if problems:
        raise ImportRejected(problems)
    return plan


def apply_import(
    engine: Engine, actor: Actor, plan: ImportPlan, status: str = "submitted", batch_rows: int = BATCH_ROWS
) -> dict[str, int]:
    """Carry out a checked import, all or nothing; scores are computed as on submit.

    Raises ServiceError "import_outdated" (and changes nothing) when an assessment the plan
    creates or replaces was created or validated by someone else after the preview.
    """
    require(None, actor, "import_answers")
    with reading(engine) as connection:
        questionnaire = questionnaire_of(connection, plan.questionnaire_version_id)
        cycle_ids = {str(k): int(v) for k, v in connection.execute(select(cycle.c.label, cycle.c.id)).all()}
    rows = _rows(plan, questionnaire, cycle_ids)
    keys = rows[["unit_id", "cycle_id", "respondent"]].drop_duplicates()
    roles = rows[rows["role"] != ""].drop_duplicates(["unit_id", "cycle_id", "respondent"])
    role_of = {
        (u, c, r): role
        for u, c, r, role in roles[["unit_id", "cycle_id", "respondent", "role"]].itertuples(index=False)
    }
    pairs = {
        (str(u), int(c)) for u, c in keys[["unit_id", "cycle_id"]].drop_duplicates().itertuples(index=False)
    }
    stage = _open_stage(engine, actor, plan.file)
    try:
        ids, last_id = _assessment_ids(engine, plan, cycle_ids)
        code = rows.set_index(["unit_id", "cycle_id", "respondent"]).index.map(ids)
        rows["assessment_id"] = np.asarray(code, dtype="int64")
        scores = _scores(rows, questionnaire) if status != "draft" else []
        _stage(engine, staged_answer, stage, _answer_tuples(rows), batch_rows, "import:staging")
        _stage(engine, staged_score, stage, iter(scores), batch_rows, None)
        snapshot, results = _unit_results(engine, plan, rows, keys, pairs, status)
        moment = audit.now()
        with writing(engine) as connection:
            now = stored_in(connection, pairs)
            replaced = _check_still_valid(now, plan, cycle_ids)
            ids = _shift_new_ids(connection, stage, ids, last_id)
            replace_imported(
                connection, [r.id for r in replaced], status, plan.questionnaire_version_id, moment
            )
            _create(connection, actor, plan, cycle_ids, ids, role_of, status, moment)
            adopt_staged(connection, stage, actor.user_id, moment, status != "draft")
            checkpoint("import:swap")
            changed = _changed_pairs(now, pairs, plan, cycle_ids, snapshot)
            store_unit_results(connection, pairs, results, changed)
            mark = None
            if len(pairs) <= FEW_UNITS:
                for unit_id, cycle_id in sorted(pairs - changed):
                    rollup.refresh(connection, unit_id, cycle_id)
            else:
                mark = rollup.set_stale(connection)
            _audit(connection, actor, plan, ids, replaced, status, cycle_ids)
        if mark is not None:  # the dashboards' sums, after the swap, made beside the app's work
            rollup.refresh_beside(engine, pairs, mark)
    finally:
        _close_stage(engine, stage, batch_rows)
    return plan.summary


def _assessment_ids(
    engine: Engine, plan: ImportPlan, cycle_ids: dict[str, int]
) -> tuple[dict[tuple[str, int, str], int], int | None]:
    """Each imported assessment's id, known before anything is written, so the staged rows
    carry it: a replaced one keeps its own, a new one gets an id reserved now. On SQLite the
    reserved ids follow the largest id (returned: the swap moves them up if assessments
    were added meanwhile)."""
    with writing(engine) as connection:
        found = {
            (r.unit_id, r.cycle_id, r.respondent): r.id
            for r in stored_in(connection, {(u, cycle_ids[c]) for u, c, _ in plan.updates})
        }
        new, last = bulk.reserve_ids(connection, assessment, len(plan.creates))
    ids = {(u, cycle_ids[c], r): found[(u, cycle_ids[c], r)] for u, c, r in plan.updates}
    ids |= {(u, cycle_ids[c], r): n for (u, c, r), n in zip(plan.creates, new, strict=True)}
    return ids, last


def _shift_new_ids(
    connection: Connection, stage: str, ids: dict[tuple[str, int, str], int], last_id: int | None
) -> dict[tuple[str, int, str], int]:
    """SQLite: when assessments were added after the ids were reserved, the new ones move
    up past them, in the staged rows too."""
    if last_id is None:
        return ids
    now = int(connection.execute(select(func.coalesce(func.max(assessment.c.id), 0))).scalar_one())
    if now == last_id:
        return ids
    step = now - last_id
    for table in (staged_answer, staged_score):
        connection.execute(
            update(table)
            .where(table.c.stage_id == stage, table.c.assessment_id > last_id)
            .values(assessment_id=table.c.assessment_id + step)
        )
    return {key: n + step if n > last_id else n for key, n in ids.items()}


# Preparing, in memory ----------------------------------------------------------------------


def _rows(plan: ImportPlan, questionnaire: Questionnaire, cycle_ids: dict[str, int]) -> pd.DataFrame:
    """One row per answer as the answer table stores it, with the assessment's key."""
    frame = plan.answers
    scored_items = {i.id for i in questionnaire.items() if i.scored}
    item = frame["item"].astype(str)
    is_scored = item.isin(scored_items).to_numpy()
    value = frame["value"].to_numpy(dtype="float64")
    given = ~np.isnan(value)
    level = pd.array(np.where(is_scored & given, value, np.nan), dtype="Float64").astype("Int64")
    yes = pd.array(np.where(~is_scored & given, value, np.nan), dtype="Float64").astype("boolean")
    comment = frame["comment"].astype(str)
    return pd.DataFrame(
        {
            "unit_id": frame["unit"].astype(str).to_numpy(),
            "cycle_id": frame["cycle"].astype(str).map(cycle_ids).to_numpy(dtype="int64"),
            "cycle": frame["cycle"].astype(str).to_numpy(),
            "respondent": frame["respondent"].astype(str).to_numpy(),
            "item_id": item.to_numpy(),
            "value": value,
            "level": level,
            "yes": yes,
            "dont_know": ~given,
            "comment": comment.where(comment != "", None).to_numpy(dtype=object),
            "role": frame["role"].astype(str).to_numpy(),
        }
    )


def _answer_tuples(rows: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """The rows as staged_answer takes them (stage id put in front by `_stage`)."""
    level = rows["level"].astype(object).where(rows["level"].notna(), None)
    yes = rows["yes"].astype(object).where(rows["yes"].notna(), None)
    return zip(
        rows["assessment_id"].tolist(),
        rows["item_id"].tolist(),
        [None if v is None else int(v) for v in level.tolist()],
        [None if v is None else bool(v) for v in yes.tolist()],
        rows["dont_know"].tolist(),
        rows["comment"].tolist(),
        strict=True,
    )


def _scores(rows: pd.DataFrame, questionnaire: Questionnaire) -> list[tuple[Any, ...]]:
    """Every imported assessment's scores as submitting it stores them, as staged_score rows."""
    if rows.empty:
        return []
    frame = pd.DataFrame({"key": rows["assessment_id"], "item": rows["item_id"], "value": rows["value"]})
    scores = many_scores(frame, questionnaire)
    return list(
        zip(
            scores["key"].astype(int).tolist(),
            scores["dimension_id"].tolist(),
            [None if v is None else float(v) for v in scores["score"]],
            [None if v is None else int(v) for v in scores["level"]],
            [None if v is None else float(v) for v in scores["coverage"]],
            strict=True,
        )
    )


def _unit_results(
    engine: Engine,
    plan: ImportPlan,
    rows: pd.DataFrame,
    keys: pd.DataFrame,
    pairs: set[tuple[str, int]],
    status: str,
) -> tuple[dict[tuple[str, int], list[tuple[int, int, str, str, int]]], list[dict[str, Any]]]:
    """The unit results the touched units will have once the import is in: scored over each
    unit's counted assessments, the imported ones and those already stored. Returns what the
    stored assessments of those units looked like (the swap checks it again) and the rows."""
    imported = {(u, int(c), r) for u, c, r in keys.itertuples(index=False)}
    with reading(engine) as connection:
        stored = stored_in(connection, pairs)
        snapshot = _others(stored, imported)
        arriving: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for key in imported if status != "draft" else ():
            arriving.setdefault((key[0], key[1]), []).append(
                {
                    "id": None,
                    "key": key,
                    "mode": "individual",
                    "status": status,
                    "questionnaire_version_id": plan.questionnaire_version_id,
                }
            )
        chosen: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for pair in pairs:
            candidates = snapshot.get(pair, []) + arriving.get(pair, [])
            chosen[pair] = choose_counted(candidates)
        wanted_stored = [r["id"] for counted in chosen.values() for r in counted if r["id"] is not None]
        stored_answers = _stored_answers(connection, wanted_stored)
        labels = dict(connection.execute(select(cycle.c.id, cycle.c.label)).all())
        by_version: dict[int, list[tuple[str, int]]] = {}
        for pair, counted in chosen.items():
            if counted:
                by_version.setdefault(counted[0]["questionnaire_version_id"], []).append(pair)
        results: list[dict[str, Any]] = []
        for version, version_pairs in by_version.items():
            questionnaire = questionnaire_of(connection, version)
            roadmap = roadmap_for(connection, version)
            frames = []
            imported_keys = {r["key"] for p in version_pairs for r in chosen[p] if r["id"] is None}
            if imported_keys:
                mine = rows.set_index(["unit_id", "cycle_id", "respondent"]).index.isin(list(imported_keys))
                part = rows[mine]
                frames.append(
                    pd.DataFrame(
                        {
                            "unit": part["unit_id"].to_numpy(),
                            "cycle": part["cycle"].to_numpy(),
                            "respondent": ("import:" + part["respondent"]).to_numpy(),
                            "item": part["item_id"].to_numpy(),
                            "value": part["value"].to_numpy(),
                        }
                    )
                )
            ids = [r["id"] for p in version_pairs for r in chosen[p] if r["id"] is not None]
            if ids:
                part = stored_answers[stored_answers["assessment_id"].isin(ids)]
                frames.append(
                    pd.DataFrame(
                        {
                            "unit": part["unit_id"].to_numpy(),
                            "cycle": part["cycle_id"].map(labels).to_numpy(),
                            "respondent": part["assessment_id"].astype(str).to_numpy(),
                            "item": part["item_id"].to_numpy(),
                            "value": part["value"].to_numpy(),
                        }
                    )
                )
            frame = pd.concat(frames, ignore_index=True)
            for column in ("unit", "cycle", "respondent", "item"):
                frame[column] = pd.Categorical(frame[column])
            result = score(questionnaire, frame, roadmap)
            made = result_rows(
                result,
                {u: u for u, _ in version_pairs},
                {labels[c]: c for _, c in version_pairs},
                version,
                "submitted",
            )
            validated = {p for p in version_pairs if all(r["status"] == "validated" for r in chosen[p])}
            for row in made:
                if (row["unit_id"], row["cycle_id"]) in validated:
                    row["status"] = "validated"
            results += made
    return snapshot, results


def _others(
    stored: list[Any], imported: set[tuple[str, int, str]]
) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """The stored assessments that the import leaves as they are, per unit and cycle."""
    others: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in stored:
        if (r.unit_id, r.cycle_id, r.respondent) not in imported:
            others.setdefault((r.unit_id, r.cycle_id), []).append(
                {
                    "id": r.id,
                    "key": None,
                    "mode": r.mode,
                    "status": r.status,
                    "questionnaire_version_id": r.questionnaire_version_id,
                    "row_version": r.row_version,
                }
            )
    return others


def _stored_answers(connection: Connection, ids: list[int]) -> pd.DataFrame:
    """The answers of stored assessments, with each assessment's unit and cycle."""
    parts = []
    for start in range(0, len(ids), 500):
        parts += connection.execute(
            select(
                assessment.c.unit_id,
                assessment.c.cycle_id,
                answer.c.assessment_id,
                answer.c.item_id,
                answer.c.level,
                answer.c.yes,
            )
            .join(assessment, assessment.c.id == answer.c.assessment_id)
            .where(answer.c.assessment_id.in_(ids[start : start + 500]))
        ).all()
    frame = pd.DataFrame(parts, columns=["unit_id", "cycle_id", "assessment_id", "item_id", "level", "yes"])
    frame["value"] = frame["level"].astype("float64").fillna(frame["yes"].astype("float64"))
    return frame


# Staging, in short transactions --------------------------------------------------------------


def _open_stage(engine: Engine, actor: Actor, file: str) -> str:
    """A new stage for this import; stages left by imports that died are removed first."""
    stage = secrets.token_hex(16)
    moment = audit.now()
    with writing(engine) as connection:
        stale = list(
            connection.execute(
                select(import_stage.c.id).where(import_stage.c.created_at < moment - STALE_STAGE)
            ).scalars()
        )
        connection.execute(
            insert(import_stage).values(
                id=stage, file=file[:200], created_by=actor.user_id, created_at=moment
            )
        )
    for old in stale:
        _close_stage(engine, old, BATCH_ROWS)
    return stage


def _stage(
    engine: Engine,
    table: Any,
    stage: str,
    rows: Iterator[tuple[Any, ...]],
    batch_rows: int,
    pause: str | None,
) -> None:
    """Write `rows` into a staging table, `batch_rows` per transaction."""
    columns = [c.name for c in table.columns]
    while True:
        batch = [(stage, *row) for _, row in zip(range(batch_rows), rows, strict=False)]
        if not batch:
            return
        with writing(engine) as connection:
            bulk.insert_rows(connection, table, columns, batch)
        if pause is not None:  # the crash tests stop here, with a batch staged and more to come
            checkpoint(pause)
            pause = None


def _close_stage(engine: Engine, stage: str, batch_rows: int) -> None:
    """Delete a stage's rows, a batch per transaction, then the stage itself."""
    for table in (staged_answer, staged_score):
        while True:
            with writing(engine) as connection:
                row = (
                    "rowid" if connection.dialect.name == "sqlite" else "ctid"
                )  # the engine's own row address
                gone = connection.execute(
                    text(
                        f"DELETE FROM {table.name} WHERE {row} IN "
                        f"(SELECT {row} FROM {table.name} WHERE stage_id = :stage LIMIT :n)"
                    ),
                    {"stage": stage, "n": batch_rows},
                ).rowcount
            if gone < batch_rows:
                break
    with writing(engine) as connection:
        connection.execute(delete(import_stage).where(import_stage.c.id == stage))


# The swap, in one transaction ----------------------------------------------------------------


def _check_still_valid(now: list[Any], plan: ImportPlan, cycle_ids: dict[str, int]) -> list[Any]:
    """The assessments the plan replaces, as they are now (`now`: the touched units'); refused
    if any was validated, or one the plan creates exists, since the preview."""
    found = {(r.unit_id, r.cycle_id, r.respondent): r for r in now}
    created = [k for k in plan.creates if (k[0], cycle_ids[k[1]], k[2]) in found]
    replaced = [found.get((k[0], cycle_ids[k[1]], k[2])) for k in plan.updates]
    if created or any(r is None or r.status == "validated" for r in replaced):
        raise ServiceError("import_outdated")
    return [r for r in replaced if r is not None]


def _create(
    connection: Connection,
    actor: Actor,
    plan: ImportPlan,
    cycle_ids: dict[str, int],
    ids: dict[tuple[str, int, str], int],
    role_of: dict[tuple[str, int, str], str],
    status: str,
    moment: dt.datetime,
) -> None:
    """The new assessments, under the ids their staged rows carry."""
    rows = [
        {
            "id": ids[(unit_id, cycle_ids[label], respondent)],
            "unit_id": unit_id,
            "cycle_id": cycle_ids[label],
            "questionnaire_version_id": plan.questionnaire_version_id,
            "respondent": respondent,
            "role": role_of.get((unit_id, cycle_ids[label], respondent)),
            "mode": "individual",
            "status": status,
            "created_by": actor.user_id,
            "created_at": moment,
            "updated_at": moment,
            "submitted_at": moment if status != "draft" else None,
            "row_version": 1,
        }
        for unit_id, label, respondent in plan.creates
    ]
    add_imported(connection, rows)


def _changed_pairs(
    now_stored: list[Any],
    pairs: set[tuple[str, int]],
    plan: ImportPlan,
    cycle_ids: dict[str, int],
    snapshot: dict[tuple[str, int], list[dict[str, Any]]],
) -> set[tuple[str, int]]:
    """Units whose other assessments changed since their results were computed."""
    imported = {(u, cycle_ids[c], r) for u, c, r in plan.creates + plan.updates}
    now = _others(now_stored, imported)

    def shape(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted((r["id"], r["row_version"], r["status"], r["mode"]) for r in rows)

    return {p for p in pairs if shape(now.get(p, [])) != shape(snapshot.get(p, []))}


def _audit(
    connection: Connection,
    actor: Actor,
    plan: ImportPlan,
    ids: dict[tuple[str, int, str], int],
    replaced: list[Any],
    status: str,
    cycle_ids: dict[str, int],
) -> None:
    counts = plan.answers.groupby(["unit", "cycle", "respondent"], observed=True).size()
    before = {r.id: r.status for r in replaced}
    entries = []
    for (unit_id, label, respondent), count in counts.items():
        assessment_id = ids[(str(unit_id), cycle_ids[str(label)], str(respondent))]
        was = before.get(assessment_id)
        entries.append(
            (
                assessment_id,
                None if was is None else {"status": was},
                {"status": status, "answers": int(count), "file": plan.file},
            )
        )
    audit.record_many(connection, actor.user_id, "import", "assessment", entries)
    audit.record(connection, actor.user_id, "import", "file", plan.file, None, plan.summary)


def _read_raw(source: str | Path | IO[str] | IO[bytes], name: str) -> pd.DataFrame:
    """The CSV as text columns; ImportRejected when it cannot be read or lacks a column."""
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
