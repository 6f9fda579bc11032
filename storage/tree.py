"""The unit tree as stored, read: as it stood on a day or during a period, one unit's
history, and the chain above a unit. The one place that walks the tree; `org` changes it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, or_, select

from storage.db import reading
from storage.errors import NotFound
from storage.tables import org_unit, org_unit_version


def ancestors(connection: Connection, unit_id: str) -> list[str]:
    """The unit and every unit above it in the current tree, nearest first."""
    chain, current, seen = [], unit_id, set()
    while current is not None and current not in seen:
        seen.add(current)
        chain.append(current)
        current = connection.execute(
            select(org_unit_version.c.parent_id).where(
                and_(org_unit_version.c.unit_id == current, org_unit_version.c.valid_to.is_(None))
            )
        ).scalar()
    return chain


def tree_during(connection: Connection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Every unit that existed at some time in [start, end), as it was last in that period.

    Columns: unit_id, parent_id, kind, name_nb, name_en, depth, leaf.
    """
    v, u = org_unit_version, org_unit
    rows = connection.execute(
        select(v.c.unit_id, v.c.parent_id, v.c.name_nb, v.c.name_en, v.c.valid_from, u.c.kind)
        .join(u, u.c.id == v.c.unit_id)
        .where(v.c.valid_from < end, or_(v.c.valid_to.is_(None), v.c.valid_to > start))
    ).all()
    frame = pd.DataFrame(rows, columns=["unit_id", "parent_id", "name_nb", "name_en", "valid_from", "kind"])
    frame = frame.sort_values("valid_from").drop_duplicates("unit_id", keep="last").drop(columns="valid_from")
    return with_depth(frame.reset_index(drop=True))


def tree_version(engine: Engine, today: dt.date | None = None) -> str:
    """Changes whenever the tree may have: a new version row of any unit, or a new day (a
    dated change comes into force). Cheap, for keying caches of tree reads."""
    with reading(engine) as connection:
        newest = connection.execute(select(func.max(org_unit_version.c.id))).scalar()
    return f"{newest or 0}/{(today or dt.date.today()).isoformat()}"


def tree_at(connection: Connection, on: dt.date | None = None) -> pd.DataFrame:
    """The tree as it stood on `on` (default today)."""
    on = on or dt.date.today()
    return tree_during(connection, on, on + dt.timedelta(days=1))


def current_tree(engine: Engine) -> pd.DataFrame:
    with reading(engine) as connection:
        return tree_at(connection)


def unit_history(engine: Engine, unit_id: str) -> pd.DataFrame:
    """Every version of one unit: name, parent, from, to, and how each began or ended."""
    with reading(engine) as connection:
        rows = connection.execute(
            select(org_unit_version)
            .where(org_unit_version.c.unit_id == unit_id)
            .order_by(org_unit_version.c.id)
        ).all()
    if not rows:
        raise NotFound(what="unit", what_nb="enheten", id=unit_id)
    return pd.DataFrame([dict(r._mapping) for r in rows]).drop(columns="id")


def with_depth(frame: pd.DataFrame) -> pd.DataFrame:
    parent = dict(zip(frame["unit_id"], frame["parent_id"], strict=True))
    depth: dict[str, int] = {}

    def depth_of(unit: str) -> int:
        chain = []
        while unit not in depth:
            chain.append(unit)
            up = parent.get(unit)
            if up is None or up not in parent or up in chain:
                depth[unit] = 0
                break
            unit = up
        for node in reversed(chain):
            if node not in depth:
                depth[node] = depth[parent[node]] + 1
        return depth[chain[0]] if chain else depth[unit]

    frame["depth"] = [depth_of(u) for u in frame["unit_id"]]
    frame["leaf"] = ~frame["unit_id"].isin(set(frame["parent_id"].dropna()))
    return frame


def subtree(connection: Connection, tops: set[str]) -> set[str]:
    """The units `tops` and every unit below them in today's tree."""
    tree = tree_at(connection)
    children: dict[str, list[str]] = {}
    for unit, parent in zip(tree["unit_id"], tree["parent_id"], strict=True):
        children.setdefault(parent, []).append(unit)
    seen: set[str] = set()
    stack = list(tops)
    while stack:
        unit = stack.pop()
        if unit not in seen:
            seen.add(unit)
            stack.extend(children.get(unit, []))
    return seen
