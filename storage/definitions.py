"""Questionnaire and roadmap versions, kept with their YAML text and content hash.

An assessment records the questionnaire version it was answered with and is always
scored with that text, even after the file on disk has changed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, insert, select, update

from scoring.models import Questionnaire, Roadmap
from scoring.validation import questionnaire_from_text, roadmap_from_text
from storage import audit, rollup
from storage.actors import Actor
from storage.db import reading, writing
from storage.errors import InvalidInput, NotFound, read_input_file
from storage.permissions import require
from storage.settings import set_setting
from storage.tables import cycle, questionnaire_version, roadmap_version, setting

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
    model = questionnaire_from_text(text, str(questionnaire_path))  # problems named by the file's name
    if roadmap_text is not None:
        roadmap_from_text(roadmap_text, model, str(roadmap_path))
    with writing(engine) as connection:
        version_id = register_questionnaire(connection, actor, text)
        if roadmap_text is not None:
            register_roadmap(connection, actor, roadmap_text, text)
        set_setting(connection, "questionnaire_version", str(version_id))
    return version_id


# Cycles -------------------------------------------------------------------------------


def create_cycle(engine: Engine, actor: Actor, label: str, starts_on: dt.date, ends_on: dt.date) -> int:
    require(None, actor, "manage_cycles")
    if ends_on <= starts_on:
        raise InvalidInput(
            detail="a cycle must end after it starts", detail_nb="en syklus må slutte etter at den starter"
        )
    with writing(engine) as connection:
        if connection.execute(select(cycle.c.id).where(cycle.c.label == label)).first():
            raise InvalidInput(
                detail=f"cycle {label} exists already", detail_nb=f"syklusen {label} finnes allerede"
            )
        new_id = connection.execute(
            insert(cycle).values(label=label, starts_on=starts_on, ends_on=ends_on, status="open")
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
            {"label": label, "starts_on": starts_on, "ends_on": ends_on},
        )
    return int(new_id)


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


def create_next_cycle(engine: Engine, actor: Actor) -> tuple[str, int]:
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
    return label, create_cycle(engine, actor, label, start, end)


def cycle_label_for(day: dt.date) -> str:
    """The label of the yearly cycle a day falls in; cycles run from 1 September."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{start + 1}"
