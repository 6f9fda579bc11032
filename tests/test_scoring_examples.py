"""`python -m scoring score` against results worked out by hand (DESIGN.md section 5).

The small questionnaire (tests/conftest.py): dimension a (weight 2) holds A1, A2 and A3
(A3 weighted 2); dimension b holds B1, B2 and yes/no items Y1, Y2; min_coverage 0.5.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from scoring.answers import read_answers_csv
from scoring.cli import main
from scoring.engine import score
from scoring.validation import questionnaire_from_text, roadmap_from_text

from .conftest import ROOT, SMALL_ROADMAP, small_questionnaire

ANSWERS = textwrap.dedent(
    """\
    unit,cycle,respondent,item,answer,comment
    u1,2023/2024,r1,A1,2,one respondent in an earlier cycle
    u1,2023/2024,r1,A2,2,
    u1,2023/2024,r1,A3,2,
    u1,2023/2024,r1,B1,1,
    u1,2023/2024,r1,B2,1,
    u1,2024/2025,r1,A1,3,one respondent: a = (3+4+2*2)/4
    u1,2024/2025,r1,A2,4,
    u1,2024/2025,r1,A3,2,
    u1,2024/2025,r1,B1,4,
    u1,2024/2025,r1,B2,5,
    u1,2024/2025,r1,Y1,ja,
    u1,2024/2025,r1,Y2,nei,
    u2,2024/2025,r1,A1,1,three respondents who disagree
    u2,2024/2025,r1,A2,1,
    u2,2024/2025,r1,A3,1,
    u2,2024/2025,r1,B1,2,
    u2,2024/2025,r1,B2,2,
    u2,2024/2025,r1,Y1,yes,
    u2,2024/2025,r1,Y2,yes,
    u2,2024/2025,r2,A1,3,
    u2,2024/2025,r2,A2,3,
    u2,2024/2025,r2,A3,3,
    u2,2024/2025,r2,B1,3,
    u2,2024/2025,r2,B2,3,
    u2,2024/2025,r2,Y1,1,
    u2,2024/2025,r2,Y2,0,
    u2,2024/2025,r3,A1,4,
    u2,2024/2025,r3,A2,5,
    u2,2024/2025,r3,A3,4,
    u2,2024/2025,r3,B1,5,
    u2,2024/2025,r3,B2,4,
    u2,2024/2025,r3,Y1,nei,
    u2,2024/2025,r3,Y2,JA,
    u3,2024/2025,r1,A1,5,r1 answers 1 of 3 on a: below min_coverage
    u3,2024/2025,r1,A2,vet ikke,
    u3,2024/2025,r1,A3,,
    u3,2024/2025,r1,B1,3,r1 answers 1 of 2 on b: exactly min_coverage
    u3,2024/2025,r1,B2,NA,
    u3,2024/2025,r2,A1,4,r2 answers 2 of 3 on a: above min_coverage
    u3,2024/2025,r2,A2,4,
    u3,2024/2025,r2,A3,ikke aktuelt,
    u4,2024/2025,r1,A1,4,reaches stage 2.0
    u4,2024/2025,r1,A2,3,
    u4,2024/2025,r1,A3,3,
    u4,2024/2025,r1,B1,4,
    u4,2024/2025,r1,B2,4,
    u4,2024/2025,r1,Y1,ja,
    u4,2024/2025,r1,Y2,ja,
    u5,2024/2025,r1,A1,5,reaches the top
    u5,2024/2025,r1,A2,5,
    u5,2024/2025,r1,A3,5,
    u5,2024/2025,r1,B1,5,
    u5,2024/2025,r1,B2,5,
    u5,2024/2025,r1,Y1,ja,
    u5,2024/2025,r1,Y2,ja,
    u6,2024/2025,r1,A1,3,no score on a: no overall score
    u6,2024/2025,r1,B1,2,
    """
)

EXPECTED_WITH_ROADMAP = textwrap.dedent(
    """\
    unit,cycle,dimension,score,level,respondents,spread,stage,journey
    u1,2023/2024,a,2,2,1,,,
    u1,2023/2024,b,1,1,1,,,
    u1,2023/2024,overall,1.666667,1,1,,0,0.5
    u1,2024/2025,a,2.75,2,1,,,
    u1,2024/2025,b,4.5,4,1,,,
    u1,2024/2025,overall,3.333333,3,1,,1,1.6
    u2,2024/2025,a,2.75,2,3,3.25,,
    u2,2024/2025,b,3.166667,3,3,2.5,,
    u2,2024/2025,overall,2.888889,2,3,,1,1.4
    u3,2024/2025,a,4,4,1,,,
    u3,2024/2025,b,3,3,1,,,
    u3,2024/2025,overall,3.666667,3,2,,0,0.5
    u4,2024/2025,a,3.25,3,1,,,
    u4,2024/2025,b,4,4,1,,,
    u4,2024/2025,overall,3.5,3,1,,2,2.5
    u5,2024/2025,a,5,5,1,,,
    u5,2024/2025,b,5,5,1,,,
    u5,2024/2025,overall,5,5,1,,3,3
    u6,2024/2025,a,,,0,,,
    u6,2024/2025,b,2,2,1,,,
    u6,2024/2025,overall,,,1,,0,0
    """
)


@pytest.fixture
def files(write):
    def _files(method: str = "mean") -> tuple[Path, Path, Path]:
        return (
            write("q.yaml", small_questionnaire(method=method)),
            write("answers.csv", ANSWERS),
            write("road.yaml", SMALL_ROADMAP),
        )

    return _files


def test_score_with_roadmap_matches_hand_worked_results(files, capsys) -> None:
    questionnaire, answers, roadmap = files()
    assert main(["score", str(questionnaire), str(answers), "--roadmap", str(roadmap)]) == 0
    assert capsys.readouterr().out == EXPECTED_WITH_ROADMAP


def test_score_without_roadmap_has_the_contract_columns_only(files, capsys) -> None:
    questionnaire, answers, _ = files()
    assert main(["score", str(questionnaire), str(answers)]) == 0
    expected = "\n".join(",".join(line.split(",")[:7]) for line in EXPECTED_WITH_ROADMAP.splitlines())
    assert capsys.readouterr().out == expected + "\n"


def test_score_from_the_shell_writes_out_file(files, tmp_path: Path) -> None:
    questionnaire, answers, roadmap = files()
    out = tmp_path / "scores.csv"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring",
            "score",
            str(questionnaire),
            str(answers),
            "--roadmap",
            str(roadmap),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert out.read_text() == EXPECTED_WITH_ROADMAP


@pytest.mark.parametrize(
    "method, a, b, overall",
    [
        # a per respondent: mean 1, 3, 4.25 / median 1, 3, 4 / min 1, 3, 4
        # b per respondent: mean 2, 3, 4.5  / median 2, 3, 4.5 / min 2, 3, 4
        ("mean", "2.75,2,3,3.25", "3.166667,3,3,2.5", "2.888889,2,3,"),
        ("median", "2.666667,2,3,3", "3.166667,3,3,2.5", "2.833333,2,3,"),
        ("min", "2.666667,2,3,3", "3,3,3,2", "2.777778,2,3,"),
    ],
)
def test_each_method(files, capsys, method: str, a: str, b: str, overall: str) -> None:
    questionnaire, answers, _ = files(method)
    assert main(["score", str(questionnaire), str(answers)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("u2,")]
    assert rows == [
        f"u2,2024/2025,a,{a}",
        f"u2,2024/2025,b,{b}",
        f"u2,2024/2025,overall,{overall}",
    ]


def test_weights_count(write, capsys) -> None:
    """Without the weights u1's a would be 3 and overall 3.75; with them 2.75 and 3.333333."""
    unweighted = re.sub(r"(?m)^ *weight: 2\n", "", small_questionnaire())
    assert "weight" not in unweighted
    questionnaire = write("q.yaml", unweighted)
    answers = write("answers.csv", ANSWERS)
    assert main(["score", str(questionnaire), str(answers)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("u1,2024")]
    assert rows == [
        "u1,2024/2025,a,3,3,1,",
        "u1,2024/2025,b,4.5,4,1,",
        "u1,2024/2025,overall,3.75,3,1,",
    ]


def test_spread_of_two_or_more_is_flagged() -> None:
    questionnaire = questionnaire_from_text(small_questionnaire())
    answers = read_answers_csv(_text_io(ANSWERS), questionnaire)
    result = score(questionnaire, answers)
    flagged = result.dimensions.loc[result.dimensions["flagged"], ["unit", "dimension", "spread"]]
    assert flagged.values.tolist() == [["u2", "a", 3.25], ["u2", "b", 2.5]]


def test_criteria_detail_says_what_is_missing() -> None:
    questionnaire = questionnaire_from_text(small_questionnaire())
    roadmap = roadmap_from_text(SMALL_ROADMAP, questionnaire)
    answers = read_answers_csv(_text_io(ANSWERS), questionnaire)
    criteria = score(questionnaire, answers, roadmap).criteria
    assert criteria is not None
    u1 = criteria[(criteria["unit"] == "u1") & (criteria["cycle"] == "2024/2025")]
    missing = u1.loc[(u1["stage"] == "2.0") & ~u1["met"], "criterion"].tolist()
    assert missing == [1, 3]  # Y2 answered no; dimension a 2.75 < 3


def test_roadmap_for_another_questionnaire_is_refused(files, write, capsys) -> None:
    questionnaire, answers, _ = files()
    other = write("other.yaml", SMALL_ROADMAP.replace("questionnaire: small", "questionnaire: big"))
    out = Path(str(answers) + ".out")
    assert main(["score", str(questionnaire), str(answers), "--roadmap", str(other), "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"{other}:2: the roadmap is for questionnaire 'big', not 'small'"
    )
    assert not out.exists()


def _text_io(text: str) -> io.StringIO:
    return io.StringIO(text)


def test_respondent_ids_unique_across_the_country_score_the_same() -> None:
    """Many distinct respondent labels take the hash path; results must not change."""

    questionnaire = questionnaire_from_text(small_questionnaire())
    units = [f"unit-{i:04d}" for i in range(1100)]
    rows = [
        (u, "c", f"person-{i:04d}", item, float(1 + (i + j) % 5))
        for i, u in enumerate(units)
        for j, item in enumerate(["A1", "A2", "B1"])
    ]
    spread_out = pd.DataFrame(rows, columns=["unit", "cycle", "respondent", "item", "value"])
    same_label = spread_out.assign(respondent="r")
    for frame in (spread_out, same_label):
        for key in ("unit", "cycle", "respondent", "item"):
            frame[key] = frame[key].astype("category")
    pd.testing.assert_frame_equal(
        score(questionnaire, spread_out).table(), score(questionnaire, same_label).table()
    )


def test_two_answers_on_one_item_are_refused_by_the_engine() -> None:

    questionnaire = questionnaire_from_text(small_questionnaire())
    frame = pd.DataFrame(
        {
            "unit": ["u", "u"],
            "cycle": ["c", "c"],
            "respondent": ["r", "r"],
            "item": ["A1", "A1"],
            "value": [1.0, 2.0],
        }
    )
    with pytest.raises(ValueError, match="more than one answer"):
        score(questionnaire, frame)
