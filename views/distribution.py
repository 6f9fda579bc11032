"""Charts of a workshop's revealed ratings: how many chose each level, per item, never who.

Bars are coloured by level and always labelled with the level's name; "vet ikke" is grey.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from scoring.models import Item, Questionnaire
from scoring.workshop import DONT_KNOW, discussion_order, spread
from views import charts, dash, theme
from views.i18n import t

BAR_HEIGHT = 26
DARK = {theme.LEVEL_COLOURS[1], theme.LEVEL_COLOURS[5]}  # colours that take white text


def answers(questionnaire: Questionnaire, item: Item, language: str) -> list[tuple[str, str, str]]:
    """(key, label, colour) of each answer an item takes, in the order they are drawn."""
    if item.scored:
        answers = [
            (
                str(level),
                f"{level} {questionnaire.level_label(level, language)}",
                theme.LEVEL_COLOURS.get(level, theme.NO_SCORE_COLOUR),
            )
            for level in questionnaire.levels
        ]
    else:
        answers = [("yes", t("form.yes"), "#0072B2"), ("no", t("form.no"), "#D55E00")]
    return [*answers, (DONT_KNOW, t("form.dont_know"), theme.NO_SCORE_COLOUR)]


def overview_chart(
    questionnaire: Questionnaire, counts: dict[str, dict[str, int]], language: str
) -> dict[str, Any]:
    """Every item as one bar split by how many chose each answer, the widest spread first."""
    order = discussion_order(questionnaire, counts)
    rows, colours = [], {}
    names = []
    for item in order:
        given = counts.get(item.id, {})
        wide = spread(given)
        name = f"{item.id} · {item.text.get(language)}"
        if len(name) > 48:
            name = name[:47] + "…"
        if wide is not None:
            name += f" ({t('workshop.spread_of', spread=wide)})"
        names.append(name)
        for n, (key, label, colour) in enumerate(answers(questionnaire, item, language)):
            colours[label] = colour
            if given.get(key):
                dark = colour in DARK
                rows.append(
                    {"item": name, "answer": label, "order": n, "count": int(given[key]), "dark": dark}
                )
    spec = {
        "height": BAR_HEIGHT * len(names) + 40,
        "transform": [
            {"stack": "count", "groupby": ["item"], "sort": [{"field": "order"}], "as": ["start", "end"]},
            {"calculate": "(datum.start + datum.end) / 2", "as": "middle"},
        ],
        "encoding": {
            "y": charts.field("item", "nominal", None, sort=names, axis={"labelLimit": 210}),
        },
        "layer": [
            {
                "mark": {"type": "bar"},
                "encoding": {
                    "x": charts.field(
                        "start",
                        "quantitative",
                        t("workshop.how_many"),
                        axis={"tickMinStep": 1, "format": "d"},
                    ),
                    "x2": {"field": "end"},
                    "color": charts.field(
                        "answer",
                        "nominal",
                        t("workshop.answer"),
                        scale={"domain": list(colours), "range": list(colours.values())},
                        legend={"orient": "bottom", "columns": 3, "labelLimit": 200},
                    ),
                    "tooltip": [
                        charts.tip("item", "nominal", t("profile.item")),
                        charts.tip("answer", "nominal", t("workshop.answer")),
                        charts.tip("count", "quantitative", t("workshop.how_many")),
                    ],
                },
            },
            {
                "mark": {"type": "text"},
                "encoding": {
                    "x": charts.field("middle", "quantitative"),
                    "text": charts.field("count", "quantitative"),
                    "color": {"condition": {"test": "datum.dark", "value": "white"}, "value": "black"},
                },
            },
        ],
    }
    return charts.with_data(rows, spec)


def draw(spec: dict[str, Any], key: str, figure: str | None = None) -> None:
    """Draw a distribution chart; with a `figure` name, with PNG and SVG downloads too."""
    if figure is None:
        if os.environ.get("MATURITY_VALIDATE_CHARTS", "") not in ("", "0"):
            dash.validate(spec)
        st.vega_lite_chart(spec=spec, width="stretch", key=key)
    else:
        dash.draw(spec, figure, key=key)
