"""The scoring rules of DESIGN.md section 5, vectorised over whole answer frames.

Every unit, cycle and respondent in the frame is scored in one pass with integer codes
and `numpy.bincount`, so a national cycle costs about as much as a plain group-by.
"""

from __future__ import annotations

import math
import warnings
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
    Units, cycles, respondents and dimensions are categorical, sorted as text.
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
        dims = self.dimensions[RESULT_COLUMNS]
        overall = self.overall.assign(dimension=OVERALL, spread=np.nan)[RESULT_COLUMNS]
        if self.roadmap is not None:
            # roadmap rows are aligned with overall rows: the same unit-cycles, same order
            overall = overall.assign(stage=self.roadmap["stage"].array, journey=self.roadmap["journey"].array)
            dims = dims.assign(stage=pd.array([pd.NA] * len(dims), dtype="Int64"), journey=np.nan)
        labels = [d.id for d in self.questionnaire.dimensions] + [OVERALL]
        table = pd.concat([dims, overall], ignore_index=True)
        table["dimension"] = pd.Categorical(table["dimension"].astype(str), categories=labels)
        for column in ("unit", "cycle"):
            table[column] = table[column].astype(str)
        table = table.sort_values(["unit", "cycle", "dimension"], kind="stable")
        return table.reset_index(drop=True)


def level_of(scores: np.ndarray | pd.Series) -> pd.Series:
    """floor(score) with a 1e-9 tolerance, as a nullable integer (missing stays missing)."""
    values = np.asarray(scores, dtype="float64")
    return pd.Series(np.floor(values + TOLERANCE)).astype("Int64")


def shown_score(score: float, decimals: int) -> str:
    """A score as text with `decimals` decimals, cut rather than rounded, so it never shows a
    level the score has not reached (2.985 is level 2: "2.9", not "3.0")."""
    scale = 10**decimals
    return f"{math.floor((score + TOLERANCE) * scale) / scale:.{decimals}f}"


def score(questionnaire: Questionnaire, answers: pd.DataFrame, roadmap: Roadmap | None = None) -> ScoreResult:
    """Score every unit and cycle in `answers` (an answer frame, see scoring.answers).

    The frame holds at most one answer per unit, cycle, respondent and item.
    """
    if roadmap is not None and roadmap.questionnaire != questionnaire.id:
        raise ValueError(
            f"roadmap '{roadmap.id}' is for questionnaire '{roadmap.questionnaire}', not '{questionnaire.id}'"
        )
    grid = _AnswerGrid.of(questionnaire, answers)
    dims = questionnaire.dimensions
    n_dims, n_groups, n_units = len(dims), grid.n_groups, grid.n_units
    rules = questionnaire.scoring

    # Respondent x dimension: coverage, then the score where coverage suffices.
    respondent_score = np.full((n_groups, n_dims), np.nan)
    coverage = np.zeros((n_groups, n_dims))
    for d, columns in enumerate(grid.scored_columns_by_dimension):
        values = grid.values[:, columns]
        answered = ~np.isnan(values)
        coverage[:, d] = answered.sum(axis=1) / len(columns)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN, as wanted
            if rules.method == "mean":
                weights = grid.weights[columns]
                respondent_score[:, d] = np.nansum(values * weights, axis=1) / (answered @ weights)
            elif rules.method == "median":
                respondent_score[:, d] = np.nanmedian(values, axis=1)
            else:
                respondent_score[:, d] = np.nanmin(values, axis=1)
    has_score = (coverage > 0) & (coverage >= rules.min_coverage - TOLERANCE)
    respondent_score[~has_score] = np.nan

    # Unit (unit and cycle) x dimension: mean over respondents with a score, and spread.
    owner = grid.unit_of_group
    respondents = np.zeros((n_units, n_dims))
    unit_score = np.full((n_units, n_dims), np.nan)
    spread = np.full((n_units, n_dims), np.nan)
    for d in range(n_dims):
        scored = has_score[:, d]
        respondents[:, d] = np.bincount(owner, weights=scored, minlength=n_units)
        total = np.bincount(owner, weights=np.where(scored, respondent_score[:, d], 0.0), minlength=n_units)
        highest = np.full(n_units, -np.inf)
        lowest = np.full(n_units, np.inf)
        np.maximum.at(highest, owner[scored], respondent_score[scored, d])
        np.minimum.at(lowest, owner[scored], respondent_score[scored, d])
        present = respondents[:, d] > 0
        unit_score[present, d] = total[present] / respondents[present, d]
        several = respondents[:, d] >= 2
        spread[several, d] = highest[several] - lowest[several]

    dim_weights = np.array([d.weight for d in dims])
    overall_score = (unit_score * dim_weights).sum(axis=1) / dim_weights.sum()  # NaN unless complete
    overall_respondents = np.bincount(owner, weights=has_score.any(axis=1), minlength=n_units)

    unit, cycle = grid.unit_labels()
    dimension = pd.Categorical.from_codes(np.tile(np.arange(n_dims), n_units), grid.dimension_labels)
    dimension_frame = pd.DataFrame(
        {
            "unit": unit.take(np.repeat(np.arange(n_units), n_dims)),
            "cycle": cycle.take(np.repeat(np.arange(n_units), n_dims)),
            "dimension": dimension,
            "score": unit_score.ravel(),
            "level": level_of(unit_score.ravel()),
            "respondents": respondents.ravel().astype("int64"),
            "spread": spread.ravel(),
        }
    )
    dimension_frame["flagged"] = dimension_frame["spread"].to_numpy() >= SPREAD_FLAG - TOLERANCE
    overall_frame = pd.DataFrame(
        {
            "unit": unit,
            "cycle": cycle,
            "score": overall_score,
            "level": level_of(overall_score),
            "respondents": overall_respondents.astype("int64"),
        }
    )
    rows, cols = np.nonzero(has_score)
    group_unit, group_cycle, group_respondent = grid.group_labels()
    respondent_frame = pd.DataFrame(
        {
            "unit": group_unit.take(rows),
            "cycle": group_cycle.take(rows),
            "respondent": group_respondent.take(rows),
            "dimension": pd.Categorical.from_codes(cols, grid.dimension_labels),
            "score": respondent_score[rows, cols],
            "coverage": coverage[rows, cols],
        }
    )
    result = ScoreResult(questionnaire, dimension_frame, overall_frame, respondent_frame)
    if roadmap is not None:
        result.roadmap, result.criteria = _roadmap(questionnaire, roadmap, grid, unit_score)
    return result


