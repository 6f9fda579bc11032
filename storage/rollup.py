"""The derived tables the dashboards read: `org_node` (the current tree, flattened) and
`node_result` (results added up per node, see scoring.rollup).

They are kept current inside the transaction that changes what they derive from: a new
or changed result or assessment refreshes the unit's rows and those on its path to the
root; a change of the tree, a restore or a bulk load rebuilds them. Reads check the
actor's rights on the node, as every other read of results does.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)

from scoring import rollup as rolled
from scoring.engine import OVERALL
from storage import audit, bulk
from storage.actors import Actor
from storage.db import fetch_rows, is_sqlite, reading, writing
from storage.errors import AccessDenied, NotFound
from storage.permissions import may, reach
from storage.settings import set_setting
from storage.tables import (
    assessment,
    cycle,
    node_result,
    org_node,
    org_unit,
    org_unit_version,
    setting,
    unit_result,
)
from storage.tree import tree_at

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (org_node, node_result)

SETTING = "rollups"
FORMAT = "1"  # bump when the rows' meaning changes: ensure_rollups then rebuilds them
COUNTED = ("submitted", "validated")
RESULT_READ = [  # what a leaf's rollup rows are made from
    c.name for c in unit_result.columns if c.name not in ("questionnaire_version_id", "status", "computed_at")
]


# Keeping them current.


def ensure_rollups(engine: Engine, today: dt.date | None = None) -> None:
    """Rebuild the derived tables when they were made by another format, or on an earlier
    day and a dated change of the tree has come into force since; on a new day with no such
    change, only the day is noted (a national rebuild holds the write lock for minutes)."""
    today = today or dt.date.today()
    wanted = f"{FORMAT}/{today.isoformat()}"
    with reading(engine) as connection:
        made = connection.execute(select(setting.c.value).where(setting.c.key == SETTING)).scalar()
        if made == wanted:
            return
        since = _built_on(made)
        moved = since is None or _tree_changed_between(connection, since, today)
    with writing(engine) as connection:
        if moved:
            rebuild(connection, today)
        else:
            set_setting(connection, SETTING, wanted)


def _built_on(mark: str | None) -> dt.date | None:
    """The day the derived tables were built, from their mark, when built by this format."""
    if mark is None or not mark.startswith(f"{FORMAT}/"):
        return None
    try:
        return dt.date.fromisoformat(mark.removeprefix(f"{FORMAT}/"))
    except ValueError:
        return None


def _tree_changed_between(connection: Connection, since: dt.date, today: dt.date) -> bool:
    """Whether a version of a unit began or ended after `since` and by `today`."""
    v = org_unit_version
    found = connection.execute(
        select(v.c.id)
        .where(
            or_(
                and_(v.c.valid_from > since, v.c.valid_from <= today),
                and_(v.c.valid_to > since, v.c.valid_to <= today),
            )
        )
        .limit(1)
    ).first()
    return found is not None or today < since


def rebuild(connection: Connection, today: dt.date | None = None) -> None:
    """Make both derived tables again from the tree and every stored result and assessment."""
    tree = _flatten(tree_at(connection, today))
    connection.execute(delete(org_node))
    connection.execute(delete(node_result))
    if not tree.empty:
        connection.execute(insert(org_node), tree.to_dict("records"))
    nodes = tree.to_dict("records")
    places = {n["unit_id"]: n for n in nodes}
    order = _cycle_order(connection)
    before: list[dict[str, Any]] = []  # the overall rows of the cycle before, for the change
    for cycle_id in order:  # one cycle at a time keeps a national rebuild's memory small
        query = select(*(unit_result.c[c] for c in RESULT_READ)).where(unit_result.c.cycle_id == cycle_id)
        _, rows = fetch_rows(connection, query)
        results = [dict(zip(RESULT_READ, r, strict=True)) for r in rows]
        completion = _completion(connection, cycles=[cycle_id])
        leaves = rolled.leaf_rows([*before, *results], completion, order, [cycle_id])
        if nodes and leaves:
            _insert(connection, rolled.rollup(nodes, leaves), places)
        before = [r for r in results if str(r["dimension_id"]) == OVERALL]
    set_setting(connection, SETTING, f"{FORMAT}/{(today or dt.date.today()).isoformat()}")


STALE = "stale"


def set_stale(connection: Connection) -> str | None:
    """Mark the derived tables as behind until `refresh_beside` has caught up (so a
    process that dies between the two leaves them to be rebuilt at the next start); returns
    the mark it replaced, for `refresh_beside` to put back."""
    made = connection.execute(select(setting.c.value).where(setting.c.key == SETTING)).scalar()
    set_setting(connection, SETTING, STALE)
    return made


LATE_MARGIN = dt.timedelta(seconds=5)  # clocks of other app servers may lag this one's a little


def refresh_beside(engine: Engine, pairs: set[tuple[str, int]], mark: str | None = None) -> None:
    """`node_result` made again for many units at once after a bulk change (an import), in
    each of their cycles and the cycle after (whose change depends on it): the units' own
    rows and those of every node above them, each node combined once from its children,
    where refreshing unit by unit would repeat the work above them many times over.

    The app goes on beside it: the rows are made from a snapshot, outside the write lock;
    the write transaction then changes only the rows that differ from those stored, and
    refreshes the units that changed meanwhile (a leader who sent in during the work), so
    no newer row is overwritten by an older one."""
    since = audit.now() - LATE_MARGIN
    with reading(engine) as connection:
        seen = _recent_changes(connection, since)
        order = _cycle_order(connection)
        by_cycle: dict[int, set[str]] = {}
        for unit_id, cycle_id in pairs:
            if cycle_id in order:
                at = order.index(cycle_id)
                for later in order[at : at + 2]:
                    by_cycle.setdefault(later, set()).add(unit_id)
        nodes = [r._asdict() for r in connection.execute(select(org_node))]
        made: dict[tuple[int, str, str], dict[str, Any]] = {}
        stored: dict[tuple[int, str, str], dict[str, Any]] = {}
        for cycle_id, units in sorted(by_cycle.items(), key=lambda item: order.index(item[0])):
            rows, covered = _made_for(connection, nodes, order, cycle_id, units)
            for row in rows:
                made[(row["cycle_id"], row["node_id"], row["dimension_id"])] = row
            for start in range(0, len(covered), 500):
                chunk = covered[start : start + 500]
                for row in _records(
                    connection, and_(node_result.c.cycle_id == cycle_id, node_result.c.node_id.in_(chunk))
                ):
                    stored[(row["cycle_id"], row["node_id"], row["dimension_id"])] = row
    places = {n["unit_id"]: n for n in nodes}
    differ: dict[int, set[str]] = {}  # per cycle, the nodes with a row made, changed or gone
    for key in stored.keys() | made.keys():
        if key not in made or key not in stored or not _same(made[key], stored[key]):
            differ.setdefault(key[0], set()).add(key[1])
    rows = [row for key, row in made.items() if key[1] in differ.get(key[0], ())]
    with writing(engine) as connection:
        for cycle_id, changed_nodes in differ.items():
            ids = sorted(changed_nodes)
            for start in range(0, len(ids), 500):
                connection.execute(
                    delete(node_result).where(
                        node_result.c.cycle_id == cycle_id,
                        node_result.c.node_id.in_(ids[start : start + 500]),
                    )
                )
        if rows:
            _insert(connection, rows, places)
        now_seen = _recent_changes(connection, since)
        late = {pair for pair, moment in now_seen.items() if seen.get(pair) != moment}
        for unit_id, cycle_id in sorted(late):
            refresh(connection, unit_id, cycle_id)
        now = connection.execute(select(setting.c.value).where(setting.c.key == SETTING)).scalar()
        if mark is not None and now == STALE:
            set_setting(connection, SETTING, mark)


def _recent_changes(connection: Connection, since: dt.datetime) -> dict[tuple, Any]:
    """Per unit and cycle changed since `since` (a result made, an assessment saved), the
    latest change: what differs between two reads was changed in between."""
    found: dict[tuple, Any] = {}
    for table, column in ((unit_result, unit_result.c.computed_at), (assessment, assessment.c.updated_at)):
        rows = connection.execute(
            select(table.c.unit_id, table.c.cycle_id, func.max(column))
            .where(column >= since)
            .group_by(table.c.unit_id, table.c.cycle_id)
        ).all()
        for unit_id, cycle_id, moment in rows:
            key = (unit_id, cycle_id)
            found[key] = max(found.get(key, moment), moment)
    return found


def _made_for(
    connection: Connection, nodes: list[dict[str, Any]], order: list[int], cycle_id: int, units: set[str]
) -> tuple[list[dict], list[str]]:
    """The rows of `units` (leaves) and of every node above them for one cycle, and the nodes
    they cover: the units' from their stored results and assessments, each node above from
    its children, those not made again read as stored."""
    place = {n["unit_id"]: n for n in nodes}
    leaves = sorted(u for u in units if u in place and place[u]["leaf"])
    above = {a for u in leaves for a in _path_ids(place[u]["path"])[:-1]}
    at = order.index(cycle_id)
    cycles = order[max(at - 1, 0) : at + 1]
    results: list[dict[str, Any]] = []
    for start in range(0, len(leaves), 500):
        query = select(*(unit_result.c[c] for c in RESULT_READ)).where(
            unit_result.c.cycle_id.in_(cycles), unit_result.c.unit_id.in_(leaves[start : start + 500])
        )
        _, rows = fetch_rows(connection, query)
        results += [dict(zip(RESULT_READ, r, strict=True)) for r in rows]
    before = [r for r in results if r["cycle_id"] != cycle_id and str(r["dimension_id"]) == OVERALL]
    current = [r for r in results if r["cycle_id"] == cycle_id]
    completion = _completion(connection, cycles=[cycle_id])
    wanted = set(leaves)
    made = rolled.leaf_rows(
        [*before, *current], {k: v for k, v in completion.items() if k[1] in wanted}, order, [cycle_id]
    )
    others: dict[str, list[dict[str, Any]]] = {}  # the rows of children not made again
    parents = sorted(above)
    for start in range(0, len(parents), 500):
        for row in _records(
            connection,
            and_(
                node_result.c.cycle_id == cycle_id, node_result.c.parent_id.in_(parents[start : start + 500])
            ),
        ):
            if row["node_id"] not in wanted and row["node_id"] not in above:
                others.setdefault(row["parent_id"], []).append(row)
    new: dict[str, list[dict[str, Any]]] = {}
    for row in made:
        new.setdefault(place[row["node_id"]]["parent_id"], []).append(row)
    for node_id in sorted(above, key=lambda n: -place[n]["depth"]):
        rows = rolled.combine([*others.get(node_id, []), *new.get(node_id, [])], node_id)
        made += rows
        new.setdefault(place[node_id]["parent_id"], []).extend(rows)
    return made, sorted(wanted | above)


def _same(made: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether a made row holds what the stored one does (sums added in another order may
    differ in the last bits)."""
    for column in rolled.COLUMNS:
        a, b = made[column], stored[column]
        if isinstance(a, float) or isinstance(b, float):
            if a != b and (a is None or b is None or abs(a - b) > 1e-9):
                return False
        elif (a or None) != (b or None):  # an empty count and none are the same
            return False
    return True


