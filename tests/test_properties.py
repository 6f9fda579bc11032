"""Properties of the scoring rules that must hold for any answers (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import level_of, score, shown_score
from scoring.validation import questionnaire_from_text, roadmap_from_text

from .conftest import SMALL_ROADMAP, small_questionnaire

QUESTIONNAIRES = {
    method: questionnaire_from_text(small_questionnaire(method=method, min_coverage=0.5))
    for method in ("mean", "median", "min")
}
ROADMAP = roadmap_from_text(SMALL_ROADMAP, QUESTIONNAIRES["mean"])
SCORED = ["A1", "A2", "A3", "B1", "B2"]
YESNO = ["Y1", "Y2"]
KEYS = ["unit", "cycle", "respondent", "item"]


@st.composite
def answer_frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for unit in draw(st.lists(st.sampled_from(["u1", "u2", "u3"]), min_size=1, max_size=3, unique=True)):
        for cycle in draw(st.lists(st.sampled_from(["2023", "2024"]), min_size=1, max_size=2, unique=True)):
            for respondent in range(draw(st.integers(1, 4))):
                for item in SCORED:
                    value = draw(st.one_of(st.none(), st.integers(1, 5)))
                    rows.append((unit, cycle, f"r{respondent}", item, np.nan if value is None else value))
                for item in YESNO:
                    value = draw(st.sampled_from([None, 0, 1]))
                    rows.append((unit, cycle, f"r{respondent}", item, np.nan if value is None else value))
    frame = pd.DataFrame(rows, columns=[*KEYS, "value"])
    for key in KEYS:
        frame[key] = frame[key].astype("category")
    frame["value"] = frame["value"].astype("float64")
    return frame


methods = st.sampled_from(sorted(QUESTIONNAIRES))
common = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def table(method: str, answers: pd.DataFrame) -> pd.DataFrame:
    return score(QUESTIONNAIRES[method], answers, ROADMAP).table()


@common
@given(answers=answer_frames(), method=methods)
def test_scores_stay_within_the_scale_and_levels_never_exceed_scores(answers, method) -> None:
    result = score(QUESTIONNAIRES[method], answers, ROADMAP)
    scores = pd.concat([result.table()["score"], result.respondents["score"]]).dropna()
    assert ((scores >= 1 - 1e-9) & (scores <= 5 + 1e-9)).all()
    rows = result.table().dropna(subset=["score"])
    levels = rows["level"].astype(float)
    assert (levels <= rows["score"] + 1e-9).all()
    assert (levels > rows["score"] - 1).all()
    assert rows["level"].between(1, 5).all()
    journey = result.roadmap["journey"]
    assert ((journey >= result.roadmap["stage"]) & (journey <= len(ROADMAP.stages))).all()


@common
@given(answers=answer_frames(), method=methods, seed=st.integers(0, 2**32 - 1))
def test_order_of_rows_and_respondents_changes_nothing(answers, method, seed) -> None:
    rng = np.random.default_rng(seed)
    shuffled = answers.iloc[rng.permutation(len(answers))].reset_index(drop=True)
    # Respondent labels come in another order too: r0 <-> r3, r1 <-> r2.
    renamed = shuffled.copy()
    renamed["respondent"] = renamed["respondent"].map({"r0": "r3", "r1": "r2", "r2": "r1", "r3": "r0"})
    renamed["respondent"] = renamed["respondent"].astype("category")
    expected = table(method, answers)
    pd.testing.assert_frame_equal(table(method, shuffled), expected)
    pd.testing.assert_frame_equal(table(method, renamed), expected)


@common
@given(answers=answer_frames(), method=methods, pick=st.integers(0, 10_000))
def test_raising_one_answer_never_lowers_a_score(answers, method, pick) -> None:
    raisable = np.flatnonzero(answers["item"].isin(SCORED).to_numpy() & (answers["value"] < 5).to_numpy())
    if len(raisable) == 0:
        return
    raised = answers.copy()
    raised.loc[raisable[pick % len(raisable)], "value"] += 1
    before, after = table(method, answers), table(method, raised)
    assert before[["unit", "cycle", "dimension"]].equals(after[["unit", "cycle", "dimension"]])
    for column in ("score", "journey", "stage"):
        old = before[column].astype(float).to_numpy()
        new = after[column].astype(float).to_numpy()
        both = ~np.isnan(old)
        assert (np.isnan(new) == np.isnan(old)).all()
        assert (new[both] >= old[both] - 1e-9).all(), column


@pytest.mark.parametrize("method", sorted(QUESTIONNAIRES))
def test_empty_answers_give_an_empty_table(method: str) -> None:
    empty = pd.DataFrame({key: pd.Categorical([]) for key in KEYS}).assign(value=pd.Series([], dtype=float))
    assert table(method, empty).empty


@given(score=st.floats(1.0, 5.0, allow_nan=False), decimals=st.integers(0, 3))
def test_a_shown_score_never_shows_a_level_it_has_not_reached(score: float, decimals: int) -> None:
    """Its whole part is the score's level, and it is within one last digit below the score."""
    shown = float(shown_score(score, decimals))
    assert int(level_of(np.array([shown]))[0]) == int(level_of(np.array([score]))[0])
    assert score - 10**-decimals - 1e-9 <= shown <= score + 1e-9


@pytest.mark.parametrize(
    "score, decimals, text",
    [(2.985, 1, "2.9"), (2.3, 1, "2.3"), (3.0, 2, "3.00"), (2.9999999999, 1, "3.0"), (3.019, 2, "3.01")],
)
def test_shown_scores_by_hand(score: float, decimals: int, text: str) -> None:
    assert shown_score(score, decimals) == text
