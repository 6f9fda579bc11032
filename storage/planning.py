"""Targets per unit and dimension, and the action plan (what, who, by when, status)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from scoring.engine import OVERALL
from storage import audit
from storage.actors import Actor
from storage.db import reading, writing
from storage.definitions import current_questionnaire_version, questionnaire_of
from storage.errors import Conflict, InvalidInput, NotFound
from storage.permissions import may, require
from storage.tables import ACTION_STATUSES, action_item, cycle, target, unit_result

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (target, action_item)


def set_target(
    engine: Engine,
    actor: Actor,
    unit_id: str,
    dimension_id: str,
    target_level: float,
    baseline: float | None = None,
    target_cycle_id: int | None = None,
) -> None:
    """Set the level a unit aims for on a dimension (or 'overall').

    Without a baseline, the unit's newest stored score on that dimension is used, so
    progress reads (current - baseline) / (target - baseline) from today on.
    """
    set_targets(engine, actor, [unit_id], dimension_id, target_level, baseline, target_cycle_id)


def set_targets(
    engine: Engine,
    actor: Actor,
    unit_ids: list[str],
    dimension_id: str,
    target_level: float,
    baseline: float | None = None,
    target_cycle_id: int | None = None,
) -> int:
    """`set_target` for several units in one transaction (a subtree's units), all or none;
    returns how many."""
    if not 1 <= target_level <= 5:
        raise InvalidInput(
            detail="a target is a level from 1 to 5", detail_nb="et mål er et nivå fra 1 til 5"
        )
    with writing(engine) as connection:
        questionnaire = questionnaire_of(connection, current_questionnaire_version(connection))
        if dimension_id != OVERALL and dimension_id not in {d.id for d in questionnaire.dimensions}:
            raise InvalidInput(
                detail=f"'{dimension_id}' is not a dimension of the questionnaire (nor 'overall')",
                detail_nb=f"«{dimension_id}» er ingen dimensjon i spørreskjemaet (og ikke «overall»)",
            )
        for unit_id in unit_ids:
            _set_target(connection, actor, unit_id, dimension_id, target_level, baseline, target_cycle_id)
    return len(unit_ids)


def _set_target(
    connection: Connection,
    actor: Actor,
    unit_id: str,
    dimension_id: str,
    target_level: float,
    baseline: float | None,
    target_cycle_id: int | None,
) -> None:
    require(connection, actor, "set_targets", unit_id)
    if baseline is None:
        baseline = connection.execute(
            select(unit_result.c.score)
            .join(cycle, cycle.c.id == unit_result.c.cycle_id)
            .where(
                unit_result.c.unit_id == unit_id,
                unit_result.c.dimension_id == dimension_id,
                unit_result.c.score.is_not(None),
            )
            .order_by(cycle.c.starts_on.desc())
        ).scalar()
    old = connection.execute(
        select(target).where(target.c.unit_id == unit_id, target.c.dimension_id == dimension_id)
    ).first()
    values = {
        "target_level": float(target_level),
        "baseline": baseline,
        "target_cycle_id": target_cycle_id,
        "set_by": actor.user_id,
        "set_at": audit.now(),
    }
    if old is None:
        connection.execute(insert(target).values(unit_id=unit_id, dimension_id=dimension_id, **values))
    else:
        connection.execute(
            update(target)
            .where(target.c.unit_id == unit_id, target.c.dimension_id == dimension_id)
            .values(**values)
        )
    before = None if old is None else {"target_level": old.target_level, "baseline": old.baseline}
    audit.record(
        connection,
        actor.user_id,
        "set",
        "target",
        f"{unit_id}/{dimension_id}",
        before,
        {"target_level": target_level, "baseline": baseline},
    )


def list_targets(engine: Engine, actor: Actor, unit_id: str) -> pd.DataFrame:
    with reading(engine) as connection:
        require(connection, actor, "read_plans", unit_id)
        rows = target_rows(connection, unit_id)
    return pd.DataFrame(rows, columns=[c.name for c in target.columns])


def target_rows(connection: Connection, unit_id: str) -> list[dict[str, Any]]:
    """The unit's targets (the caller has checked the reader's rights)."""
    return [r._asdict() for r in connection.execute(select(target).where(target.c.unit_id == unit_id))]


def progress_to_target(current: float | None, baseline: float | None, target_level: float) -> float | None:
    """SAMM's progress to date, (current - baseline) / (target - baseline), between 0 and 1."""
    if current is None or baseline is None or pd.isna(current) or pd.isna(baseline):
        return None
    if target_level <= baseline:
        return 1.0 if current >= target_level else 0.0
    return float(min(max((current - baseline) / (target_level - baseline), 0.0), 1.0))


def load_history(
    connection: Connection, actions: list[dict[str, Any]], targets: list[dict[str, Any]]
) -> None:
    """Write many past actions and targets at once, as rows of their tables with their own
    times (a history loaded in bulk: the demo's years), with an audit entry each."""
    entries = []
    for values in actions:
        new_id = int(connection.execute(insert(action_item).values(**values)).inserted_primary_key[0])
        entries.append(
            {
                "at": values["created_at"],
                "actor": values["created_by"],
                "action": "create",
                "entity": "action_item",
                "entity_id": new_id,
                "after": values,
            }
        )
    latest = {(t["unit_id"], t["dimension_id"]): t for t in targets}  # set again: the last one stands
    if latest:
        connection.execute(insert(target), list(latest.values()))
    entries += [
        {
            "at": t["set_at"],
            "actor": t["set_by"],
            "action": "set",
            "entity": "target",
            "entity_id": f"{t['unit_id']}/{t['dimension_id']}",
            "after": t,
        }
        for t in targets
    ]
    audit.append(connection, entries)


