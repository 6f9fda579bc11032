"""The scoring rules of DESIGN.md section 5, vectorised over whole answer frames.

Every unit, cycle and respondent in the frame is scored in one pass with integer codes
and `numpy.bincount`, so a national cycle costs about as much as a plain group-by.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.models import Questionnaire, Roadmap

TOLERANCE = 1e-9
OVERALL = "overall"
RESULT_COLUMNS = ["unit", "cycle", "dimension", "score", "level", "respondents", "spread"]
ROADMAP_COLUMNS = ["stage", "journey"]
SPREAD_FLAG = 2.0


@dataclass
class ScoreResult:
    """Scores of every unit and cycle in one answer frame.

    `dimensions`: unit, cycle, dimension, score, level, respondents, spread, flagged.
    `overall`: unit, cycle, score, level, respondents.
    `respondents`: unit, cycle, respondent, dimension, score, coverage (scores only).
    `roadmap` (with a roadmap): unit, cycle, stage, journey.
    `criteria` (with a roadmap): unit, cycle, stage, criterion, met, value.
    """

    questionnaire: Questionnaire
    dimensions: pd.DataFrame
    overall: pd.DataFrame
    respondents: pd.DataFrame
    roadmap: pd.DataFrame | None = None
    criteria: pd.DataFrame | None = None

    def table(self) -> pd.DataFrame:
        """The contract table: one row per unit, cycle and dimension, then `overall`."""
        dims = self.dimensions[RESULT_COLUMNS].copy()
        overall = self.overall.assign(dimension=OVERALL, spread=np.nan)[RESULT_COLUMNS]
        if self.roadmap is not None:
            overall = overall.merge(self.roadmap, on=["unit", "cycle"], how="left")
            dims = dims.assign(stage=pd.NA, journey=np.nan)
            dims["stage"] = dims["stage"].astype("Int64")
        order = {d.id: i for i, d in enumerate(self.questionnaire.dimensions)}
        order[OVERALL] = len(order)
        table = pd.concat([dims, overall], ignore_index=True)
        table["_order"] = table["dimension"].map(order)
        table = table.sort_values(["unit", "cycle", "_order"], kind="stable").drop(columns="_order")
        return table.reset_index(drop=True)


def level_of(scores: np.ndarray | pd.Series) -> pd.Series:
    """floor(score) with a 1e-9 tolerance, as a nullable integer (missing stays missing)."""
    values = np.asarray(scores, dtype="float64")
    return pd.Series(np.floor(values + TOLERANCE)).astype("Int64")


def score(questionnaire: Questionnaire, answers: pd.DataFrame, roadmap: Roadmap | None = None) -> ScoreResult:
    """Score every unit and cycle in `answers` (an answer frame, see scoring.answers)."""
    if roadmap is not None and roadmap.questionnaire != questionnaire.id:
        raise ValueError(
            f"roadmap '{roadmap.id}' is for questionnaire '{roadmap.questionnaire}', not '{questionnaire.id}'"
        )
    codes = _Codes.of(questionnaire, answers)
    dims = questionnaire.dimensions
    n_dims = len(dims)
    n_groups = codes.n_respondent_groups

    # Respondent x dimension: coverage and score.
    answered = codes.scored & ~np.isnan(codes.value)
    key = codes.respondent_group[answered] * n_dims + codes.dimension[answered]
    size = n_groups * n_dims
    count = np.bincount(key, minlength=size).astype("float64")
    values = codes.value[answered]
    method = questionnaire.scoring.method
    if method == "mean":
        weights = codes.weight[answered]
        total_weight = np.bincount(key, weights=weights, minlength=size)
        weighted_sum = np.bincount(key, weights=weights * values, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            respondent_score = weighted_sum / total_weight
    else:
        grouped = pd.Series(values).groupby(key, sort=False)
        reduced = grouped.median() if method == "median" else grouped.min()
        respondent_score = np.full(size, np.nan)
        respondent_score[reduced.index.to_numpy()] = reduced.to_numpy()
    scored_per_dim = np.array([len(d.scored_items) for d in dims], dtype="float64")
    coverage = count / np.tile(scored_per_dim, n_groups)
    has_score = (count > 0) & (coverage >= questionnaire.scoring.min_coverage - TOLERANCE)
    respondent_score = np.where(has_score, respondent_score, np.nan).reshape(n_groups, n_dims)
    has_score = has_score.reshape(n_groups, n_dims)

    # Unit (unit and cycle) x dimension: mean over respondents with a score, and spread.
    n_units = codes.n_unit_cycles
    owner = codes.unit_cycle_of_group
    filled = np.where(has_score, respondent_score, 0.0)
    respondents = np.zeros((n_units, n_dims))
    total = np.zeros((n_units, n_dims))
    highest = np.full((n_units, n_dims), -np.inf)
    lowest = np.full((n_units, n_dims), np.inf)
    for d in range(n_dims):
        respondents[:, d] = np.bincount(owner, weights=has_score[:, d], minlength=n_units)
        total[:, d] = np.bincount(owner, weights=filled[:, d], minlength=n_units)
        np.maximum.at(highest[:, d], owner[has_score[:, d]], respondent_score[has_score[:, d], d])
        np.minimum.at(lowest[:, d], owner[has_score[:, d]], respondent_score[has_score[:, d], d])
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_score = np.where(respondents > 0, total / respondents, np.nan)
    spread = np.where(respondents >= 2, highest - lowest, np.nan)

    dim_weights = np.array([d.weight for d in dims])
    complete = ~np.isnan(unit_score).any(axis=1)
    overall_score = np.where(
        complete, np.nansum(unit_score * dim_weights, axis=1) / dim_weights.sum(), np.nan
    )
    overall_respondents = np.bincount(owner, weights=has_score.any(axis=1), minlength=n_units)

    unit_labels, cycle_labels = codes.unit_cycle_labels()
    dimension_frame = pd.DataFrame(
        {
            "unit": np.repeat(unit_labels, n_dims),
            "cycle": np.repeat(cycle_labels, n_dims),
            "dimension": np.tile([d.id for d in dims], n_units),
            "score": unit_score.ravel(),
            "respondents": respondents.ravel().astype("int64"),
            "spread": spread.ravel(),
        }
    )
    dimension_frame.insert(4, "level", level_of(dimension_frame["score"]))
    dimension_frame["flagged"] = dimension_frame["spread"] >= SPREAD_FLAG - TOLERANCE
    overall_frame = pd.DataFrame(
        {
            "unit": unit_labels,
            "cycle": cycle_labels,
            "score": overall_score,
            "level": level_of(overall_score),
            "respondents": overall_respondents.astype("int64"),
        }
    )
    group_unit, group_cycle, group_respondent = codes.group_labels()
    rows, cols = np.nonzero(has_score)
    respondent_frame = pd.DataFrame(
        {
            "unit": group_unit[rows],
            "cycle": group_cycle[rows],
            "respondent": group_respondent[rows],
            "dimension": np.array([d.id for d in dims], dtype=object)[cols],
            "score": respondent_score[rows, cols],
            "coverage": coverage.reshape(n_groups, n_dims)[rows, cols],
        }
    )
    result = ScoreResult(questionnaire, dimension_frame, overall_frame, respondent_frame)
    if roadmap is not None:
        result.roadmap, result.criteria = _roadmap(questionnaire, roadmap, codes, unit_score)
    return result


def _roadmap(
    questionnaire: Questionnaire, roadmap: Roadmap, codes: _Codes, unit_score: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage and journey per unit and cycle, and which criteria each one meets."""
    n_units = codes.n_unit_cycles
    item_index = {item_id: i for i, item_id in enumerate(codes.item_ids)}
    dim_index = {d.id: i for i, d in enumerate(questionnaire.dimensions)}
    answered = ~np.isnan(codes.value)
    row_unit = codes.unit_cycle_of_group[codes.respondent_group]
    n_items = len(codes.item_ids)
    key = row_unit[answered] * n_items + codes.item[answered]
    item_count = np.bincount(key, minlength=n_units * n_items).reshape(n_units, n_items)
    item_sum = np.bincount(key, weights=codes.value[answered], minlength=n_units * n_items)
    with np.errstate(invalid="ignore", divide="ignore"):
        item_mean = item_sum.reshape(n_units, n_items) / item_count

    unit_labels, cycle_labels = codes.unit_cycle_labels()
    stage_met = np.ones((n_units, len(roadmap.stages)), dtype=bool)
    share_met = np.zeros((n_units, len(roadmap.stages)))
    criteria_rows = []
    for s, stage in enumerate(roadmap.stages):
        met_count = np.zeros(n_units)
        for c, criterion in enumerate(stage.criteria):
            if criterion.dimension is not None:
                value = unit_score[:, dim_index[criterion.dimension]]
                threshold = float(criterion.min_level or 0)
            else:
                column = item_index.get(criterion.item or "")
                value = item_mean[:, column] if column is not None else np.full(n_units, np.nan)
                item = questionnaire.item(criterion.item or "")
                threshold = 0.5 if item is not None and not item.scored else float(criterion.min_level or 0)
            met = ~np.isnan(value) & (np.nan_to_num(value, nan=-np.inf) >= threshold - TOLERANCE)
            met_count += met
            stage_met[:, s] &= met
            criteria_rows.append(
                pd.DataFrame(
                    {
                        "unit": unit_labels,
                        "cycle": cycle_labels,
                        "stage": stage.id,
                        "criterion": c,
                        "met": met,
                        "value": value,
                    }
                )
            )
        share_met[:, s] = met_count / len(stage.criteria)
    reached = np.cumprod(stage_met, axis=1).sum(axis=1)
    top = len(roadmap.stages)
    next_share = share_met[np.arange(n_units), np.minimum(reached, top - 1)]
    journey = np.where(reached >= top, reached, reached + next_share)
    stage_frame = pd.DataFrame(
        {
            "unit": unit_labels,
            "cycle": cycle_labels,
            "stage": pd.array(reached, dtype="Int64"),
            "journey": journey.astype("float64"),
        }
    )
    return stage_frame, pd.concat(criteria_rows, ignore_index=True)


