"""Every validation rule of DESIGN.md section 4: a broken file and the exact message."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scoring.cli import main
from scoring.models import Questionnaire
from scoring.problems import ProblemsError
from scoring.validation import questionnaire_from_text, read_definition, validate_files

from .conftest import DEFAULT_QUESTIONNAIRE, DEFAULT_ROADMAP, ROOT

TINY = textwrap.dedent(
    """\
    id: tiny
    version: "1"
    title: Tiny
    scale:
      - {level: 1, key: low, label: Low}
      - {level: 2, key: mid, label: Mid}
      - {level: 3, key: high, label: High}
    dimensions:
      - id: d1
        label: D1
        items:
          - id: I1
            text: one
            anchors: {1: a, 2: b, 3: c}
          - id: I2
            text: two
            anchors: {1: a, 2: b, 3: c}
          - id: Y1
            type: yesno
            text: three
      - id: d2
        label: D2
        items:
          - id: I3
            text: four
            anchors: {1: a, 2: b, 3: c}
    """
)

TINY_ROAD = textwrap.dedent(
    """\
    id: tiny-road
    questionnaire: tiny
    title: Tiny road
    stages:
      - id: "1.0"
        key: first
        label: First
        period: "2024/2025"
        criteria:
          - {item: Y1}
          - {item: I1, min_level: 2}
          - {dimension: d2, min_level: 3}
    """
)


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} is not in the base file"
    return text.replace(old, new, 1)


QUESTIONNAIRE_CASES = [
    (
        "yaml-syntax",
        edit(TINY, "title: Tiny", "title: [Tiny"),
        [
            "q.yaml:4: YAML syntax error: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence that starts at line 3)"
        ],
    ),
    (
        "duplicate-key",
        edit(TINY, "title: Tiny\n", "title: Tiny\ntitle: Again\n"),
        ["q.yaml:4: (top): the key 'title' appears twice in the same mapping"],
    ),
    (
        "unknown-field",
        edit(TINY, "    label: D1\n", "    label: D1\n    colour: red\n"),
        ["q.yaml:11: dimensions[0]: unknown field 'colour'"],
    ),
    (
        "missing-field",
        edit(TINY, "        text: one\n", ""),
        ["q.yaml:12: dimensions[0].items[0]: missing field 'text'"],
    ),
    (
        "missing-top-field",
        edit(TINY, 'version: "1"\n', ""),
        ["q.yaml:1: (top): missing field 'version'"],
    ),
    (
        "version-not-text",
        edit(TINY, 'version: "1"', "version: 2025.1"),
        ['q.yaml:2: version: expected text; write it in quotes, e.g. "2025.1"'],
    ),
    (
        "bad-id",
        edit(TINY, "id: tiny", "id: Tiny Form"),
        ["q.yaml:1: id: 'Tiny Form' may contain only lowercase letters a-z, digits and '-'"],
    ),
    (
        "duplicate-item-id",
        edit(TINY, "- id: I2", "- id: I1"),
        ["q.yaml:15: dimensions[0].items[1].id: duplicate id 'I1' (first used at line 12)"],
    ),
    (
        "duplicate-item-id-across-dimensions",
        edit(TINY, "- id: I3", "- id: I2"),
        ["q.yaml:24: dimensions[1].items[0].id: duplicate id 'I2' (first used at line 15)"],
    ),
    (
        "duplicate-dimension-id",
        edit(TINY, "- id: d2", "- id: d1"),
        ["q.yaml:21: dimensions[1].id: duplicate id 'd1' (first used at line 9)"],
    ),
    (
        "duplicate-scale-key",
        edit(TINY, "key: mid", "key: low"),
        ["q.yaml:6: scale[1].key: duplicate id 'low' (first used at line 5)"],
    ),
    (
        "scale-not-in-order",
        edit(TINY, "{level: 2, key: mid", "{level: 4, key: mid"),
        ["q.yaml:4: scale: scale levels must be 1, 2, ... 3 in order, got 1, 4, 3"],
    ),
    (
        "anchor-missing",
        edit(TINY, "anchors: {1: a, 2: b, 3: c}", "anchors: {1: a, 2: b}"),
        [
            "q.yaml:14: dimensions[0].items[0].anchors: anchors must cover exactly the scale "
            "levels 1, 2, 3; missing 3"
        ],
    ),
    (
        "anchor-beyond-scale",
        edit(TINY, "anchors: {1: a, 2: b, 3: c}", "anchors: {1: a, 2: b, 3: c, 4: d}"),
        [
            "q.yaml:14: dimensions[0].items[0].anchors: anchors must cover exactly the scale "
            "levels 1, 2, 3; not on the scale: 4"
        ],
    ),
    (
        "anchors-absent",
        edit(TINY, "        anchors: {1: a, 2: b, 3: c}\n      - id: Y1", "      - id: Y1"),
        [
            "q.yaml:15: dimensions[0].items[1].anchors: a scored item needs anchors for the "
            "scale levels 1, 2, 3"
        ],
    ),
    (
        "anchors-on-yesno",
        edit(TINY, "        text: three\n", "        text: three\n        anchors: {1: a, 2: b, 3: c}\n"),
        ["q.yaml:21: dimensions[0].items[2].anchors: a yes/no item has no anchors"],
    ),
    (
        "item-weight-zero",
        edit(TINY, "        text: two\n", "        text: two\n        weight: 0\n"),
        ["q.yaml:17: dimensions[0].items[1].weight: must be greater than 0, got 0"],
    ),
    (
        "dimension-weight-negative",
        edit(TINY, "    label: D2\n", "    label: D2\n    weight: -1.5\n"),
        ["q.yaml:23: dimensions[1].weight: must be greater than 0, got -1.5"],
    ),
    (
        "unknown-method",
        edit(TINY, "dimensions:\n", "scoring: {method: mode}\ndimensions:\n"),
        ["q.yaml:8: scoring.method: must be one of 'mean', 'median' or 'min', got mode"],
    ),
    (
        "dimension-without-scored-item",
        edit(
            TINY,
            "      - id: I3\n        text: four\n        anchors: {1: a, 2: b, 3: c}\n",
            "      - id: Y2\n        type: yesno\n        text: four\n",
        ),
        ["q.yaml:23: dimensions[1]: dimension 'd2' has no scored item"],
    ),
    (
        "several-problems-at-once",
        edit(edit(TINY, "- id: I2", "- id: I1"), "        text: one\n", ""),
        [
            "q.yaml:12: dimensions[0].items[0]: missing field 'text'",
            "q.yaml:14: dimensions[0].items[1].id: duplicate id 'I1' (first used at line 12)",
        ],
    ),
]

ROADMAP_CASES = [
    (
        "unknown-item",
        edit(TINY_ROAD, "{item: Y1}", "{item: Y9}"),
        ["r.yaml:10: stages[0].criteria[0]: unknown item 'Y9' in questionnaire 'tiny'"],
    ),
    (
        "unknown-dimension",
        edit(TINY_ROAD, "dimension: d2", "dimension: d9"),
        ["r.yaml:12: stages[0].criteria[2]: unknown dimension 'd9' in questionnaire 'tiny'"],
    ),
    (
        "min-level-above-scale",
        edit(TINY_ROAD, "{item: I1, min_level: 2}", "{item: I1, min_level: 4}"),
        ["r.yaml:11: stages[0].criteria[1]: min_level 4 is outside the scale 1-3"],
    ),
    (
        "min-level-below-scale",
        edit(TINY_ROAD, "{dimension: d2, min_level: 3}", "{dimension: d2, min_level: 0}"),
        ["r.yaml:12: stages[0].criteria[2]: min_level 0 is outside the scale 1-3"],
    ),
    (
        "yesno-with-min-level",
        edit(TINY_ROAD, "{item: Y1}", "{item: Y1, min_level: 2}"),
        ["r.yaml:10: stages[0].criteria[0]: item 'Y1' is a yes/no item and takes no min_level"],
    ),
    (
        "scored-item-without-min-level",
        edit(TINY_ROAD, "{item: I1, min_level: 2}", "{item: I1}"),
        ["r.yaml:11: stages[0].criteria[1]: item 'I1' is scored and needs a min_level"],
    ),
    (
        "dimension-without-min-level",
        edit(TINY_ROAD, "{dimension: d2, min_level: 3}", "{dimension: d2}"),
        ["r.yaml:12: stages[0].criteria[2]: dimension 'd2' is scored and needs a min_level"],
    ),
    (
        "criterion-with-item-and-dimension",
        edit(TINY_ROAD, "{item: Y1}", "{item: Y1, dimension: d1}"),
        ["r.yaml:10: stages[0].criteria[0]: a criterion names exactly one of 'item' or 'dimension'"],
    ),
    (
        "duplicate-stage-id",
        TINY_ROAD + '  - id: "1.0"\n    key: second\n    label: Second\n    criteria:\n      - {item: Y1}\n',
        ["r.yaml:13: stages[1].id: duplicate id '1.0' (first used at line 5)"],
    ),
    (
        "stage-id-not-text",
        edit(TINY_ROAD, 'id: "1.0"', "id: 1.0"),
        ['r.yaml:5: stages[0].id: expected text; write it in quotes, e.g. "1.0"'],
    ),
    (
        "questionnaire-not-found",
        edit(TINY_ROAD, "questionnaire: tiny", "questionnaire: other"),
        [
            "r.yaml:2: questionnaire 'other' named by the roadmap was not found among the files "
            "given or beside the roadmap"
        ],
    ),
]


@pytest.mark.parametrize(
    "text, expected", [c[1:] for c in QUESTIONNAIRE_CASES], ids=[c[0] for c in QUESTIONNAIRE_CASES]
)
def test_broken_questionnaire(tmp_path: Path, capsys, text: str, expected: list[str]) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    exit_code = main(["validate", str(path)])
    lines = [line.removeprefix(f"{tmp_path}/") for line in capsys.readouterr().out.splitlines()]
    assert exit_code == 1
    assert lines == expected


@pytest.mark.parametrize("text, expected", [c[1:] for c in ROADMAP_CASES], ids=[c[0] for c in ROADMAP_CASES])
def test_broken_roadmap(tmp_path: Path, capsys, text: str, expected: list[str]) -> None:
    (tmp_path / "q.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    exit_code = main(["validate", str(tmp_path / "r.yaml")])
    lines = [line.removeprefix(f"{tmp_path}/") for line in capsys.readouterr().out.splitlines()]
    assert exit_code == 1
    assert lines == expected


def test_valid_tiny_files_pass(tmp_path: Path, capsys) -> None:
    (tmp_path / "q.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "r.yaml").write_text(TINY_ROAD, encoding="utf-8")
    assert main(["validate", str(tmp_path / "q.yaml"), str(tmp_path / "r.yaml")]) == 0
    assert capsys.readouterr().out == ""


def test_roadmap_checked_against_questionnaire_given_elsewhere(tmp_path: Path, capsys) -> None:
    """The questionnaire may be given on the command line from another folder."""
    (tmp_path / "forms").mkdir()
    (tmp_path / "plans").mkdir()
    (tmp_path / "forms" / "q.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "plans" / "r.yaml").write_text(edit(TINY_ROAD, "{item: Y1}", "{item: Y9}"))
    exit_code = main(["validate", str(tmp_path / "plans" / "r.yaml"), str(tmp_path / "forms" / "q.yaml")])
    out = capsys.readouterr().out
    assert exit_code == 1
    assert "r.yaml:10: stages[0].criteria[0]: unknown item 'Y9'" in out


def test_roadmap_against_broken_questionnaire_says_so(tmp_path: Path, capsys) -> None:
    (tmp_path / "q.yaml").write_text(edit(TINY, "- id: I2", "- id: I1"), encoding="utf-8")
    (tmp_path / "r.yaml").write_text(TINY_ROAD, encoding="utf-8")
    assert main(["validate", str(tmp_path / "r.yaml")]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path}/r.yaml:2: questionnaire 'tiny' has errors, so the roadmap cannot be checked against it"
    ]


def test_messages_in_norwegian(tmp_path: Path, capsys) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(edit(TINY, "        text: one\n", ""), encoding="utf-8")
    assert main(["--lang", "nb", "validate", str(path)]) == 1
    assert capsys.readouterr().out.strip().endswith("dimensions[0].items[0]: feltet 'text' mangler")


@pytest.mark.parametrize("content, kind", [("", "an empty file"), ("- a\n- b\n", "a list")])
def test_file_that_is_not_a_mapping(tmp_path: Path, capsys, content: str, kind: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(content, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out.strip() == (
        f"{path}:1: the file must be a mapping of fields (id, title, ...), not {kind}"
    )


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path, capsys) -> None:
    assert main(["validate", str(tmp_path / "nothing.yaml")]) == 1
    assert "nothing.yaml:0: cannot read the file" in capsys.readouterr().out


def test_norway_problem_does_not_turn_text_into_false() -> None:
    text = edit(TINY, "title: Tiny", "title: {nb: no, en: off}")
    questionnaire = questionnaire_from_text(text)
    assert questionnaire.title.get("nb") == "no"
    assert questionnaire.title.get("en") == "off"


def test_invalid_questionnaire_never_reaches_scoring(tmp_path: Path, capsys) -> None:
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text(edit(TINY, "- id: I2", "- id: I1"), encoding="utf-8")
    answers = tmp_path / "answers.csv"
    answers.write_text("unit,cycle,respondent,item,answer\nu,c,r,I1,2\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    assert main(["score", str(questionnaire), str(answers), "--out", str(out)]) == 1
    assert "duplicate id 'I1'" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(ProblemsError):
        questionnaire_from_text(questionnaire.read_text())


def test_default_content_is_valid_from_the_shell() -> None:
    files = sorted(str(p) for p in (ROOT / "questionnaires").glob("*.yaml"))
    run = subprocess.run(
        [sys.executable, "-m", "scoring", "validate", *files], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""


def test_broken_file_from_the_shell(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(edit(TINY, "anchors: {1: a, 2: b, 3: c}", "anchors: {1: a, 2: b}"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "scoring", "validate", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 1
    assert run.stdout.startswith(f"{path}:14: dimensions[0].items[0].anchors:")


def test_read_definition_classifies_files() -> None:
    questionnaire = read_definition(DEFAULT_QUESTIONNAIRE.read_text(), "q")
    roadmap = read_definition(DEFAULT_ROADMAP.read_text(), "r")
    assert questionnaire.kind == "questionnaire" and isinstance(questionnaire.model, Questionnaire)
    assert roadmap.kind == "roadmap" and roadmap.valid
    assert validate_files([DEFAULT_QUESTIONNAIRE, DEFAULT_ROADMAP]) == []