def refresh(connection: Connection, unit_id: str, cycle_id: int) -> None:
    """Recompute a unit's rows for a cycle (and the cycle after it, whose change depends on
    this one), then every node above it, nearest first."""
    node = connection.execute(select(org_node).where(org_node.c.unit_id == unit_id)).first()
    if node is None or not node.leaf:
        return  # not in the current tree, or not a leaf: no dashboard adds it up
    order = _cycle_order(connection)
    if cycle_id not in order:
        return
    at = order.index(cycle_id)
    cycles = order[at : at + 2]
    ancestors = _path_ids(node.path)[:-1]
    _lock(connection, ancestors)
    wanted = order[max(at - 1, 0) : at + 2]
    rows = connection.execute(
        select(*(unit_result.c[c] for c in RESULT_READ)).where(
            unit_result.c.unit_id == unit_id, unit_result.c.cycle_id.in_(wanted)
        )
    ).all()
    leaves = rolled.leaf_rows(
        [r._asdict() for r in rows], _completion(connection, unit_id, cycles), order, cycles
    )
    path = [*ancestors, unit_id]
    places = {
        r.unit_id: r._asdict()
        for r in connection.execute(select(org_node).where(org_node.c.unit_id.in_(path)))
    }
    # every child row of every node on the path, read at once; then each node, nearest
    # first, is combined from its children with the newly made rows put in
    siblings: dict[str, list[dict[str, Any]]] = {}
    for row in _records(
        connection, and_(node_result.c.parent_id.in_(ancestors), node_result.c.cycle_id.in_(cycles))
    ):
        siblings.setdefault(row["parent_id"], []).append(row)
    made, fresh = leaves, list(leaves)
    for below, ancestor in zip(reversed(path), reversed(ancestors), strict=False):
        children = [r for r in siblings.get(ancestor, []) if r["node_id"] != below] + made
        made = rolled.combine(children, ancestor)
        fresh += made
    connection.execute(
        delete(node_result).where(node_result.c.node_id.in_(path), node_result.c.cycle_id.in_(cycles))
    )
    if fresh:
        _insert(connection, fresh, places)


