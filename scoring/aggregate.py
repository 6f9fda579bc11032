"""Aggregation of unit results up the organisation tree, for dashboards. Pure pandas.

A results frame has one row per unit (and cycle) and dimension, as stored: unit_id,
dimension_id, score, level, respondents, spread, stage, journey. A tree frame has
unit_id, parent_id, kind, name_nb, name_en.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.engine import OVERALL, TOLERANCE
from scoring.models import Roadmap

MAX_DEPTH = 12


def with_paths(tree: pd.DataFrame) -> pd.DataFrame:
    """The tree with `depth` and `anc_0` (the root) .. `anc_<depth>` (the unit itself)."""
    parent = dict(zip(tree["unit_id"], tree["parent_id"], strict=True))
    paths = []
    for unit in tree["unit_id"]:
        path, node = [unit], parent.get(unit)
        while node is not None and node in parent and len(path) < MAX_DEPTH:
            path.append(node)
            node = parent.get(node)
        paths.append(path[::-1])
    frame = tree.copy()
    frame["depth"] = [len(p) - 1 for p in paths]
    width = max((len(p) for p in paths), default=0)
    for level in range(width):
        frame[f"anc_{level}"] = [p[level] if level < len(p) else None for p in paths]
    frame["leaf"] = ~frame["unit_id"].isin(set(tree["parent_id"].dropna()))
    return frame


def groups_under(paths: pd.DataFrame, node: str) -> pd.DataFrame:
    """Each leaf unit under `node` (itself, if a leaf) and the child of `node` it falls in.

    Columns: unit_id, group (the child's id; the unit's own id for a leaf node).
    """
    row = paths[paths["unit_id"] == node]
    if row.empty:
        return pd.DataFrame(columns=["unit_id", "group"])
    depth = int(row["depth"].iloc[0])
    leaves = paths[paths["leaf"]]
    if bool(row["leaf"].iloc[0]):
        return pd.DataFrame({"unit_id": [node], "group": [node]})
    column, child = f"anc_{depth}", f"anc_{depth + 1}"
    if column not in leaves:
        return pd.DataFrame(columns=["unit_id", "group"])
    under = leaves[leaves[column] == node]
    return pd.DataFrame({"unit_id": under["unit_id"].to_numpy(), "group": under[child].to_numpy()})


def aggregate(results: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Per group and dimension: mean of the units' scores, units with a score, respondents,
    and spread (a single unit's own spread; the range of unit scores for a group of units).

    Columns: group, dimension_id, score, level, units, respondents, spread.
    """
    merged = results.merge(groups, on="unit_id", how="inner")
    scored = merged[merged["score"].notna()]
    if scored.empty:
        return pd.DataFrame(
            columns=["group", "dimension_id", "score", "level", "units", "respondents", "spread"]
        )
    grouped = scored.groupby(["group", "dimension_id"], observed=True, sort=False)
    frame = grouped.agg(
        score=("score", "mean"),
        units=("unit_id", "nunique"),
        respondents=("respondents", "sum"),
        low=("score", "min"),
        high=("score", "max"),
        own_spread=("spread", "first"),
    ).reset_index()
    frame["spread"] = np.where(frame["units"] > 1, frame["high"] - frame["low"], frame["own_spread"])
    frame["level"] = np.floor(frame["score"].to_numpy(dtype=float) + TOLERANCE).astype("int64")
    return frame[["group", "dimension_id", "score", "level", "units", "respondents", "spread"]]


def level_distribution(results: pd.DataFrame, levels: list[int]) -> pd.DataFrame:
    """How many units are at each level, per dimension: dimension_id, level, units."""
    scored = results[results["level"].notna()]
    counts = scored.groupby(["dimension_id", "level"], observed=True).size().rename("units").reset_index()
    full = pd.MultiIndex.from_product(
        [results["dimension_id"].dropna().unique(), levels], names=["dimension_id", "level"]
    )
    counts["level"] = counts["level"].astype("int64")
    return counts.set_index(["dimension_id", "level"]).reindex(full, fill_value=0).reset_index()


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


def plan_status(overall: pd.DataFrame, planned: int | None) -> pd.Series:
    """'ahead', 'on_plan' or 'behind' per unit (overall rows with a stage); empty without a plan."""
    if planned is None:
        return pd.Series(dtype=object)
    stage = overall["stage"].astype(float)
    status = np.where(stage > planned, "ahead", np.where(stage == planned, "on_plan", "behind"))
    return pd.Series(status, index=overall.index)


def key_figures(
    current: pd.DataFrame, previous: pd.DataFrame | None, planned: int | None
) -> dict[str, float | None]:
    """Share of units at level 3 or above overall, median journey, shares on/behind plan,
    and the mean change of the overall score since the previous cycle (same units)."""
    overall = current[current["dimension_id"] == OVERALL]
    scored = overall[overall["score"].notna()]
    figures: dict[str, float | None] = {
        "units": float(overall["unit_id"].nunique()),
        "share_level_3": float((scored["level"] >= 3).mean()) if not scored.empty else None,
        "median_journey": float(overall["journey"].median()) if overall["journey"].notna().any() else None,
    }
    status = plan_status(overall[overall["stage"].notna()], planned)
    figures["share_on_plan"] = float(status.isin(["on_plan", "ahead"]).mean()) if not status.empty else None
    figures["share_behind"] = float((status == "behind").mean()) if not status.empty else None
    figures["change"] = None
    if previous is not None and not previous.empty:
        before = previous[(previous["dimension_id"] == OVERALL) & previous["score"].notna()]
        both = scored.merge(before, on="unit_id", suffixes=("", "_before"))
        if not both.empty:
            figures["change"] = float((both["score"] - both["score_before"]).mean())
    return figures
