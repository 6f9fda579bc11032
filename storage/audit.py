"""The append-only audit log: who changed what, when, and the values before and after."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, or_, select

from storage import bulk
from storage.actors import Actor
from storage.db import reading
from storage.permissions import require
from storage.tables import audit_log

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (audit_log,)

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("frozen_now", default=None)


def now() -> dt.datetime:
    """The current time as naive UTC, the form every timestamp is stored in."""
    return _frozen.get() or dt.datetime.now(dt.UTC).replace(tzinfo=None)


@contextlib.contextmanager
def clock(moment: dt.datetime) -> Iterator[None]:
    """Stamp the writes made inside the block with `moment` (demo history, tests)."""
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)


def record(
    connection: Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: Any,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry; call it inside the transaction that makes the change."""
    connection.execute(
        insert(audit_log).values(
            at=now(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=_json(before),
            after=_json(after),
        )
    )


def record_many(
    connection: Connection, actor: str, action: str, entity: str, entries: list[tuple[Any, Any, Any]]
) -> None:
    """Append one entry per (entity_id, before, after), in one round trip."""
    if not entries:
        return
    moment = now()
    columns = ("at", "actor", "action", "entity", "entity_id", "before", "after")
    bulk.insert_rows(
        connection,
        audit_log,
        columns,
        [
            (moment, actor, action, entity, str(i), _json(before), _json(after))
            for i, before, after in entries
        ],
    )


def append(connection: Connection, entries: list[dict[str, Any]]) -> None:
    """Append entries that each carry their own time (`at`, actor, action, entity, entity_id,
    before, after): a history loaded in bulk, such as the demo's years."""
    for start in range(0, len(entries), 20_000):
        connection.execute(
            insert(audit_log),
            [
                e
                | {
                    "entity_id": str(e["entity_id"]),
                    "before": _json(e.get("before")),
                    "after": _json(e.get("after")),
                }
                for e in entries[start : start + 20_000]
            ],
        )


def data_version(connection: Connection) -> int:
    """The id of the newest audit entry: it changes with every write through the services."""
    return int(connection.execute(select(func.coalesce(func.max(audit_log.c.id), 0))).scalar_one())


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


LOG_COLUMNS = ["at", "actor", "action", "entity", "entity_id", "before", "after"]


def read_log(
    engine: Engine,
    actor: Actor,
    who: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    unit_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 1_000,
) -> tuple[pd.DataFrame, int]:
    """The audit log's entries that match every filter given, newest first, at most
    `limit`, and how many match in all. `unit_id` matches the unit itself and every entry
    whose values name it; `until` is the last day included."""
    require(None, actor, "read_audit")
    where = []
    if who:
        where.append(audit_log.c.actor == who)
    if action:
        where.append(audit_log.c.action == action)
    if entity:
        where.append(audit_log.c.entity == entity)
    if unit_id:
        named = f'%"unit_id": {json.dumps(unit_id, ensure_ascii=False)}%'
        where.append(
            or_(
                (audit_log.c.entity == "org_unit") & (audit_log.c.entity_id == unit_id),
                audit_log.c.before.like(named),
                audit_log.c.after.like(named),
            )
        )
    if since:
        where.append(audit_log.c.at >= dt.datetime.combine(since, dt.time()))
    if until:
        where.append(audit_log.c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    with reading(engine) as connection:
        total = int(
            connection.execute(select(func.count()).select_from(audit_log).where(*where)).scalar_one()
        )
        rows = connection.execute(
            select(*(audit_log.c[c] for c in LOG_COLUMNS))
            .where(*where)
            .order_by(audit_log.c.id.desc())
            .limit(limit)
        ).all()
    return pd.DataFrame(rows, columns=LOG_COLUMNS), total


def log_choices(engine: Engine, actor: Actor) -> dict[str, list[str]]:
    """The actors, actions and kinds of entity the log holds, for the page's filters."""
    require(None, actor, "read_audit")
    with reading(engine) as connection:
        return {
            column: sorted(connection.execute(select(audit_log.c[column]).distinct()).scalars())
            for column in ("actor", "action", "entity")
        }