def follow_unit(connection: Connection, unit_id: str, today: dt.date | None = None) -> None:
    """Bring the derived tables in line with a change of one unit (renamed, moved, created,
    closed or merged), touching only its row, the rows of a moved subtree and the nodes
    above it on its old and new path: a change of the tree costs what changed, not a
    rebuild. Where a node with results of its own would start or stop being a leaf, or a
    unit comes back with results, everything is rebuilt instead."""
    today = today or dt.date.today()
    now = _unit_on(connection, unit_id, today)
    old = _node(connection, unit_id)
    if now is None and old is None:
        return  # not in today's tree before or after (a change dated ahead: the day's rebuild follows)
    if old is not None and now is not None and old["parent_id"] == now["parent_id"]:
        if (old["name_nb"], old["name_en"]) != (now["name_nb"], now["name_en"]):  # renamed: its row alone
            connection.execute(
                update(org_node)
                .where(org_node.c.unit_id == unit_id)
                .values(name_nb=now["name_nb"], name_en=now["name_en"])
            )
        return
    parent = None if now is None or now["parent_id"] is None else _node(connection, now["parent_id"])
    if now is not None and now["parent_id"] is not None and parent is None:
        rebuild(connection, today)
        return
    path = f"{parent['path'] if parent else '/'}{unit_id}/" if now is not None else None
    if old is not None and now is not None and old["path"] == path:
        if (old["name_nb"], old["name_en"]) != (now["name_nb"], now["name_en"]):
            connection.execute(
                update(org_node)
                .where(org_node.c.unit_id == unit_id)
                .values(name_nb=now["name_nb"], name_en=now["name_en"])
            )
        return
    # a node that gets its first child, or loses its last, changes from leaf to sum or back:
    # followed here when it has no results of its own (a section), else by a rebuild
    gains = parent if parent is not None and parent["leaf"] else None
    loses = (
        _node(connection, old["parent_id"])
        if old is not None and old["parent_id"] is not None and _only_child(connection, old)
        else None
    )
    if (
        (gains is not None and _has_results(connection, gains["unit_id"]))
        or (loses is not None and _has_results(connection, loses["unit_id"]))
        or (old is None and _has_results(connection, unit_id))
        or (now is None and old is not None and not old["leaf"])
    ):
        rebuild(connection, today)
        return
    above_before = _path_ids(old["path"])[:-1] if old is not None else []
    above_now = _path_ids(path)[:-1] if path is not None else []
    if gains is not None:  # it counted as one leaf; now its leaves are those below it
        connection.execute(
            update(org_node).where(org_node.c.unit_id == gains["unit_id"]).values(leaf=False, leaves=0)
        )
        _count_leaves(connection, above_now[:-1], -1)
    if loses is not None:  # the other way round, once the unit has left it
        connection.execute(
            update(org_node).where(org_node.c.unit_id == loses["unit_id"]).values(leaf=True, leaves=1)
        )
        _count_leaves(connection, above_before[:-1], 1)
        above_before.remove(loses["unit_id"])  # a leaf counts itself: 1
        connection.execute(delete(node_result).where(node_result.c.node_id == loses["unit_id"]))
    depth = {n: i for i, n in enumerate(above_before)} | {n: i for i, n in enumerate(above_now)}
    _lock(connection, sorted(depth, key=lambda n: (depth[n], n)))  # root first, as refresh locks
    if old is None:
        connection.execute(
            insert(org_node).values(
                unit_id=unit_id,
                parent_id=now["parent_id"],
                kind=now["kind"],
                name_nb=now["name_nb"],
                name_en=now["name_en"],
                depth=0 if parent is None else parent["depth"] + 1,
                path=path,
                leaf=True,
                leaves=1,
            )
        )
        _count_leaves(connection, above_now, 1)
        return  # no results yet: the sums above stay
    if now is None:
        part = _records(connection, node_result.c.node_id == unit_id)
        connection.execute(delete(node_result).where(node_result.c.node_id == unit_id))
        connection.execute(delete(org_node).where(org_node.c.unit_id == unit_id))
        _count_leaves(connection, above_before, -1)
        _shift(connection, part, above_before, -1)
        return
    # moved: the subtree's paths and depths follow, and the sums on both paths
    length = len(old["path"])
    moved_path = literal(path) + func.substr(org_node.c.path, length + 1)
    new_depth = 0 if parent is None else parent["depth"] + 1
    connection.execute(
        update(org_node)
        .where(
            org_node.c.unit_id == unit_id
            if old["leaf"]
            else org_node.c.path.startswith(old["path"], autoescape=True)
        )
        .values(path=moved_path, depth=org_node.c.depth + (new_depth - old["depth"]))
    )
    connection.execute(
        update(org_node)
        .where(org_node.c.unit_id == unit_id)
        .values(parent_id=now["parent_id"], name_nb=now["name_nb"], name_en=now["name_en"])
    )
    subtree = (
        [unit_id]
        if old["leaf"]
        else list(
            connection.execute(
                select(org_node.c.unit_id).where(org_node.c.path.startswith(path, autoescape=True))
            ).scalars()
        )
    )
    for start in range(0, len(subtree), 500):  # by node, through its index, not a scan of every path
        connection.execute(
            update(node_result)
            .where(node_result.c.node_id.in_(subtree[start : start + 500]))
            .values(path=literal(path) + func.substr(node_result.c.path, length + 1))
        )
    connection.execute(
        update(node_result).where(node_result.c.node_id == unit_id).values(parent_id=now["parent_id"])
    )
    _count_leaves(connection, above_before, -old["leaves"])
    _count_leaves(connection, above_now, old["leaves"])
    part = _records(connection, node_result.c.node_id == unit_id)
    _shift(connection, part, [n for n in above_before if n not in above_now], -1)  # common ones: no change
    _shift(connection, part, [n for n in above_now if n not in above_before], 1)