@dataclass
class _Codes:
    """Integer codes of an answer frame and of the questionnaire's items."""

    value: np.ndarray
    item: np.ndarray
    item_ids: list[str]
    scored: np.ndarray
    dimension: np.ndarray
    weight: np.ndarray
    respondent_group: np.ndarray
    n_respondent_groups: int
    group_keys: np.ndarray
    unit_cycle_of_group: np.ndarray
    n_unit_cycles: int
    unit_cycle_keys: np.ndarray
    units: np.ndarray
    cycles: np.ndarray
    respondents: np.ndarray

    @classmethod
    def of(cls, questionnaire: Questionnaire, answers: pd.DataFrame) -> _Codes:
        unit_code, units = _factorize(answers["unit"])
        cycle_code, cycles = _factorize(answers["cycle"])
        respondent_code, respondents = _factorize(answers["respondent"])
        item_code, item_labels = _factorize(answers["item"])

        items = questionnaire.items()
        item_ids = [item.id for item in items]
        position = {item_id: i for i, item_id in enumerate(item_ids)}
        unknown = [str(label) for label in item_labels if str(label) not in position]
        if unknown:
            raise ValueError(f"answers name items not in the questionnaire: {', '.join(unknown[:10])}")
        remap = np.array([position[str(label)] for label in item_labels], dtype="int64")
        item = remap[item_code] if len(item_code) else item_code.astype("int64")
        dim_of_item = np.array(
            [i for i, d in enumerate(questionnaire.dimensions) for _ in d.items], dtype="int64"
        )
        scored_of_item = np.array([it.scored for it in items], dtype=bool)
        weight_of_item = np.array([it.weight for it in items], dtype="float64")

        n_cycles, n_respondents = max(len(cycles), 1), max(len(respondents), 1)
        unit_cycle = unit_code.astype("int64") * n_cycles + cycle_code
        group_key = unit_cycle * n_respondents + respondent_code
        group, group_keys = pd.factorize(group_key, sort=True)
        group_keys = np.asarray(group_keys, dtype="int64")
        owner, unit_cycle_keys = pd.factorize(group_keys // n_respondents, sort=True)
        value = answers["value"].to_numpy(dtype="float64", na_value=np.nan)
        return cls(
            value=value,
            item=item,
            item_ids=item_ids,
            scored=scored_of_item[item],
            dimension=dim_of_item[item],
            weight=weight_of_item[item],
            respondent_group=group.astype("int64"),
            n_respondent_groups=len(group_keys),
            group_keys=group_keys,
            unit_cycle_of_group=owner.astype("int64"),
            n_unit_cycles=len(unit_cycle_keys),
            unit_cycle_keys=np.asarray(unit_cycle_keys, dtype="int64"),
            units=np.asarray(units, dtype=object),
            cycles=np.asarray(cycles, dtype=object),
            respondents=np.asarray(respondents, dtype=object),
        )

    def unit_cycle_labels(self) -> tuple[np.ndarray, np.ndarray]:
        n_cycles = max(len(self.cycles), 1)
        return (
            self.units[self.unit_cycle_keys // n_cycles],
            self.cycles[self.unit_cycle_keys % n_cycles],
        )

    def group_labels(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n_cycles, n_respondents = max(len(self.cycles), 1), max(len(self.respondents), 1)
        unit_cycle = self.group_keys // n_respondents
        return (
            self.units[unit_cycle // n_cycles],
            self.cycles[unit_cycle % n_cycles],
            self.respondents[self.group_keys % n_respondents],
        )


def _factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and labels of a column, labels sorted as text, so results are order-free."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = np.asarray(column.cat.categories.astype(str), dtype=object)
        order = np.argsort(categories, kind="stable")
        rank = np.empty(len(order), dtype="int64")
        rank[order] = np.arange(len(order))
        raw = column.cat.codes.to_numpy()
        return rank[raw] if len(raw) else raw.astype("int64"), categories[order]
    codes, labels = pd.factorize(column.astype(str), sort=True)
    return codes.astype("int64"), np.asarray(labels, dtype=object)
