"""The overview's heatmap, drawn as a plain HTML table by a small Streamlit component
(views/components/heatmap.js): units by dimensions, each cell coloured by its level with the
score written in it, a legend that names the levels, and a click on a row to drill down.

A Vega-Lite heatmap cost the browser 40-55 ms a draw at any size (compiling the spec and
running Vega's dataflow), more than the rest of the overview together; this table costs
2-3 ms, and a screen reader reads it as a table. The Vega-Lite spec (views.charts.heatmap)
is still what the figure download renders. Every text reaches the page as text: the
component sets textContent and attributes, never HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import streamlit as st

from views.theme import format_score

_HERE = Path(__file__).parent / "components"
_COMPONENT = st.components.v2.component(
    "maturity_heatmap",
    css=(_HERE / "heatmap.css").read_text(encoding="utf-8"),
    js=(_HERE / "heatmap.js").read_text(encoding="utf-8"),
)


def table_data(
    cells: pa.Table,
    columns: list[str],
    groups: list[str],
    names: Mapping[str, str],
    drillable: set[str],
    colours: Mapping[int, str],
    inks: Mapping[int, str],
    legend: Mapping[int, str],
    titles: Mapping[str, str],
    texts: Mapping[str, str],
) -> dict[str, Any]:
    """What the component draws: a row per group in `groups` (in that order), a cell per
    dimension in `columns` (empty where the group has no score), and the legend.

    `cells` has the overview's columns (group, dimension, level, label, score, score_text,
    units, respondents, spread); `texts` holds the table's caption, the legend's title and
    the drill-down hint ("{name}" in it is replaced by the row's name)."""
    by_cell = {(c["group"], c["dimension"]): c for c in cells.to_pylist()}

    def cell(group: str, dimension: str) -> dict[str, Any] | None:
        found = by_cell.get((group, dimension))
        if found is None:
            return None
        level = found["level"]
        return {
            "text": found["score_text"],
            "colour": colours.get(level, "#BBBBBB"),
            "ink": inks.get(level, "#000000"),
            "tip": "\n".join(
                (
                    f"{titles['unit']}: {name(group)}",
                    f"{titles['dimension']}: {dimension}",
                    f"{titles['level']}: {found['label']}",
                    f"{titles['score']}: {format_score(found['score'])}",
                    f"{titles['units']}: {found['units']}",
                    f"{titles['respondents']}: {found['respondents']}",
                    f"{titles['spread']}: {format_score(found['spread'])}",
                )
            ),
        }

    def name(group: str) -> str:
        return names.get(group, group)

    return {
        "caption": texts["caption"],
        "legend_title": titles["level"],
        "columns": columns,
        "rows": [
            {
                "group": group,
                "name": name(group),
                "drill": texts["drill"].replace("{name}", name(group)) if group in drillable else "",
                "cells": [cell(group, dimension) for dimension in columns],
            }
            for group in groups
        ],
        "legend": [{"colour": colours.get(lv, "#BBBBBB"), "label": label} for lv, label in legend.items()],
    }


def draw(data: dict[str, Any], key: str, on_drill: Callable[[str], None]) -> None:
    """Draw the table; a click on a drillable row calls `on_drill(group)` before the next run."""

    def drilled() -> None:
        chosen = st.session_state[key].get("drill")
        if chosen:
            on_drill(chosen)

    _COMPONENT(data=data, key=key, on_drill_change=drilled)