def _roadmap(
    questionnaire: Questionnaire, roadmap: Roadmap, grid: _AnswerGrid, unit_score: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage and journey per unit and cycle, and which criteria each one meets."""
    n_units = grid.n_units
    dim_index = {d.id: i for i, d in enumerate(questionnaire.dimensions)}
    item_index = {item.id: i for i, item in enumerate(questionnaire.items())}
    unit, cycle = grid.unit_labels()

    def item_mean(column: int) -> np.ndarray:
        values = grid.values[:, column]
        answered = ~np.isnan(values)
        count = np.bincount(grid.unit_of_group, weights=answered, minlength=n_units)
        total = np.bincount(grid.unit_of_group, weights=np.where(answered, values, 0.0), minlength=n_units)
        mean = np.full(n_units, np.nan)
        np.divide(total, count, out=mean, where=count > 0)
        return mean

    stage_met = np.ones((n_units, len(roadmap.stages)), dtype=bool)
    share_met = np.zeros((n_units, len(roadmap.stages)))
    criteria_parts = []
    for s, stage in enumerate(roadmap.stages):
        for c, criterion in enumerate(stage.criteria):
            if criterion.dimension is not None:
                value = unit_score[:, dim_index[criterion.dimension]]
                threshold = float(criterion.min_level or 0)
            else:
                item = questionnaire.item(criterion.item or "")
                if item is None:
                    raise ValueError(f"roadmap criterion names unknown item '{criterion.item}'")
                value = item_mean(item_index[item.id])
                # yes/no: the mean of 1/0 answers is the share of yes among those who answered
                threshold = float(criterion.min_level or 0) if item.scored else 0.5
            met = np.greater_equal(
                value, threshold - TOLERANCE, where=~np.isnan(value), out=np.zeros(n_units, bool)
            )
            share_met[:, s] += met / len(stage.criteria)
            stage_met[:, s] &= met
            criteria_parts.append((s, c, met, value))
    reached = np.cumprod(stage_met, axis=1).sum(axis=1)
    top = len(roadmap.stages)
    next_share = share_met[np.arange(n_units), np.minimum(reached, top - 1)]
    journey = np.where(reached >= top, reached, reached + next_share)
    stage_frame = pd.DataFrame(
        {
            "unit": unit,
            "cycle": cycle,
            "stage": pd.array(reached, dtype="Int64"),
            "journey": journey.astype("float64"),
        }
    )
    n_criteria = len(criteria_parts)
    criteria = pd.DataFrame(
        {
            "unit": unit.take(np.tile(np.arange(n_units), n_criteria)),
            "cycle": cycle.take(np.tile(np.arange(n_units), n_criteria)),
            "stage": pd.Categorical.from_codes(
                np.repeat([s for s, _, _, _ in criteria_parts], n_units), [st.id for st in roadmap.stages]
            ),
            "criterion": np.repeat([c for _, c, _, _ in criteria_parts], n_units),
            "met": np.concatenate([met for _, _, met, _ in criteria_parts]) if criteria_parts else [],
            "value": np.concatenate([v for _, _, _, v in criteria_parts]) if criteria_parts else [],
        }
    )
    return stage_frame, criteria


@dataclass
class _AnswerGrid:
    """The answers as a dense respondent x item matrix, with the labels to map back.

    A respondent group is one respondent of one unit in one cycle; rows of `values`
    are groups in sorted order (unit, cycle, respondent), columns are the
    questionnaire's items in file order.
    """

    values: np.ndarray
    weights: np.ndarray
    scored_columns_by_dimension: list[np.ndarray]
    dimension_labels: list[str]
    n_groups: int
    unit_of_group: np.ndarray
    n_units: int
    group_unit: np.ndarray
    group_cycle: np.ndarray
    group_respondent: np.ndarray
    units: np.ndarray
    cycles: np.ndarray
    respondents: np.ndarray

    @classmethod
    def of(cls, questionnaire: Questionnaire, answers: pd.DataFrame) -> _AnswerGrid:
        unit_code, units = _factorize(answers["unit"])
        cycle_code, cycles = _factorize(answers["cycle"])
        respondent_code, respondents = _factorize(answers["respondent"])
        item_code, item_labels = _factorize(answers["item"])

        items = questionnaire.items()
        position = {item.id: i for i, item in enumerate(items)}
        unknown = [str(label) for label in item_labels if str(label) not in position]
        if unknown:
            raise ValueError(f"answers name items not in the questionnaire: {', '.join(unknown[:10])}")
        column_of_code = np.array([position[str(label)] for label in item_labels], dtype="int64")

        n_cycles, n_respondents = max(len(cycles), 1), max(len(respondents), 1)
        key = (unit_code * n_cycles + cycle_code) * n_respondents + respondent_code
        group, group_keys = _dense_codes(key)
        n_items = len(items)
        cell = group * n_items + column_of_code[item_code]
        values = np.full(len(group_keys) * n_items, np.nan)
        if len(cell) and np.bincount(cell, minlength=values.size).max() > 1:
            raise ValueError("answers hold more than one answer by a respondent on an item")
        values[cell] = answers["value"].to_numpy(dtype="float64", na_value=np.nan)

        unit_of_group, unit_keys = _dense_codes(group_keys // n_respondents)
        dims = questionnaire.dimensions
        columns, start = [], 0
        for dimension in dims:
            columns.append(np.array([start + i for i, item in enumerate(dimension.items) if item.scored]))
            start += len(dimension.items)
        group_unit_cycle = group_keys // n_respondents
        return cls(
            values=values.reshape(len(group_keys), n_items),
            weights=np.array([item.weight for item in items]),
            scored_columns_by_dimension=columns,
            dimension_labels=[d.id for d in dims],
            n_groups=len(group_keys),
            unit_of_group=unit_of_group,
            n_units=len(unit_keys),
            group_unit=group_unit_cycle // n_cycles,
            group_cycle=group_unit_cycle % n_cycles,
            group_respondent=group_keys % n_respondents,
            units=units,
            cycles=cycles,
            respondents=respondents,
        )

    def unit_labels(self) -> tuple[pd.Categorical, pd.Categorical]:
        """Unit and cycle of each unit-cycle, in sorted order."""
        first = np.searchsorted(self.unit_of_group, np.arange(self.n_units))  # groups are sorted
        return (
            pd.Categorical.from_codes(self.group_unit[first], self.units),
            pd.Categorical.from_codes(self.group_cycle[first], self.cycles),
        )

    def group_labels(self) -> tuple[pd.Categorical, pd.Categorical, pd.Categorical]:
        return (
            pd.Categorical.from_codes(self.group_unit, self.units),
            pd.Categorical.from_codes(self.group_cycle, self.cycles),
            pd.Categorical.from_codes(self.group_respondent, self.respondents),
        )


def _dense_codes(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..k-1 for the k distinct keys in sorted order, and those keys.

    Counting over the key range is linear; a hash factorize is the fallback when the
    keys are too spread out for that (e.g. respondent ids unique across the country).
    """
    if len(key) == 0:
        return key.astype("int64"), key.astype("int64")
    span = int(key.max()) + 1
    if span <= max(4 * len(key), 1 << 20):
        present = np.bincount(key, minlength=span) > 0
        code_of_key = np.cumsum(present) - 1
        return code_of_key[key], np.flatnonzero(present)
    codes, uniques = pd.factorize(key, sort=True)
    return codes.astype("int64"), np.asarray(uniques, dtype="int64")


def _factorize(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes and labels of a column, labels sorted as text, so results are order-free."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories.astype(str)
        raw = column.cat.codes.to_numpy().astype("int64")
        if categories.is_monotonic_increasing:
            return raw, categories
        order = np.argsort(np.asarray(categories, dtype=object), kind="stable")
        rank = np.empty(len(order), dtype="int64")
        rank[order] = np.arange(len(order))
        return rank[raw], categories[order]
    codes, labels = pd.factorize(column.astype(str), sort=True)
    return codes.astype("int64"), pd.Index(labels)