def _unit_on(connection: Connection, unit_id: str, day: dt.date) -> dict[str, Any] | None:
    """The unit's version in force on `day`, with its kind; None when it is not in the tree."""
    v = org_unit_version
    row = connection.execute(
        select(v.c.parent_id, v.c.name_nb, v.c.name_en, org_unit.c.kind)
        .join(org_unit, org_unit.c.id == v.c.unit_id)
        .where(
            v.c.unit_id == unit_id,
            v.c.valid_from <= day,
            or_(v.c.valid_to.is_(None), v.c.valid_to > day),
        )
        .order_by(v.c.valid_from.desc())
        .limit(1)
    ).first()
    return None if row is None else row._asdict()


def _node(connection: Connection, unit_id: str) -> dict[str, Any] | None:
    row = connection.execute(select(org_node).where(org_node.c.unit_id == unit_id)).first()
    return None if row is None else row._asdict()


def _only_child(connection: Connection, node: dict[str, Any]) -> bool:
    """Whether `node` is its parent's only child (the parent would become a leaf without it)."""
    siblings = connection.execute(
        select(func.count()).where(org_node.c.parent_id == node["parent_id"])
    ).scalar_one()
    return siblings == 1


def _has_results(connection: Connection, unit_id: str) -> bool:
    return (
        connection.execute(
            select(unit_result.c.unit_id).where(unit_result.c.unit_id == unit_id).limit(1)
        ).first()
        is not None
        or connection.execute(select(assessment.c.id).where(assessment.c.unit_id == unit_id).limit(1)).first()
        is not None
    )


def _count_leaves(connection: Connection, nodes: list[str], step: int) -> None:
    if nodes and step:
        connection.execute(
            update(org_node).where(org_node.c.unit_id.in_(nodes)).values(leaves=org_node.c.leaves + step)
        )


