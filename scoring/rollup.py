"""Aggregates of unit results per organisation node ("rollups"), so a dashboard reads the
few rows of a node and its children instead of every unit under it. Pure pandas.

A rollup row holds, for one cycle, node and dimension, what adds up from the leaf units
below: how many units have a score, the sum, minimum and maximum of their scores,
respondents, counts of units per level, and on the overall row also counts per roadmap
stage and journey value, the paired change since the previous cycle, and completion.
Means, medians and shares are derived from these on reading. A leaf unit's row is its own
result; a node's row combines its children's rows, so one unit's new result changes only
the rows on its path to the root.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

import pandas as pd

from scoring.engine import OVERALL, TOLERANCE
from scoring.models import Roadmap

KEY = ["cycle_id", "node_id", "dimension_id"]
SUMS = ["units", "score_sum", "respondents", "change_sum", "change_units", "submitted", "drafts"]
COUNTS = ["levels", "stages", "journeys"]
COLUMNS = [*KEY, *SUMS, "score_min", "score_max", "spread", *COUNTS]

Row = dict[str, Any]


def count_key(value: float) -> str:
    """The key of a level, stage or journey value in a count dict (journeys are multiples of
    a criterion's share, so four decimals keep them exact)."""
    return str(int(value)) if float(value).is_integer() else f"{float(value):.4f}"


def leaf_rows(
    results: Iterable[Mapping[str, Any]],
    completion: Mapping[tuple[int, str], bool],
    cycle_order: list[int],
    cycles: Iterable[int] | None = None,
) -> list[Row]:
    """Rollup rows of leaf units from their stored results.

    `results`: mappings with cycle_id, unit_id, dimension_id, score, level, respondents,
    spread, stage, journey (include each unit's previous cycle, for the change).
    `completion`: (cycle_id, unit_id) -> True when a counted assessment exists, False when
    there are only drafts. `cycle_order`: cycle ids, oldest first. Rows are made for
    `cycles` (every cycle in the input when None).
    """
    results = list(results)
    wanted = None if cycles is None else set(cycles)
    previous = {later: earlier for earlier, later in pairwise(cycle_order)}
    overall_score = {
        (r["cycle_id"], r["unit_id"]): _number(r["score"])
        for r in results
        if str(r["dimension_id"]) == OVERALL and _number(r["score"]) is not None
    }
    rows: dict[tuple[int, str, str], Row] = {}
    for r in results:
        cycle_id, unit = r["cycle_id"], r["unit_id"]
        if wanted is not None and cycle_id not in wanted:
            continue
        dimension = str(r["dimension_id"])
        score, level = _number(r["score"]), _number(r["level"])
        row = _empty(cycle_id, unit, dimension)
        row.update(
            units=int(score is not None),
            score_sum=score or 0.0,
            score_min=score,
            score_max=score,
            respondents=int(r["respondents"] or 0),
            spread=_number(r["spread"]),
        )
        if score is not None and level is not None:
            row["levels"] = {count_key(level): 1}
        if dimension == OVERALL:
            stage, journey = _number(r["stage"]), _number(r["journey"])
            row["stages"] = {count_key(stage): 1} if stage is not None else {}
            row["journeys"] = {count_key(journey): 1} if journey is not None else {}
            before = overall_score.get((previous.get(cycle_id), unit))
            if score is not None and before is not None:
                row.update(change_sum=score - before, change_units=1)
        rows[(cycle_id, unit, dimension)] = row
    for (cycle_id, unit), counted in completion.items():
        if wanted is not None and cycle_id not in wanted:
            continue
        row = rows.setdefault((cycle_id, unit, OVERALL), _empty(cycle_id, unit, OVERALL))
        row.update(submitted=int(counted), drafts=int(not counted))
    return list(rows.values())


def combine(children: Iterable[Mapping[str, Any]], node_id: str) -> list[Row]:
    """A node's rollup rows (per cycle and dimension) from its children's rows."""
    rows: dict[tuple[int, str], Row] = {}
    single: dict[tuple[int, str], float | None] = {}
    for child in children:
        key = (child["cycle_id"], child["dimension_id"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = _empty(child["cycle_id"], node_id, child["dimension_id"])
        for column in SUMS:
            row[column] += child[column]
        row["score_min"] = _pick(min, row["score_min"], child["score_min"])
        row["score_max"] = _pick(max, row["score_max"], child["score_max"])
        if child["units"] == 1:
            single[key] = child["spread"]
        for column in COUNTS:
            if child[column]:
                total = row[column] if row[column] is not None else {}
                for value, n in child[column].items():
                    total[value] = total.get(value, 0) + n
                row[column] = total
    for key, row in rows.items():
        # one scored unit below: its own respondents' spread; more: the range, derived on reading
        row["spread"] = single.get(key) if row["units"] == 1 else None
    return list(rows.values())


def shifted(row: Mapping[str, Any] | None, part: Mapping[str, Any], sign: int, node_id: str) -> Row | None:
    """A node's row after a part below it (a moved unit's or subtree's row for the same cycle
    and dimension) was added (`sign` 1) or taken away (-1), worked out from the row alone;
    None when only the children can tell (an extreme, a lone unit's spread, or whether the
    row still exists, could have gone with the part)."""
    if row is None:
        if sign < 0:
            return None
        row = _empty(part["cycle_id"], node_id, part["dimension_id"])
    out: Row = dict(row)  # type: ignore[assignment]
    out["node_id"] = node_id
    for column in SUMS:
        out[column] = row[column] + sign * part[column]
    for column in COUNTS:
        if part[column]:
            total = dict(row[column] or {})
            for value, n in part[column].items():
                total[value] = total.get(value, 0) + sign * n
                if total[value] == 0:
                    del total[value]
            out[column] = total
    if sign > 0:
        out["score_min"] = _pick(min, row["score_min"], part["score_min"])
        out["score_max"] = _pick(max, row["score_max"], part["score_max"])
        out["spread"] = (
            None if out["units"] != 1 else (part["spread"] if row["units"] == 0 else row["spread"])
        )
        return out
    for column, choose in (("score_min", min), ("score_max", max)):
        if part[column] is not None and (
            row[column] is None or choose(part[column], row[column]) == part[column]
        ):
            return None  # the part held the extreme: the others' is unknown here
    if out["units"] == 1 or all(out[c] == 0 for c in SUMS if c not in ("score_sum", "change_sum")):
        return None  # one unit left (its spread), or maybe no child left with this row
    out["spread"] = None
    return out


def rollup(tree: Iterable[Mapping[str, Any]], leaves: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Rows for every node of `tree` (mappings with unit_id, parent_id, depth, leaf) from the
    leaf rows: each depth combines the one below it, deepest first."""
    tree = list(tree)
    parent = {t["unit_id"]: t["parent_id"] for t in tree}
    depth = {t["unit_id"]: int(t["depth"]) for t in tree}
    is_leaf = {t["unit_id"] for t in tree if t["leaf"]}
    by_depth: dict[int, list[Mapping[str, Any]]] = {}
    for row in leaves:
        if row["node_id"] in is_leaf:
            by_depth.setdefault(depth[row["node_id"]], []).append(row)
    out: list[Row] = [r for rows in by_depth.values() for r in rows]  # type: ignore[misc]
    for d in range(max(depth.values(), default=0), 0, -1):
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for row in by_depth.get(d, []):
            up = parent.get(row["node_id"])
            if up is not None:
                groups.setdefault(up, []).append(row)
        for node_id, children in groups.items():
            combined = combine(children, node_id)
            by_depth.setdefault(d - 1, []).extend(combined)
            out.extend(combined)
    return out


def frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rollup rows as a DataFrame with the COLUMNS."""
    return pd.DataFrame(list(rows), columns=COLUMNS)


def _empty(cycle_id: int, node_id: str, dimension_id: str) -> Row:
    overall = dimension_id == OVERALL
    return {
        "cycle_id": cycle_id,
        "node_id": node_id,
        "dimension_id": dimension_id,
        "units": 0,
        "score_sum": 0.0,
        "respondents": 0,
        "change_sum": 0.0,
        "change_units": 0,
        "submitted": 0,
        "drafts": 0,
        "score_min": None,
        "score_max": None,
        "spread": None,
        "levels": {},
        "stages": {} if overall else None,
        "journeys": {} if overall else None,
    }


def _pick(choose: Any, current: float | None, new: float | None) -> float | None:
    if new is None:
        return current
    return new if current is None else choose(current, new)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


# Reading: what the dashboards show, derived from rollup rows.


def mean_score(row: Mapping) -> float | None:
    return row["score_sum"] / row["units"] if row["units"] else None


def level_of(score: float) -> int:
    return math.floor(score + TOLERANCE)


def cells(rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Per node and dimension: mean score, its level, units, respondents and spread (a single
    unit's own spread; the range of unit scores for several). Rows without a score are left
    out. Keys: cycle_id, node_id, dimension_id, score, level, units, respondents, spread."""
    out = []
    for row in rows:
        units = row["units"]
        if not units:
            continue
        score = row["score_sum"] / units
        spread = row["score_max"] - row["score_min"] if units > 1 else row["spread"]
        out.append(
            {
                "cycle_id": row["cycle_id"],
                "node_id": row["node_id"],
                "dimension_id": row["dimension_id"],
                "score": score,
                "level": level_of(score),
                "units": units,
                "respondents": row["respondents"],
                "spread": _number(spread),
            }
        )
    return out


def level_counts(rows: Iterable[Mapping[str, Any]], levels: list[int]) -> list[Row]:
    """Units per level and dimension from a node's rows: dimension_id, level, units."""
    return [
        {
            "dimension_id": row["dimension_id"],
            "level": level,
            "units": int((row["levels"] or {}).get(count_key(level), 0)),
        }
        for row in rows
        for level in levels
    ]


def median_of_counts(counts: Mapping[str, int] | None) -> float | None:
    """The median of values given as value -> how many (the mean of the two middle ones
    for an even count, as pandas' median)."""
    if not counts:
        return None
    pairs = sorted((float(k), int(n)) for k, n in counts.items() if int(n) > 0)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None

    def nth(position: int) -> float:
        seen = 0
        for value, n in pairs:
            seen += n
            if position < seen:
                return value
        return pairs[-1][0]

    middle = total // 2
    return nth(middle) if total % 2 else (nth(middle - 1) + nth(middle)) / 2


def planned_stage(roadmap: Roadmap, cycle_label: str) -> int | None:
    """The stage number the plan targets in a cycle: after the plan's last period the top
    stage; before its first period, None (no plan yet)."""
    number = roadmap.planned_stage_number(cycle_label)
    if number is not None:
        return number
    periods = [s.period for s in roadmap.stages if s.period]
    if not periods:
        return None
    if cycle_label > max(periods):
        return len(roadmap.stages)
    return None


def plan_counts(stages: Mapping[str, int] | None, planned: int | None) -> dict[str, int]:
    """Units ahead of, on and behind the planned stage, from counts per stage."""
    counts = {"ahead": 0, "on_plan": 0, "behind": 0}
    if planned is None:
        return counts
    for stage, n in (stages or {}).items():
        key = "ahead" if int(stage) > planned else "on_plan" if int(stage) == planned else "behind"
        counts[key] += int(n)
    return counts


def figures(overall: Mapping | None, planned: int | None) -> dict[str, float | None]:
    """The overview's key figures from a node's overall row: share of units at level 3 or
    above, median journey, shares on (or ahead of) and behind the plan, and the mean change
    of the overall score since the previous cycle for the units scored in both."""
    empty: dict[str, float | None] = {
        "units": 0.0,
        "share_level_3": None,
        "median_journey": None,
        "share_on_plan": None,
        "share_behind": None,
        "change": None,
    }
    if overall is None:
        return empty
    levels = {int(k): int(n) for k, n in (overall["levels"] or {}).items()}
    scored = sum(levels.values())
    plan = plan_counts(overall["stages"], planned)
    staged = sum(plan.values())
    return {
        "units": float(overall["submitted"]),
        "share_level_3": sum(n for lv, n in levels.items() if lv >= 3) / scored if scored else None,
        "median_journey": median_of_counts(overall["journeys"]),
        "share_on_plan": (plan["on_plan"] + plan["ahead"]) / staged
        if planned is not None and staged
        else None,
        "share_behind": plan["behind"] / staged if planned is not None and staged else None,
        "change": overall["change_sum"] / overall["change_units"] if overall["change_units"] else None,
    }
