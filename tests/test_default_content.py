"""The shipped questionnaire and roadmap have the shape DESIGN.md section 2 asks for."""

from __future__ import annotations

import pytest

from scoring.validation import load_questionnaire, load_roadmap

from .conftest import DEFAULT_QUESTIONNAIRE, DEFAULT_ROADMAP

QUESTIONNAIRE = load_questionnaire(DEFAULT_QUESTIONNAIRE)
ROADMAP = load_roadmap(DEFAULT_ROADMAP, QUESTIONNAIRE)


def test_scale_is_the_five_levels() -> None:
    assert [(s.level, s.key, s.label.get("nb"), s.label.get("en")) for s in QUESTIONNAIRE.scale] == [
        (1, "tilfeldig", "Tilfeldig", "Ad hoc"),
        (2, "organisert", "Organisert", "Organised"),
        (3, "formalisert", "Formalisert", "Formalised"),
        (4, "forebyggende", "Forebyggende", "Preventive"),
        (5, "integrert", "Integrert", "Integrated"),
    ]


def test_six_dimensions_of_about_three_scored_items() -> None:
    assert [d.id for d in QUESTIONNAIRE.dimensions] == [
        "lederansvar",
        "risiko",
        "kompetanse",
        "maling",
        "medvirkning",
        "brukermedvirkning",
    ]
    assert all(3 <= len(d.scored_items) <= 4 for d in QUESTIONNAIRE.dimensions)


def every_text():
    q = QUESTIONNAIRE
    yield "title", q.title
    for step in q.scale:
        yield f"scale {step.level}", step.label
    for d in q.dimensions:
        yield d.id, d.label
        for item in d.items:
            yield item.id, item.text
            for level, anchor in (item.anchors or {}).items():
                yield f"{item.id} anchor {level}", anchor
    for stage in ROADMAP.stages:
        yield stage.id, stage.label


@pytest.mark.parametrize("where, text", list(every_text()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_text_in_bokmal_and_english(where: str, text) -> None:
    assert text.nb and text.en, where
    assert text.nb != text.en or len(text.nb) < 12, f"{where} is not translated"


def test_anchors_are_distinct_and_cover_the_scale() -> None:
    for item in QUESTIONNAIRE.items():
        if not item.scored:
            continue
        assert sorted(item.anchors) == [1, 2, 3, 4, 5], item.id
        for lang in ("nb", "en"):
            texts = [item.anchors[level].get(lang) for level in sorted(item.anchors)]
            assert len(set(texts)) == 5, (item.id, lang)


def test_roadmap_stages_and_periods() -> None:
    assert [(s.id, s.key, s.period) for s in ROADMAP.stages] == [
        ("1.0", "kompetanse", "2022/2023"),
        ("2.0", "medvirkning", "2023/2024"),
        ("3.0", "eierskap", "2024/2025"),
        ("4.0", "kultur", "2025/2026"),
        ("5.0", "baerekraft", "2026/2027"),
    ]
    assert all(3 <= len(s.criteria) <= 5 for s in ROADMAP.stages)


def test_every_checklist_item_is_used_by_the_roadmap() -> None:
    used = {c.item for s in ROADMAP.stages for c in s.criteria if c.item}
    checklist = {i.id for i in QUESTIONNAIRE.items() if not i.scored}
    assert checklist <= used