def _shift(connection: Connection, part: list[dict[str, Any]], nodes: list[str], sign: int) -> None:
    """Add (`sign` 1) or take away (-1) a moved or closed node's rows in each of `nodes`,
    from their own rows; where only the children can tell (scoring.rollup.shifted), those
    rows are made again from the children, deepest node first."""
    if not part or not nodes:
        return
    cycles = sorted({r["cycle_id"] for r in part})
    places = {
        r.unit_id: r._asdict()
        for r in connection.execute(select(org_node).where(org_node.c.unit_id.in_(nodes)))
    }
    stored = {
        (r["node_id"], r["cycle_id"], r["dimension_id"]): r
        for r in _records(
            connection, and_(node_result.c.node_id.in_(nodes), node_result.c.cycle_id.in_(cycles))
        )
    }
    pending: list[str] = []  # nodes whose rows of these cycles are to be replaced by `rows`
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        if pending:
            connection.execute(
                delete(node_result).where(
                    node_result.c.node_id.in_(pending), node_result.c.cycle_id.in_(cycles)
                )
            )
        if rows:
            _insert(connection, rows, places)
        pending.clear()
        rows.clear()

    for node_id in sorted(places, key=lambda n: -places[n]["depth"]):
        made, unknown = [], []
        for piece in part:
            key = (node_id, piece["cycle_id"], piece["dimension_id"])
            row = rolled.shifted(stored.get(key), piece, sign, node_id)
            (unknown if row is None else made).append((key, row))
        if unknown:
            flush()  # the children's rows, deeper nodes' included, as they now are
            made += _from_children(connection, node_id, [key for key, _ in unknown])
        remade = {key for key, _ in made}
        pending.append(node_id)  # its rows of these cycles come back, changed or as they were
        rows += [row for _, row in made if row is not None]
        rows += [row for key, row in stored.items() if key[0] == node_id and key not in remade]
    flush()


def _from_children(
    connection: Connection, node_id: str, keys: list[tuple[str, int, str]]
) -> list[tuple[tuple[str, int, str], dict[str, Any] | None]]:
    """The node's rows for these (node, cycle, dimension) keys, combined from its children's;
    None for a key no child has any more."""
    children = list(
        connection.execute(select(org_node.c.unit_id).where(org_node.c.parent_id == node_id)).scalars()
    )
    cycles = sorted({k[1] for k in keys})
    rows = (
        _records(connection, and_(node_result.c.node_id.in_(children), node_result.c.cycle_id.in_(cycles)))
        if children
        else []
    )
    wanted = {(k[1], k[2]) for k in keys}
    combined = {
        (r["cycle_id"], r["dimension_id"]): r
        for r in rolled.combine([r for r in rows if (r["cycle_id"], r["dimension_id"]) in wanted], node_id)
    }
    return [(key, combined.get((key[1], key[2]))) for key in keys]


def _flatten(tree: pd.DataFrame) -> pd.DataFrame:
    """org_node rows from a tree with depth and leaf: paths and leaf counts added."""
    if tree.empty:
        return pd.DataFrame(columns=[c.name for c in org_node.columns])
    parent = dict(zip(tree["unit_id"], tree["parent_id"], strict=True))
    paths: dict[str, str] = {}

    def path_of(unit: str) -> str:
        chain = []
        while unit is not None and unit not in paths:
            chain.append(unit)
            up = parent.get(unit)
            unit = up if up in parent and up not in chain else None
        base = paths[unit] if unit is not None else "/"
        for node in reversed(chain):
            base = paths.setdefault(node, f"{base}{node}/")
        return paths[chain[0]] if chain else paths[unit]

    frame = tree.copy()
    frame["path"] = [path_of(u) for u in frame["unit_id"]]
    leaves = frame.loc[frame["leaf"], "path"]
    counts: dict[str, int] = {}
    for path in leaves:
        for ancestor in _path_ids(path):
            counts[ancestor] = counts.get(ancestor, 0) + 1
    frame["leaves"] = frame["unit_id"].map(counts).fillna(0).astype("int64")
    frame["parent_id"] = frame["parent_id"].where(frame["parent_id"].isin(set(parent)), None)
    frame["depth"] = frame["depth"].astype("int64")
    frame["leaf"] = frame["leaf"].astype(bool)
    columns = [c.name for c in org_node.columns]
    return frame[columns].astype(object).where(frame[columns].notna(), None)


def _path_ids(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


def _cycle_order(connection: Connection) -> list[int]:
    return list(connection.execute(select(cycle.c.id).order_by(cycle.c.starts_on, cycle.c.id)).scalars())


def _completion(
    connection: Connection, unit_id: str | None = None, cycles: list[int] | None = None
) -> pd.DataFrame:
    """Per unit and cycle with assessments: submitted (a counted one) or drafts (none counted)."""
    done = func.max(case((assessment.c.status.in_(COUNTED), 1), else_=0))
    query = select(assessment.c.cycle_id, assessment.c.unit_id, done.label("done")).group_by(
        assessment.c.cycle_id, assessment.c.unit_id
    )
    if unit_id is not None:
        query = query.where(assessment.c.unit_id == unit_id)
    if cycles is not None:
        query = query.where(assessment.c.cycle_id.in_(cycles))
    _, rows = fetch_rows(connection, query)
    return {(cycle_id, unit): bool(done) for cycle_id, unit, done in rows}


def _lock(connection: Connection, nodes: list[str]) -> None:
    """Serialise refreshes of the same nodes, root first so no two wait on each other
    (SQLite serialises every write anyway)."""
    if is_sqlite(connection.engine):
        return
    for node in nodes:
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"node/{node}"})