def add_action_item(
    engine: Engine,
    actor: Actor,
    unit_id: str,
    cycle_id: int,
    what: str,
    who: str | None = None,
    due_on: dt.date | None = None,
    dimension_id: str | None = None,
    status: str = "planned",
) -> int:
    """Add an action to the unit's plan for a cycle (leader or management above); returns its id."""
    if not what.strip():
        raise InvalidInput(detail="Say what will be done.", detail_nb="Skriv hva som skal gjøres.")
    if status not in ACTION_STATUSES:
        raise InvalidInput(detail=f"unknown status {status}", detail_nb=f"ukjent status {status}")
    with writing(engine) as connection:
        require(connection, actor, "plan", unit_id)
        moment = audit.now()
        values = {
            "unit_id": unit_id,
            "cycle_id": cycle_id,
            "dimension_id": dimension_id,
            "what": what.strip(),
            "who": (who or "").strip() or None,
            "due_on": due_on,
            "status": status,
            "created_by": actor.user_id,
            "created_at": moment,
            "updated_at": moment,
            "row_version": 1,
        }
        new_id = int(connection.execute(insert(action_item).values(**values)).inserted_primary_key[0])
        audit.record(connection, actor.user_id, "create", "action_item", new_id, None, values)
    return new_id


def update_action_item(
    engine: Engine, actor: Actor, item_id: int, expected_version: int, **changes: Any
) -> int:
    """Change what, who, due_on, status or dimension_id of an action; returns the new row version.

    `expected_version` is the row version the user saw: if someone changed or deleted the
    action since, nothing is written and Conflict is raised."""
    allowed = {"what", "who", "due_on", "status", "dimension_id"}
    if set(changes) - allowed:
        raise InvalidInput(
            detail=f"cannot change {sorted(set(changes) - allowed)}",
            detail_nb=f"kan ikke endre {sorted(set(changes) - allowed)}",
        )
    if "status" in changes and changes["status"] not in ACTION_STATUSES:
        raise InvalidInput(
            detail=f"unknown status {changes['status']}", detail_nb=f"ukjent status {changes['status']}"
        )
    if "what" in changes:
        if not (changes["what"] or "").strip():
            raise InvalidInput(detail="Say what will be done.", detail_nb="Skriv hva som skal gjøres.")
        changes["what"] = changes["what"].strip()
    if "who" in changes:
        changes["who"] = (changes["who"] or "").strip() or None
    with writing(engine) as connection:
        row = _plannable(connection, actor, item_id)
        done = connection.execute(
            update(action_item)
            .where(action_item.c.id == item_id, action_item.c.row_version == expected_version)
            .values(**changes, updated_at=audit.now(), row_version=action_item.c.row_version + 1)
        ).rowcount
        if done != 1:
            raise Conflict(what="action", what_nb="tiltaket")
        audit.record(
            connection,
            actor.user_id,
            "update",
            "action_item",
            item_id,
            {k: getattr(row, k) for k in changes},
            changes,
        )
    return expected_version + 1


def _plannable(connection: Connection, actor: Actor, item_id: int) -> Any:
    """The action's row, if it exists and the actor may plan for its unit."""
    row = connection.execute(select(action_item).where(action_item.c.id == item_id)).first()
    if row is None:
        raise NotFound(what="action", what_nb="tiltaket", id=item_id)
    require(connection, actor, "plan", row.unit_id)
    return row


def delete_action_item(engine: Engine, actor: Actor, item_id: int, expected_version: int) -> None:
    """Delete an action, with the same rights and the same optimistic lock as a change: the
    row goes only if it is still the version the user saw. The audit log keeps the row."""
    with writing(engine) as connection:
        row = _plannable(connection, actor, item_id)
        done = connection.execute(
            delete(action_item).where(
                action_item.c.id == item_id, action_item.c.row_version == expected_version
            )
        ).rowcount
        if done != 1:
            raise Conflict(what="action", what_nb="tiltaket")
        audit.record(connection, actor.user_id, "delete", "action_item", item_id, row._asdict(), None)


def may_plan(engine: Engine, actor: Actor, unit_id: str) -> bool:
    """Whether the actor may add, change and delete the unit's actions (so a page shows the
    controls only to those the services will let through)."""
    with reading(engine) as connection:
        return may(connection, actor, "plan", unit_id)


def list_action_items(
    engine: Engine, actor: Actor, unit_id: str, cycle_id: int | None = None
) -> pd.DataFrame:
    with reading(engine) as connection:
        require(connection, actor, "read_plans", unit_id)
        rows = action_item_rows(connection, unit_id, cycle_id)
    return pd.DataFrame(rows, columns=[c.name for c in action_item.columns] + ["cycle_label"])


def action_item_rows(
    connection: Connection, unit_id: str, cycle_id: int | None = None
) -> list[dict[str, Any]]:
    """The unit's action items with their cycle's label, oldest first (rights checked by the caller)."""
    query = select(action_item, cycle.c.label.label("cycle_label")).join(
        cycle, cycle.c.id == action_item.c.cycle_id
    )
    query = query.where(action_item.c.unit_id == unit_id)
    if cycle_id is not None:
        query = query.where(action_item.c.cycle_id == cycle_id)
    return [r._asdict() for r in connection.execute(query.order_by(cycle.c.starts_on, action_item.c.id))]
