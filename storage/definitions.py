"""Questionnaire and roadmap versions, kept with their YAML text and content hash.

An assessment records the questionnaire version it was answered with and is always
scored with that text, even after the file on disk has changed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, func, insert, select, update

from scoring.models import Questionnaire, Roadmap
from scoring.validation import questionnaire_from_text, roadmap_from_text
from storage import audit, rollup
from storage.actors import Actor
from storage.db import reading, writing
from storage.errors import InvalidInput, NotFound, ServiceError, read_input_file
from storage.permissions import require
from storage.settings import set_setting
from storage.tables import assessment, cycle, questionnaire_version, roadmap_version, setting

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (cycle, questionnaire_version, roadmap_version)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONNAIRE = ROOT / "questionnaires" / "ledelse-og-kvalitetsforbedring.yaml"
DEFAULT_ROADMAP = ROOT / "questionnaires" / "forbedringsreisen.yaml"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_BY_HASH: dict[str, Questionnaire] = {}  # questionnaire_of's models by content hash


@functools.lru_cache(maxsize=64)
def _parse_questionnaire(text: str) -> Questionnaire:
    return questionnaire_from_text(text, "<stored questionnaire>")


@functools.lru_cache(maxsize=64)
def _parse_roadmap(text: str, questionnaire_text: str) -> Roadmap:
    return roadmap_from_text(text, _parse_questionnaire(questionnaire_text), "<stored roadmap>")


def register_questionnaire(connection: Connection, actor: Actor, text: str) -> int:
    """The id of the stored version with this exact text, storing it on first use.

    The text is validated first: a questionnaire with problems is never stored.
    """
    model = _parse_questionnaire(text)
    return _register(
        connection,
        actor,
        questionnaire_version,
        "questionnaire_id",
        model.id,
        text,
        {"version": model.version},
    )


def register_roadmap(connection: Connection, actor: Actor, text: str, questionnaire_text: str) -> int:
    """As register_questionnaire, for a roadmap checked against its questionnaire."""
    model = _parse_roadmap(text, questionnaire_text)
    return _register(
        connection,
        actor,
        roadmap_version,
        "roadmap_id",
        model.id,
        text,
        {"questionnaire_id": model.questionnaire},
    )


def _register(
    connection: Connection,
    actor: Actor,
    table: Table,
    id_column: str,
    definition_id: str,
    text: str,
    extra: dict[str, str],
) -> int:
    digest = content_hash(text)
    existing = connection.execute(
        select(table.c.id).where(table.c[id_column] == definition_id, table.c.content_hash == digest)
    ).scalar()
    if existing is not None:
        return int(existing)
    values = {id_column: definition_id, **extra, "content_hash": digest}
    new_id = connection.execute(
        insert(table).values(**values, yaml_text=text, created_at=audit.now())
    ).inserted_primary_key[0]
    audit.record(connection, actor.user_id, "register", table.name, new_id, None, values)
    return int(new_id)


def questionnaire_text(connection: Connection, version_id: int) -> str:
    text = connection.execute(
        select(questionnaire_version.c.yaml_text).where(questionnaire_version.c.id == version_id)
    ).scalar()
    if text is None:
        raise NotFound(what="questionnaire version", what_nb="spørreskjemaversjonen", id=version_id)
    return str(text)


def questionnaire_of(connection: Connection, version_id: int) -> Questionnaire:
    """The questionnaire model of a stored version, parsed once per process and found again
    by the version's content hash: every answer saved checks itself against the model, and
    reading the whole text for that took longer than the rest of the save."""
    digest = connection.execute(
        select(questionnaire_version.c.content_hash).where(questionnaire_version.c.id == version_id)
    ).scalar()
    if digest is None:
        raise NotFound(what="questionnaire version", what_nb="spørreskjemaversjonen", id=version_id)
    model = _BY_HASH.get(digest)
    if model is None:
        model = _parse_questionnaire(questionnaire_text(connection, version_id))
        if len(_BY_HASH) >= 64:
            _BY_HASH.clear()
        _BY_HASH[digest] = model
    return model


def roadmap_for(connection: Connection, questionnaire_version_id: int) -> Roadmap | None:
    """The newest stored roadmap for the questionnaire of this version, checked against it."""
    text = questionnaire_text(connection, questionnaire_version_id)
    model = _parse_questionnaire(text)
    row = connection.execute(
        select(roadmap_version.c.yaml_text)
        .where(roadmap_version.c.questionnaire_id == model.id)
        .order_by(roadmap_version.c.id.desc())
    ).first()
    return None if row is None else _parse_roadmap(row.yaml_text, text)


def current_questionnaire_version(connection: Connection) -> int:
    """The questionnaire version new assessments use (set when definitions are loaded)."""
    value = connection.execute(
        select(setting.c.value).where(setting.c.key == "questionnaire_version")
    ).scalar()
    if value is None:
        raise NotFound(what="current questionnaire", what_nb="gjeldende spørreskjema", id="-")
    return int(value)


def load_definitions(
    engine: Engine,
    actor: Actor,
    questionnaire_path: str | Path = DEFAULT_QUESTIONNAIRE,
    roadmap_path: str | Path | None = DEFAULT_ROADMAP,
) -> int:
    """Register the questionnaire (and roadmap) files and make them current; returns the version id."""
    require(None, actor, "change_questionnaires")
    text = read_input_file(questionnaire_path)
    roadmap_text = None if roadmap_path is None else read_input_file(roadmap_path)
    return install_questionnaire(
        engine, actor, text, roadmap_text, str(questionnaire_path), str(roadmap_path), make_current=True
    )


def check_questionnaire(
    text: str, roadmap_text: str | None = None, file: str = "<questionnaire>", roadmap_file: str = "<roadmap>"
) -> tuple[Questionnaire, Roadmap | None]:
    """The models a questionnaire file (and roadmap) make, or ProblemsError listing every
    problem with its file and line; nothing is stored."""
    model = questionnaire_from_text(text, file)
    roadmap = None if roadmap_text is None else roadmap_from_text(roadmap_text, model, roadmap_file)
    return model, roadmap


def install_questionnaire(
    engine: Engine,
    actor: Actor,
    text: str,
    roadmap_text: str | None = None,
    file: str = "<questionnaire>",
    roadmap_file: str = "<roadmap>",
    make_current: bool = False,
) -> int:
    """Store a questionnaire version (and roadmap) after checking it whole; with
    `make_current`, new assessments in cycles without a version of their own use it.
    Returns the version id (an identical text already stored keeps its id)."""
    require(None, actor, "change_questionnaires")
    check_questionnaire(text, roadmap_text, file, roadmap_file)
    with writing(engine) as connection:
        version_id = register_questionnaire(connection, actor, text)
        if roadmap_text is not None:
            register_roadmap(connection, actor, roadmap_text, text)
        if make_current:
            set_setting(connection, "questionnaire_version", str(version_id))
    return version_id


def list_questionnaire_versions(engine: Engine) -> list[dict[str, object]]:
    """Every stored questionnaire version, newest first: id, questionnaire id, version, title
    (nb, en), stored at, whether current, the cycles that use it and its assessments."""
    with reading(engine) as connection:
        rows = connection.execute(
            select(questionnaire_version).order_by(questionnaire_version.c.id.desc())
        ).all()
        current = connection.execute(
            select(setting.c.value).where(setting.c.key == "questionnaire_version")
        ).scalar()
        used = connection.execute(
            select(assessment.c.questionnaire_version_id, func.count()).group_by(
                assessment.c.questionnaire_version_id
            )
        ).all()
        planned = connection.execute(select(cycle.c.questionnaire_version_id, cycle.c.label)).all()
        models = {r.id: questionnaire_of(connection, r.id) for r in rows}
    counts = dict(used)
    labels: dict[int, list[str]] = {}
    for version_id, label in planned:
        if version_id is not None:
            labels.setdefault(int(version_id), []).append(str(label))
    return [
        {
            "id": r.id,
            "questionnaire_id": r.questionnaire_id,
            "version": r.version,
            "title_nb": models[r.id].title.get("nb"),
            "title_en": models[r.id].title.get("en"),
            "created_at": r.created_at,
            "current": str(r.id) == current,
            "cycles": sorted(labels.get(r.id, [])),
            "assessments": int(counts.get(r.id, 0)),
        }
        for r in rows
    ]


def questionnaire_version_for(connection: Connection, cycle_id: int) -> int:
    """The questionnaire version a new assessment in the cycle uses: the cycle's own, or
    the current one."""
    chosen = connection.execute(
        select(cycle.c.questionnaire_version_id).where(cycle.c.id == cycle_id)
    ).scalar()
    return int(chosen) if chosen is not None else current_questionnaire_version(connection)


# Cycles -------------------------------------------------------------------------------


def create_cycle(
    engine: Engine,
    actor: Actor,
    label: str,
    starts_on: dt.date,
    ends_on: dt.date,
    deadline: dt.date | None = None,
    questionnaire_version_id: int | None = None,
) -> int:
    """A new open cycle; `deadline` is when answers are due, `questionnaire_version_id` the
    version its assessments use (None: the current one)."""
    require(None, actor, "manage_cycles")
    if ends_on <= starts_on:
        raise InvalidInput(
            detail="a cycle must end after it starts", detail_nb="en syklus må slutte etter at den starter"
        )
    _check_deadline(deadline, starts_on, ends_on)
    with writing(engine) as connection:
        if connection.execute(select(cycle.c.id).where(cycle.c.label == label)).first():
            raise InvalidInput(
                detail=f"cycle {label} exists already", detail_nb=f"syklusen {label} finnes allerede"
            )
        _check_version(connection, questionnaire_version_id)
        new_id = connection.execute(
            insert(cycle).values(
                label=label,
                starts_on=starts_on,
                ends_on=ends_on,
                status="open",
                deadline=deadline,
                questionnaire_version_id=questionnaire_version_id,
            )
        ).inserted_primary_key[0]
        if connection.execute(select(cycle.c.id).where(cycle.c.starts_on > starts_on)).first():
            rollup.rebuild(connection)  # the cycle after it now compares with this one
        audit.record(
            connection,
            actor.user_id,
            "create",
            "cycle",
            new_id,
            None,
            {
                "label": label,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "deadline": deadline,
                "questionnaire_version_id": questionnaire_version_id,
            },
        )
    return int(new_id)


def plan_cycle(
    engine: Engine,
    actor: Actor,
    cycle_id: int,
    deadline: dt.date | None,
    questionnaire_version_id: int | None,
) -> None:
    """Set a cycle's deadline and questionnaire version. The version can change only while
    no assessment in the cycle has been started with another one."""
    require(None, actor, "manage_cycles")
    with writing(engine) as connection:
        row = connection.execute(select(cycle).where(cycle.c.id == cycle_id)).first()
        if row is None:
            raise NotFound(what="cycle", what_nb="syklusen", id=cycle_id)
        _check_deadline(deadline, row.starts_on, row.ends_on)
        _check_version(connection, questionnaire_version_id)
        if questionnaire_version_id != row.questionnaire_version_id:
            new_version = questionnaire_version_id or current_questionnaire_version(connection)
            started = connection.execute(
                select(func.count()).where(
                    assessment.c.cycle_id == cycle_id, assessment.c.questionnaire_version_id != new_version
                )
            ).scalar_one()
            if started:
                raise ServiceError("cycle_in_use", cycle=row.label, n=started)
        before = {"deadline": row.deadline, "questionnaire_version_id": row.questionnaire_version_id}
        after = {"deadline": deadline, "questionnaire_version_id": questionnaire_version_id}
        if before != after:
            connection.execute(update(cycle).where(cycle.c.id == cycle_id).values(**after))
            audit.record(connection, actor.user_id, "plan", "cycle", cycle_id, before, after)


def _check_deadline(deadline: dt.date | None, starts_on: dt.date, ends_on: dt.date) -> None:
    if deadline is not None and not starts_on <= deadline <= ends_on:
        raise InvalidInput(
            detail=f"the deadline must lie within the cycle ({starts_on} to {ends_on})",
            detail_nb=f"fristen må ligge innenfor syklusen ({starts_on} til {ends_on})",
        )


def _check_version(connection: Connection, version_id: int | None) -> None:
    if (
        version_id is not None
        and not connection.execute(
            select(questionnaire_version.c.id).where(questionnaire_version.c.id == version_id)
        ).first()
    ):
        raise NotFound(what="questionnaire version", what_nb="spørreskjemaversjonen", id=version_id)


def set_cycle_status(engine: Engine, actor: Actor, cycle_id: int, status: str) -> None:
    require(None, actor, "manage_cycles")
    if status not in ("open", "closed"):
        raise InvalidInput(detail=f"unknown status {status}", detail_nb=f"ukjent status {status}")
    with writing(engine) as connection:
        before = connection.execute(select(cycle.c.status).where(cycle.c.id == cycle_id)).scalar()
        if before is None:
            raise NotFound(what="cycle", what_nb="syklusen", id=cycle_id)
        connection.execute(update(cycle).where(cycle.c.id == cycle_id).values(status=status))
        audit.record(
            connection, actor.user_id, "status", "cycle", cycle_id, {"status": before}, {"status": status}
        )


def list_cycles(engine: Engine) -> list[dict[str, object]]:
    """Every cycle, oldest first."""
    with reading(engine) as connection:
        rows = connection.execute(select(cycle).order_by(cycle.c.starts_on)).all()
    return [dict(r._mapping) for r in rows]


def cycle_id_of(engine: Engine, label: str) -> int:
    """The id of the cycle called `label`; NotFound otherwise."""
    with reading(engine) as connection:
        found = connection.execute(select(cycle.c.id).where(cycle.c.label == label)).scalar()
    if found is None:
        raise NotFound(what="cycle", what_nb="syklusen", id=label)
    return int(found)


def create_next_cycle(
    engine: Engine,
    actor: Actor,
    questionnaire_version_id: int | None = None,
    deadline: dt.date | None = None,
) -> tuple[str, int]:
    """Next year's cycle in one step: it starts where the latest ends, lasts as long, and is
    called by its years ("2027/2028" after "2026/2027"); returns its label and id."""
    with reading(engine) as connection:
        latest = connection.execute(select(cycle).order_by(cycle.c.starts_on.desc()).limit(1)).first()
    if latest is None:
        start = dt.date(int(cycle_label_for(dt.date.today())[:4]), 9, 1)
        end = start.replace(year=start.year + 1)
    else:
        start, length = latest.ends_on, latest.ends_on - latest.starts_on
        end = start.replace(year=start.year + 1) if length.days in (365, 366) else start + length
    label = f"{start.year}/{start.year + 1}" if end.year == start.year + 1 else f"{start}/{end}"
    return label, create_cycle(engine, actor, label, start, end, deadline, questionnaire_version_id)


def cycle_label_for(day: dt.date) -> str:
    """The label of the yearly cycle a day falls in; cycles run from 1 September."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{start + 1}"