def _insert(connection: Connection, rows: list[dict], places: dict[str, dict]) -> None:
    """Store rollup rows, with each node's parent, path and leaf flag from `places`."""
    records = []
    for row in rows:
        place = places[row["node_id"]]
        record = {k: row[k] for k in rolled.COLUMNS} | {
            "parent_id": place["parent_id"],
            "path": place["path"],
            "leaf": bool(place["leaf"]),
        }
        for column in rolled.COUNTS:
            if record[column] is not None:
                record[column] = json.dumps(record[column], sort_keys=True)
        records.append(record)
    columns = [c.name for c in node_result.columns]
    bulk.insert_rows(connection, node_result, columns, [tuple(r[c] for c in columns) for r in records])


def _records(connection: Connection, where: Any, counts: bool = True) -> list[dict[str, Any]]:
    """node_result rows as scoring.rollup rows with their parent_id: the count dicts
    decoded, or None when `counts` is false (decoding them is the slow part)."""
    read = [c for c in rolled.COLUMNS if counts or c not in rolled.COUNTS] + ["parent_id"]
    found = connection.execute(select(*(node_result.c[c] for c in read)).where(where)).all()
    rows = [dict(zip(read, r, strict=True)) for r in found]
    for row in rows:
        for column in rolled.COUNTS:
            value = row.get(column)
            row[column] = json.loads(value) if isinstance(value, str) else None
    return rows


# Reading, for the dashboards.


class Node(NamedTuple):
    """A node as a dashboard shows it: itself, the way down to it from the highest node the
    actor may read, and its children by name."""

    unit_id: str
    name_nb: str
    name_en: str
    kind: str
    leaf: bool
    leaves: int
    trail: list[dict[str, Any]]
    children: list[dict[str, Any]]


def leaf_units(engine: Engine, unit_id: str) -> list[str]:
    """The units at the bottom of the current tree under a node (the node itself if it is
    one), by id; NotFound for a node not in the current tree."""
    with reading(engine) as connection:
        found = connection.execute(select(org_node.c.path).where(org_node.c.unit_id == unit_id)).scalar()
        if found is None:
            raise NotFound(what="unit", what_nb="enheten", id=unit_id)
        return list(
            connection.execute(
                select(org_node.c.unit_id)
                .where(org_node.c.leaf.is_(True), org_node.c.path.startswith(found, autoescape=True))
                .order_by(org_node.c.unit_id)
            ).scalars()
        )


def top_nodes(engine: Engine, actor: Actor) -> list[str]:
    """The highest nodes the actor may read: the roots for an admin or an organisation-wide
    role, else the units of their grants that are in the tree."""
    tops = reach(actor, "read_results")
    with reading(engine) as connection:
        if tops is None:
            query = select(org_node.c.unit_id).where(org_node.c.parent_id.is_(None))
        else:
            query = select(org_node.c.unit_id).where(org_node.c.unit_id.in_(sorted(tops)))
        return sorted(connection.execute(query).scalars())


def node(engine: Engine, actor: Actor, unit_id: str) -> Node:
    with reading(engine) as connection:
        _require(connection, actor, unit_id)
        row = connection.execute(select(org_node).where(org_node.c.unit_id == unit_id)).first()
        if row is None:
            raise NotFound(what="unit", what_nb="enheten", id=unit_id)
        steps = _path_ids(row.path)
        named = {
            r.unit_id: r._asdict()
            for r in connection.execute(select(org_node).where(org_node.c.unit_id.in_(steps)))
        }
        trail = [named[s] for s in steps if s in named]
        while len(trail) > 1 and not may(connection, actor, "read_results", trail[0]["unit_id"]):
            trail = trail[1:]
        children = [
            r._asdict()
            for r in connection.execute(
                select(org_node).where(org_node.c.parent_id == unit_id).order_by(org_node.c.name_nb)
            )
        ]
    return Node(row.unit_id, row.name_nb, row.name_en, row.kind, bool(row.leaf), row.leaves, trail, children)


def node_rows(engine: Engine, actor: Actor, unit_id: str) -> list[dict[str, Any]]:
    """The node's own rollup rows in every cycle (scoring.rollup rows)."""
    with reading(engine) as connection:
        _require(connection, actor, unit_id)
        return _records(connection, node_result.c.node_id == unit_id)


def child_rows(engine: Engine, actor: Actor, unit_id: str, cycle_id: int) -> list[dict[str, Any]]:
    """The rollup rows of the node's children in one cycle, without the count dicts (None)."""
    with reading(engine) as connection:
        _require(connection, actor, unit_id)
        where = and_(node_result.c.parent_id == unit_id, node_result.c.cycle_id == cycle_id)
        return _records(connection, where, counts=False)


