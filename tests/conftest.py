"""Shared fixtures: a small questionnaire and roadmap whose results are easy to work out."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONNAIRE = ROOT / "questionnaires" / "ledelse-og-kvalitetsforbedring.yaml"
DEFAULT_ROADMAP = ROOT / "questionnaires" / "forbedringsreisen.yaml"


def anchors(levels: int = 5, indent: int = 0) -> str:
    return "\n".join(f"{' ' * indent}{n}: level {n}" for n in range(1, levels + 1))


def small_questionnaire(method: str = "mean", min_coverage: float = 0.5) -> str:
    """Dimension a (weight 2): A1, A2, A3 (weight 2); dimension b: B1, B2 and yes/no Y1, Y2."""
    a = anchors(indent=10)
    return textwrap.dedent(
        """\
        id: small
        version: "1"
        title: {{nb: Lite skjema, en: Small form}}
        scale:
          - {{level: 1, key: l1, label: One}}
          - {{level: 2, key: l2, label: Two}}
          - {{level: 3, key: l3, label: Three}}
          - {{level: 4, key: l4, label: Four}}
          - {{level: 5, key: l5, label: Five}}
        scoring:
          method: {method}
          min_coverage: {min_coverage}
        dimensions:
          - id: a
            label: A
            weight: 2
            items:
              - id: A1
                text: first
                anchors:
        {a}
              - id: A2
                text: second
                anchors:
        {a}
              - id: A3
                text: third
                weight: 2
                anchors:
        {a}
          - id: b
            label: B
            items:
              - id: B1
                text: fourth
                anchors:
        {a}
              - id: B2
                text: fifth
                anchors:
        {a}
              - id: Y1
                type: yesno
                text: checklist one
              - id: Y2
                type: yesno
                text: checklist two
        """
    ).format(method=method, min_coverage=min_coverage, a=a)


SMALL_ROADMAP = textwrap.dedent(
    """\
    id: small-road
    questionnaire: small
    title: Small road
    stages:
      - id: "1.0"
        key: one
        label: One
        period: "2022/2023"
        criteria:
          - item: Y1
          - dimension: a
            min_level: 2
      - id: "2.0"
        key: two
        label: Two
        period: "2023/2024"
        criteria:
          - item: A1
            min_level: 3
          - item: Y2
          - dimension: b
            min_level: 3
          - dimension: a
            min_level: 3
          - item: B2
            min_level: 4
      - id: "3.0"
        key: three
        label: Three
        period: "2024/2025"
        criteria:
          - dimension: b
            min_level: 4
          - item: B1
            min_level: 5
    """
)


@pytest.fixture
def write(tmp_path: Path):
    """Write `text` to a file named `name` in a fresh folder and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
