"""The organisation tree with its history: units keep stable ids through renames, moves,
merges and closures, so past assessments stay attached and any past tree can be shown.

`data/org.yaml` describes the tree as it is now:

    id: sorlandet-hf
    kind: helseforetak            # helseforetak, kommune, klinikk, seksjon, avdeling, enhet
    name: {nb: Sørlandet sykehus HF, en: Sørlandet Hospital Trust}
    children:
      - id: klinikk-psykisk-helse
        kind: klinikk
        name: ...
        children: [...]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, select, update

from scoring.problems import Problem
from scoring.yamlsource import format_path, parse_yaml
from storage import audit, rollup
from storage.actors import Actor
from storage.db import writing
from storage.errors import ImportRejected, InvalidInput, NotFound, read_input_file
from storage.permissions import require
from storage.tables import UNIT_KINDS, org_unit, org_unit_version
from storage.tree import ancestors

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (org_unit, org_unit_version)


@dataclass(frozen=True)
class UnitSpec:
    id: str
    kind: str
    name_nb: str
    name_en: str
    parent_id: str | None


MAX_ID = 64  # org_unit.id, held on SQLite as on PostgreSQL (where the column refuses longer)
MAX_NAME = 200  # org_unit_version.name_nb and name_en


def parse_org_yaml(text: str, file: str = "org.yaml") -> list[UnitSpec]:
    """The units of an org.yaml, parents first; ImportRejected lists every problem."""
    document, problems = parse_yaml(text, file)
    if document is None or problems:
        raise ImportRejected(problems)
    units: list[UnitSpec] = []
    seen: dict[str, int] = {}

    def visit(node: Any, path: tuple[Any, ...], parent: str | None) -> None:
        line = document.line_of(path)
        where = format_path(path)
        if not isinstance(node, dict):
            problems.append(_problem(file, line, f"{where}: expected a unit (id, kind, name)"))
            return
        unit_id, kind, name = node.get("id"), node.get("kind"), node.get("name")
        unknown = set(node) - {"id", "kind", "name", "children"}
        for key in sorted(unknown, key=str):
            problems.append(
                _problem(file, document.line_of(path + (key,)), f"{where}: unknown field '{key}'")
            )
        if not isinstance(unit_id, str) or not unit_id:
            problems.append(_problem(file, line, f"{where}: missing field 'id'"))
            return
        if len(unit_id) > MAX_ID:
            too_long = f"{where}.id: at most {MAX_ID} characters, got {len(unit_id)}"
            problems.append(_problem(file, line, too_long))
            return
        if unit_id in seen:
            problems.append(
                _problem(
                    file, line, f"{where}.id: duplicate id '{unit_id}' (first used at line {seen[unit_id]})"
                )
            )
        seen[unit_id] = line
        if kind not in UNIT_KINDS:
            problems.append(
                _problem(
                    file,
                    document.line_of(path + ("kind",)),
                    f"{where}.kind: must be one of {', '.join(UNIT_KINDS)}, got {kind}",
                )
            )
        if isinstance(name, str):
            name_nb = name_en = name
        elif isinstance(name, dict) and (name.get("nb") or name.get("en")):
            name_nb = str(name.get("nb") or name.get("en"))
            name_en = str(name.get("en") or name.get("nb"))
        else:
            problems.append(_problem(file, line, f"{where}: missing field 'name'"))
            name_nb = name_en = unit_id
        names = [("name", name_nb)] if isinstance(name, str) else [("name.nb", name_nb), ("name.en", name_en)]
        for name_field, text in names:
            if len(text) > MAX_NAME:
                problems.append(
                    _problem(
                        file,
                        document.line_of(path + ("name",)),
                        f"{where}.{name_field}: at most {MAX_NAME} characters, got {len(text)}",
                    )
                )
        units.append(UnitSpec(unit_id, str(kind), name_nb, name_en, parent))
        children = node.get("children") or []
        if not isinstance(children, list):
            problems.append(
                _problem(file, document.line_of(path + ("children",)), f"{where}.children: expected a list")
            )
            return
        for index, child in enumerate(children):
            visit(child, path + ("children", index), unit_id)

    root = document.data
    for index, node in enumerate(root if isinstance(root, list) else [root]):
        visit(node, (index,) if isinstance(root, list) else (), None)
    if problems:
        raise ImportRejected(problems)
    return units


def sync_org(
    engine: Engine, actor: Actor, units: list[UnitSpec], on: dt.date | None = None
) -> dict[str, int]:
    """Make the current tree match `units` as of `on`: create, rename, move and close units.

    Returns how many units were created, renamed, moved and closed.
    """
    require(None, actor, "change_organisation")
    on = on or dt.date.today()
    counts = {"created": 0, "renamed": 0, "moved": 0, "closed": 0}
    with writing(engine) as connection:
        current = _current_versions(connection)
        wanted = {u.id: u for u in units}
        for unit in units:
            row = current.get(unit.id)
            if row is None:
                _create(connection, actor, unit, on)
                counts["created"] += 1
                continue
            if row["parent_id"] != unit.parent_id:
                _new_version(
                    connection,
                    actor,
                    row,
                    on,
                    "moved",
                    parent_id=unit.parent_id,
                    name_nb=unit.name_nb,
                    name_en=unit.name_en,
                )
                counts["moved"] += 1
            elif (row["name_nb"], row["name_en"]) != (unit.name_nb, unit.name_en):
                _new_version(
                    connection, actor, row, on, "renamed", name_nb=unit.name_nb, name_en=unit.name_en
                )
                counts["renamed"] += 1
        for unit_id, row in current.items():
            if unit_id not in wanted:
                _end_version(connection, actor, row, on, "closed")
                counts["closed"] += 1
        if any(counts.values()):
            rollup.rebuild(connection)
    return counts


def load_org_yaml(
    engine: Engine, actor: Actor, path: str | Path, on: dt.date | None = None
) -> dict[str, int]:
    path = Path(path)
    return sync_org(engine, actor, parse_org_yaml(read_input_file(path), str(path)), on)


def load_units(
    connection: Connection, units: list[UnitSpec], valid_from: dt.date, moment: dt.datetime
) -> None:
    """Write a whole new tree at once (a benchmark tier), each unit valid from `valid_from`;
    the caller audits it and rebuilds the rollups."""
    connection.execute(insert(org_unit), [{"id": u.id, "kind": u.kind, "created_at": moment} for u in units])
    connection.execute(
        insert(org_unit_version),
        [
            {
                "unit_id": u.id,
                "parent_id": u.parent_id,
                "name_nb": u.name_nb,
                "name_en": u.name_en,
                "valid_from": valid_from,
                "valid_to": None,
                "change": "created",
            }
            for u in units
        ],
    )


def add_unit(engine: Engine, actor: Actor, unit: UnitSpec, on: dt.date | None = None) -> None:
    """A new unit under an existing one, from `on` (default today); its id stays for good."""
    require(None, actor, "change_organisation")
    problems = _spec_problems(unit)
    if problems:
        raise InvalidInput(
            detail="; ".join(p[0] for p in problems), detail_nb="; ".join(p[1] for p in problems)
        )
    with writing(engine) as connection:
        if connection.execute(select(org_unit.c.id).where(org_unit.c.id == unit.id)).first():
            raise InvalidInput(
                detail=f"a unit with the id '{unit.id}' exists already",
                detail_nb=f"det finnes allerede en enhet med id «{unit.id}»",
            )
        if unit.parent_id is not None:
            _current(connection, unit.parent_id)  # NotFound for a parent that is not there now
        _create(connection, actor, unit, on or dt.date.today())
        rollup.follow_unit(connection, unit.id)


def _spec_problems(unit: UnitSpec) -> list[tuple[str, str]]:
    """What is wrong with a unit typed in a form, in English and bokmål."""
    problems = []
    if not unit.id.strip() or len(unit.id) > MAX_ID or not all(c.isalnum() or c in "-_." for c in unit.id):
        problems.append(
            (
                f"the id must be 1 to {MAX_ID} letters, digits, '-', '_' or '.'",
                f"id-en må være 1 til {MAX_ID} bokstaver, sifre, «-», «_» eller «.»",
            )
        )
    if unit.kind not in UNIT_KINDS:
        problems.append((f"unknown kind '{unit.kind}'", f"ukjent type «{unit.kind}»"))
    if not unit.name_nb.strip() or len(unit.name_nb) > MAX_NAME or len(unit.name_en) > MAX_NAME:
        problems.append((f"a name of 1 to {MAX_NAME} characters", f"et navn på 1 til {MAX_NAME} tegn"))
    return problems


def rename_unit(
    engine: Engine, actor: Actor, unit_id: str, name_nb: str, name_en: str, on: dt.date | None = None
) -> None:
    require(None, actor, "change_organisation")
    with writing(engine) as connection:
        row = _current(connection, unit_id)
        _new_version(
            connection, actor, row, on or dt.date.today(), "renamed", name_nb=name_nb, name_en=name_en
        )
        rollup.follow_unit(connection, unit_id)


def move_unit(engine: Engine, actor: Actor, unit_id: str, parent_id: str, on: dt.date | None = None) -> None:
    require(None, actor, "change_organisation")
    with writing(engine) as connection:
        row = _current(connection, unit_id)
        _current(connection, parent_id)
        if parent_id == unit_id or unit_id in ancestors(connection, parent_id):
            raise InvalidInput(
                detail="a unit cannot be moved under itself",
                detail_nb="en enhet kan ikke flyttes under seg selv",
            )
        _new_version(connection, actor, row, on or dt.date.today(), "moved", parent_id=parent_id)
        rollup.follow_unit(connection, unit_id)


def merge_units(engine: Engine, actor: Actor, unit_id: str, into: str, on: dt.date | None = None) -> None:
    """Close `unit_id` as merged into `into`; its past assessments stay with its own id."""
    require(None, actor, "change_organisation")
    with writing(engine) as connection:
        row = _current(connection, unit_id)
        _current(connection, into)
        if _children(connection, unit_id):
            raise InvalidInput(
                detail="move or merge the unit's children first",
                detail_nb="flytt eller slå sammen underenhetene først",
            )
        _end_version(connection, actor, row, on or dt.date.today(), "merged", merged_into=into)
        rollup.follow_unit(connection, unit_id)


def close_unit(engine: Engine, actor: Actor, unit_id: str, on: dt.date | None = None) -> None:
    require(None, actor, "change_organisation")
    with writing(engine) as connection:
        row = _current(connection, unit_id)
        if _children(connection, unit_id):
            raise InvalidInput(
                detail="close or move the unit's children first",
                detail_nb="avslutt eller flytt underenhetene først",
            )
        _end_version(connection, actor, row, on or dt.date.today(), "closed")
        rollup.follow_unit(connection, unit_id)


def _problem(file: str, line: int, text: str) -> Problem:
    return Problem(file, line, "invalid", {"path": "", "detail": text})


def _current_versions(connection: Connection) -> dict[str, dict[str, Any]]:
    rows = connection.execute(select(org_unit_version).where(org_unit_version.c.valid_to.is_(None))).all()
    return {r.unit_id: dict(r._mapping) for r in rows}


def _current(connection: Connection, unit_id: str) -> dict[str, Any]:
    row = connection.execute(
        select(org_unit_version).where(
            and_(org_unit_version.c.unit_id == unit_id, org_unit_version.c.valid_to.is_(None))
        )
    ).first()
    if row is None:
        raise NotFound(what="unit", what_nb="enheten", id=unit_id)
    return dict(row._mapping)


def _children(connection: Connection, unit_id: str) -> list[str]:
    return list(
        connection.execute(
            select(org_unit_version.c.unit_id).where(
                and_(org_unit_version.c.parent_id == unit_id, org_unit_version.c.valid_to.is_(None))
            )
        ).scalars()
    )


def _create(connection: Connection, actor: Actor, unit: UnitSpec, on: dt.date) -> None:
    exists = connection.execute(select(org_unit.c.id).where(org_unit.c.id == unit.id)).first()
    if exists is None:
        connection.execute(insert(org_unit).values(id=unit.id, kind=unit.kind, created_at=audit.now()))
    values = {
        "unit_id": unit.id,
        "parent_id": unit.parent_id,
        "name_nb": unit.name_nb,
        "name_en": unit.name_en,
        "valid_from": on,
        "valid_to": None,
        "change": "created" if exists is None else "reopened",
    }
    connection.execute(insert(org_unit_version).values(**values))
    audit.record(connection, actor.user_id, "create", "org_unit", unit.id, None, values)


def _new_version(
    connection: Connection, actor: Actor, row: dict[str, Any], on: dt.date, change: str, **changes: Any
) -> None:
    if on <= row["valid_from"]:
        # a second change on the day a version began replaces that version in place
        connection.execute(
            update(org_unit_version).where(org_unit_version.c.id == row["id"]).values(**changes)
        )
    else:
        connection.execute(
            update(org_unit_version).where(org_unit_version.c.id == row["id"]).values(valid_to=on)
        )
        values = {k: row[k] for k in ("unit_id", "parent_id", "name_nb", "name_en")} | changes
        connection.execute(
            insert(org_unit_version).values(**values, valid_from=on, valid_to=None, change=change)
        )
    before = {k: row[k] for k in changes}
    audit.record(connection, actor.user_id, change, "org_unit", row["unit_id"], before, changes | {"on": on})


def _end_version(
    connection: Connection,
    actor: Actor,
    row: dict[str, Any],
    on: dt.date,
    change: str,
    merged_into: str | None = None,
) -> None:
    connection.execute(
        update(org_unit_version)
        .where(org_unit_version.c.id == row["id"])
        .values(valid_to=max(on, row["valid_from"] + dt.timedelta(days=1)), merged_into=merged_into)
    )
    audit.record(
        connection,
        actor.user_id,
        change,
        "org_unit",
        row["unit_id"],
        {"valid_to": None},
        {"valid_to": on, "merged_into": merged_into},
    )