def movers(
    engine: Engine, actor: Actor, unit_id: str, cycle_id: int, limit: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The units under the node whose overall score rose most, and those whose score fell
    most, since the cycle before, largest change first: unit_id, name_nb, name_en, before,
    after, change."""
    with reading(engine) as connection:
        _require(connection, actor, unit_id)
        path = connection.execute(select(org_node.c.path).where(org_node.c.unit_id == unit_id)).scalar()
        if path is None:
            return [], []
        base = and_(
            node_result.c.cycle_id == cycle_id,
            node_result.c.dimension_id == OVERALL,
            node_result.c.leaf.is_(True),
            node_result.c.change_units == 1,
            func.substr(node_result.c.path, 1, len(path)) == path,
        )
        columns = (
            node_result.c.node_id,
            node_result.c.score_sum,
            node_result.c.change_sum,
            org_node.c.name_nb,
            org_node.c.name_en,
        )
        joined = node_result.join(org_node, org_node.c.unit_id == node_result.c.node_id)
        up = connection.execute(
            select(*columns)
            .select_from(joined)
            .where(base, node_result.c.change_sum > 0)
            .order_by(node_result.c.change_sum.desc())
            .limit(limit)
        ).all()
        down = connection.execute(
            select(*columns)
            .select_from(joined)
            .where(base, node_result.c.change_sum < 0)
            .order_by(node_result.c.change_sum)
            .limit(limit)
        ).all()

    def moved(r: Any) -> dict[str, Any]:
        return {
            "unit_id": r.node_id,
            "name_nb": r.name_nb,
            "name_en": r.name_en,
            "before": r.score_sum - r.change_sum,
            "after": r.score_sum,
            "change": r.change_sum,
        }

    return [moved(r) for r in up], [moved(r) for r in down]


def not_started(
    engine: Engine, actor: Actor, unit_id: str, cycle_id: int, limit: int
) -> list[dict[str, Any]]:
    """The first `limit` leaf units under the node (by id) with no assessment in the cycle:
    unit_id, name_nb, name_en."""
    with reading(engine) as connection:
        _require(connection, actor, unit_id)
        path = connection.execute(select(org_node.c.path).where(org_node.c.unit_id == unit_id)).scalar()
        if path is None:
            return []
        started = select(assessment.c.unit_id).where(assessment.c.cycle_id == cycle_id)
        query = (
            select(org_node.c.unit_id, org_node.c.name_nb, org_node.c.name_en)
            .where(
                org_node.c.leaf.is_(True),
                func.substr(org_node.c.path, 1, len(path)) == path,
                org_node.c.unit_id.not_in(started),
            )
            .order_by(org_node.c.unit_id)
            .limit(limit)
        )
        return [r._asdict() for r in connection.execute(query)]


STATUS_RANK = {"draft": 1, "returned": 2, "submitted": 3, "validated": 4}


def units_with_results(engine: Engine, actor: Actor, unit_id: str, cycle_ids: list[int]) -> int:
    """How many distinct leaf units under the node have a score in at least one of the
    cycles (a unit scored in five cycles counts once). When one cycle alone holds every
    leaf, that is the answer, without reading the leaves."""
    with reading(engine) as connection:
        _require(connection, actor, unit_id)
        node = connection.execute(
            select(org_node.c.path, org_node.c.leaves).where(org_node.c.unit_id == unit_id)
        ).first()
        if node is None or not cycle_ids:
            return 0
        most = connection.execute(
            select(func.max(node_result.c.units)).where(
                node_result.c.node_id == unit_id,
                node_result.c.cycle_id.in_(cycle_ids),
                node_result.c.dimension_id == OVERALL,
            )
        ).scalar()
        if most is None or int(most) in (0, int(node.leaves)) or len(cycle_ids) == 1:
            return int(most or 0)
        scored = (
            select(node_result.c.node_id)
            .where(
                node_result.c.node_id == org_node.c.unit_id,
                node_result.c.cycle_id.in_(cycle_ids),
                node_result.c.dimension_id == OVERALL,
                node_result.c.units > 0,
            )
            .exists()
        )
        return int(
            connection.execute(
                select(func.count())
                .select_from(org_node)
                .where(
                    org_node.c.leaf.is_(True),
                    func.substr(org_node.c.path, 1, len(node.path)) == node.path,
                    scored,
                )
            ).scalar_one()
        )


def unit_statuses(
    engine: Engine, actor: Actor, unit_id: str, cycle_id: int, language: str
) -> list[dict[str, Any]]:
    """Every leaf unit under the node (the node itself if a leaf) with where it stands in
    the cycle, in the order of the tree (parents before children, siblings by name in
    `language`): unit_id, name, place (the names of the nodes between the node and the
    unit), status (not_started, draft, returned, submitted or validated: the furthest any
    of its assessments in the cycle has come) and stage (the roadmap stage reached by its
    result; None without one)."""
    name = org_node.c.name_nb if language == "nb" else org_node.c.name_en
    with reading(engine) as connection:
        _require(connection, actor, unit_id)
        path = connection.execute(select(org_node.c.path).where(org_node.c.unit_id == unit_id)).scalar()
        if path is None:
            return []
        below = func.substr(org_node.c.path, 1, len(path)) == path
        names = dict(
            connection.execute(
                select(org_node.c.unit_id, name).where(below, org_node.c.leaf.is_(False))
            ).all()
        )
        rank = case(*((assessment.c.status == s, n) for s, n in STATUS_RANK.items()), else_=0)
        furthest = (  # by the (cycle_id, unit_id) index, one unit at a time
            select(func.max(rank))
            .where(assessment.c.cycle_id == cycle_id, assessment.c.unit_id == org_node.c.unit_id)
            .scalar_subquery()
        )
        _, rows = fetch_rows(
            connection,
            select(org_node.c.unit_id, name, org_node.c.path, furthest, node_result.c.stages)
            .select_from(
                org_node.outerjoin(
                    node_result,
                    and_(
                        node_result.c.node_id == org_node.c.unit_id,
                        node_result.c.cycle_id == cycle_id,
                        node_result.c.dimension_id == OVERALL,
                    ),
                )
            )
            .where(below, org_node.c.leaf.is_(True)),
        )
    statuses = {n: s for s, n in STATUS_RANK.items()}
    skip = len(_path_ids(path))  # the nodes down to and with the chosen one
    units = []
    for unit, unit_name, unit_path, status, stages in rows:
        between = [names.get(step, step) for step in _path_ids(unit_path)[skip:-1]]
        reached = json.loads(stages) if isinstance(stages, str) and stages else {}
        units.append(
            {
                "unit_id": unit,
                "name": unit_name,
                "place": between,
                "status": statuses.get(int(status or 0), "not_started"),
                "stage": int(next(iter(reached))) if reached else None,
            }
        )
    units.sort(key=lambda u: (*u["place"], u["name"], u["unit_id"]))
    return units


def tree_order(engine: Engine, unit_ids: list[str], language: str) -> list[str]:
    """The units in the order of the tree: parents before children, siblings by name in
    `language` (units not in the current tree last, by id). For short lists, such as the
    units that moved most."""
    name = org_node.c.name_nb if language == "nb" else org_node.c.name_en
    with reading(engine) as connection:
        paths = dict(
            connection.execute(
                select(org_node.c.unit_id, org_node.c.path).where(org_node.c.unit_id.in_(unit_ids))
            ).all()
        )
        steps = {step for path in paths.values() for step in _path_ids(path)}
        names = dict(
            connection.execute(select(org_node.c.unit_id, name).where(org_node.c.unit_id.in_(steps))).all()
        )

    def key(unit: str) -> tuple[int, list[str]]:
        if unit not in paths:
            return (1, [unit])
        return (0, [f"{names.get(step, step)}\x00{step}" for step in _path_ids(paths[unit])])

    return sorted(unit_ids, key=key)


def units_under(engine: Engine, actor: Actor, unit_id: str, limit: int) -> list[dict[str, Any]] | None:
    """The leaf units under the node (the node itself if a leaf) by name; None when there are
    more than `limit`."""
    with reading(engine) as connection:
        _require(connection, actor, unit_id)
        row = connection.execute(select(org_node).where(org_node.c.unit_id == unit_id)).first()
        if row is None:
            return []
        if row.leaves > limit:
            return None
        columns = (org_node.c.unit_id, org_node.c.name_nb, org_node.c.name_en, org_node.c.leaf)
        found = [row] if row.leaf else []
        frontier = [] if row.leaf else [unit_id]
        while frontier:  # one level down at a time, by the parent index
            below = connection.execute(select(*columns).where(org_node.c.parent_id.in_(frontier))).all()
            found += [r for r in below if r.leaf]
            frontier = [r.unit_id for r in below if not r.leaf]
        return sorted(
            ({"unit_id": r.unit_id, "name_nb": r.name_nb, "name_en": r.name_en} for r in found),
            key=lambda u: u["name_nb"],
        )


def _require(connection: Connection, actor: Actor, unit_id: str) -> None:
    if not may(connection, actor, "read_results", unit_id):
        raise AccessDenied(what="read this unit's results", what_nb="lese enhetens resultater")


def unit_names(engine: Engine, unit_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Unit id -> (name in bokmål, name in English), for units in the current tree."""
    with reading(engine) as connection:
        rows = connection.execute(
            select(org_node.c.unit_id, org_node.c.name_nb, org_node.c.name_en).where(
                org_node.c.unit_id.in_(unit_ids)
            )
        )
        return {r.unit_id: (r.name_nb, r.name_en) for r in rows}


def completion(engine: Engine, actor: Actor, node_ids: list[str], cycle_id: int) -> list[dict[str, Any]]:
    """Per node the actor may read: its name, leaf units, and how many sent in or started
    in the cycle (from the overall rollup row)."""
    with reading(engine) as connection:
        for node_id in node_ids:
            _require(connection, actor, node_id)
        nodes = connection.execute(
            select(org_node.c.unit_id, org_node.c.name_nb, org_node.c.name_en, org_node.c.leaves).where(
                org_node.c.unit_id.in_(node_ids)
            )
        ).all()
        done = {
            r.node_id: r
            for r in connection.execute(
                select(node_result.c.node_id, node_result.c.submitted, node_result.c.drafts).where(
                    node_result.c.node_id.in_(node_ids),
                    node_result.c.cycle_id == cycle_id,
                    node_result.c.dimension_id == OVERALL,
                )
            )
        }
    return [
        {
            "unit_id": n.unit_id,
            "name_nb": n.name_nb,
            "name_en": n.name_en,
            "leaves": int(n.leaves),
            "submitted": int(done[n.unit_id].submitted) if n.unit_id in done else 0,
            "drafts": int(done[n.unit_id].drafts) if n.unit_id in done else 0,
        }
        for n in sorted(nodes, key=lambda n: n.name_nb)
    ]
