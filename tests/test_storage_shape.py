"""The shape of `storage/`: no circle in its import graph, and one module writing each
table. Each writing module names its tables in `WRITES`; the source is read for every
INSERT, UPDATE and DELETE that names a table, and a day of work is run with every
statement the database receives traced back to the storage module that issued it.

`backup` is the one exception: a restore puts back every table's rows as another database
held them.
"""

from __future__ import annotations

import ast
import importlib
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from sqlalchemy import Table, event

import storage
from storage import tables
from storage.db import make_engine, migrate

from .conftest import Clinic, full_answers, make_clinic

STORAGE = Path(storage.__file__).parent
MODULES = sorted(p.stem for p in STORAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
TABLES: dict[str, Table] = {t.name: t for t in tables.metadata.sorted_tables}
VARIABLES = {name: t.name for name, t in vars(tables).items() if isinstance(t, Table)}
WHOLE_DATABASE = "backup"  # a restore writes every table
HELPERS = ("bulk", "db")  # write whatever table their callers hand them
SQL_WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


def imports_of(module: str) -> set[str]:
    """The storage modules `module` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse((STORAGE / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "storage":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("storage."):
            found.add(node.module.split(".")[1])  # type: ignore[union-attr]
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("storage.")}
    return found & set(MODULES) - {module}


def circle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """An import path that leads from `start` back to it, if any."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        module, path = stack.pop()
        for imported in sorted(graph[module]):
            if imported == start:
                return [*path, start]
            if imported not in seen:
                seen.add(imported)
                stack.append((imported, [*path, imported]))
    return None


def test_the_storage_package_imports_in_one_direction() -> None:
    graph = {module: imports_of(module) for module in MODULES}
    assert graph["assessments"] and graph["rollup"]  # the graph was read
    circles = [path for module in MODULES if (path := circle_from(module, graph))]
    assert circles == []


def written_by_name(module: str) -> dict[str, list[int]]:
    """Tables the module's source writes by name (SQLAlchemy's insert/update/delete, the
    bulk loader, or SQL text), with the lines."""
    found: dict[str, list[int]] = {}
    for node in ast.walk(ast.parse((STORAGE / f"{module}.py").read_text())):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("insert", "update", "delete") and isinstance(func, ast.Name) and node.args:
                targets = [node.args[0]]
            elif name in ("insert", "update", "delete") and isinstance(func, ast.Attribute) and not node.args:
                targets = [func.value]
            elif name == "insert_rows":
                targets = list(node.args)
        for target in targets:
            if isinstance(target, ast.Name) and target.id in VARIABLES:
                found.setdefault(VARIABLES[target.id], []).append(node.lineno)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = SQL_WRITE.match(node.value)
            if match and match.group(1) in TABLES:
                found.setdefault(match.group(1), []).append(node.lineno)
    return found


def declared(module: str) -> set[str]:
    return {t.name for t in getattr(importlib.import_module(f"storage.{module}"), "WRITES", ())}


def test_every_table_has_one_writing_module() -> None:
    owners: dict[str, list[str]] = {}
    for module in MODULES:
        for table in declared(module):
            owners.setdefault(table, []).append(module)
    assert {table: mods for table, mods in owners.items() if len(mods) > 1} == {}
    assert sorted(set(TABLES) - set(owners)) == []


@pytest.mark.parametrize("module", [m for m in MODULES if m != WHOLE_DATABASE])
def test_a_module_writes_only_its_own_tables(module: str) -> None:
    strays = {t: lines for t, lines in written_by_name(module).items() if t not in declared(module)}
    assert strays == {}


# At run time -------------------------------------------------------------------------------


def issuing_module(frame: FrameType | None) -> str | None:
    """The innermost storage module on the stack, past the helpers; None inside a migration."""
    found = None
    while frame is not None:
        path = frame.f_code.co_filename
        if "alembic" in path or "/migrations/" in path:
            return None
        if found is None and Path(path).parent == STORAGE and Path(path).stem not in HELPERS:
            found = Path(path).stem
        frame = frame.f_back
    return found


@pytest.fixture
def traced(tmp_path: Path) -> Iterator[tuple[Clinic, list[tuple[str, str | None]]]]:
    """A small clinic on a SQLite file, with every write after its set-up recorded as
    (table, issuing module)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shape.db'}")
    migrate(engine)
    clinic = make_clinic(engine)
    writes: list[tuple[str, str | None]] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        match = SQL_WRITE.match(statement)
        if match and match.group(1) in TABLES:
            writes.append((match.group(1), issuing_module(sys._getframe(1))))

    event.listen(engine, "before_cursor_execute", record)
    yield clinic, writes
    engine.dispose()


class AcceptingMailer:
    """A mail server that takes every message (storage.mail.Mailer)."""

    sender = "modenhet@sykehus.test"

    def send(self, messages: list[Any]) -> list[str | None]:
        return [None] * len(messages)


def test_a_day_of_work_writes_each_table_from_its_own_module(traced, tmp_path: Path) -> None:
    from storage import assessments as svc
    from storage import campaign
    from storage import workshops as ws
    from storage.access import upsert_user
    from storage.actors import Grant
    from storage.backup import backup, restore
    from storage.definitions import create_next_cycle
    from storage.importing import apply_import, plan_import
    from storage.org import move_unit, rename_unit
    from storage.planning import add_action_item, set_targets

    from .test_importing import answers_csv

    clinic, writes = traced
    engine, admin, leader = clinic.engine, clinic.actor("admin"), clinic.actor("leader-a")
    made = ws.start_workshop(engine, leader, "a", clinic.cycle_id, 3)
    for level in (2, 3, 4):
        secret, _ = ws.join(engine, made.token)
        ws.save_ratings(engine, made.token, secret, full_answers(clinic.questionnaire, level))
        ws.submit_rating(engine, made.token, secret)
    ws.reveal(engine, leader, made.id)
    consensus = made.consensus_assessment_id
    version = svc.save_answers(engine, leader, consensus, 1, full_answers(clinic.questionnaire))
    svc.submit_assessment(engine, leader, consensus, version)  # closes the workshop too
    plan = plan_import(engine, admin, io.StringIO(answers_csv(clinic, "bc", 3, seed=5)), file="svar.csv")
    apply_import(engine, admin, plan, batch_rows=50)
    add_action_item(engine, leader, "a", clinic.cycle_id, "Tavlemøte hver uke", dimension_id="lederansvar")
    set_targets(engine, admin, ["a", "b"], "lederansvar", 4)
    rename_unit(engine, admin, "a", "Post A (ny)", "Ward A (new)")
    move_unit(engine, admin, "b", "s2")
    upsert_user(engine, admin, "kari@sykehus.test", "Kari", [Grant("leader", "c")])
    campaign.send(engine, admin, clinic.cycle_id, "invitation", AcceptingMailer(), "https://modenhet.test")
    create_next_cycle(engine, admin)
    backup(engine, tmp_path / "day.backup")
    again = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    migrate(again)
    restore(again, tmp_path / "day.backup")
    again.dispose()

    written = {table for table, _ in writes}
    assert {"workshop", "workshop_rating", "answer", "staged_answer", "unit_result", "node_result"} <= written
    assert {"mailing", "mailing_unit"} <= written
    strays = sorted({(t, m) for t, m in writes if m is not None and t not in declared(m)})
    assert strays == []
