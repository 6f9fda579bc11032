"""Light charts for the dashboards' first tabs, drawn as SVG by a small component
(views/assets/chart.js): scores over cycles as lines, and counts per cycle as stacked bars.

A Vega-Lite chart costs the browser 35-55 ms a draw whatever it shows; these cost a few, so
a dashboard opens on its first tab about as fast as a page of text. The same data as a
Vega-Lite spec (views.charts) is what the figure download renders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from views import web

_CHART = web.component("chart")
# Okabe-Ito without the level colours' order: one colour a series, safe for colour-blind eyes.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#F0E442"]
OVERALL_COLOUR = "#000000"


def series_colours(series: Sequence[str], dashed: str | None) -> dict[str, str]:
    """A colour per series, black for the dashed (overall) one; the Vega-Lite figure uses the same."""
    others = iter(SERIES_COLOURS * (1 + len(series) // len(SERIES_COLOURS)))
    return {s: OVERALL_COLOUR if s == dashed else next(others) for s in series}


def lines(
    records: Sequence[Mapping[str, Any]],
    cycles: Sequence[str],
    series: Sequence[str],
    texts: Mapping[str, str],
    dashed: str | None = None,
    extra: str | None = None,
    height: int = 400,
) -> dict[str, Any]:
    """Score (1-5) per cycle, one line per series, from records with cycle, dimension and
    score (and `extra`, shown in the tooltips). `texts`: caption (shown above the chart),
    cycle, score, dimension, and extra's title."""
    values = {(r["dimension"], r["cycle"]): r for r in records}
    colours = series_colours(series, dashed)

    def row(name: str, field: str) -> list[Any]:
        return [values[(name, c)][field] if (name, c) in values else None for c in cycles]

    return {
        "kind": "lines",
        "caption": texts["caption"],
        "height": height,
        "x": list(cycles),
        "x_title": texts["cycle"],
        "y_title": texts["score"],
        "y_domain": [1, 5],
        "y_step": 0.5,
        "legend_title": texts["dimension"],
        "extra_title": texts.get("extra", ""),
        "series": [
            {
                "name": name,
                "colour": colours[name],
                "dashed": name == dashed,
                "values": row(name, "score"),
                "extra": row(name, extra) if extra else None,
            }
            for name in series
        ],
    }


def stacked(
    records: Sequence[Mapping[str, Any]],
    cycles: Sequence[str],
    categories: Mapping[str, str],
    texts: Mapping[str, str],
    height: int = 360,
) -> dict[str, Any]:
    """Units per cycle stacked by category (bottom up in the order of `categories`, which
    maps each to its colour), from records with cycle, category and units. `texts`:
    caption (shown above the chart), cycle, units, category (the legend's title)."""
    counts = {(r["category"], r["cycle"]): r["units"] for r in records}
    return {
        "kind": "stacked",
        "caption": texts["caption"],
        "height": height,
        "x": list(cycles),
        "x_title": texts["cycle"],
        "y_title": texts["units"],
        "unit_word": texts["units"].lower(),
        "legend_title": texts["category"],
        "series": [
            {"name": name, "colour": colour, "values": [counts.get((name, c), 0) for c in cycles]}
            for name, colour in categories.items()
        ],
    }


def draw(data: dict[str, Any], key: str) -> None:
    _CHART(data=data, key=key)
