"""The overview's heatmap, drawn as a plain HTML table by a small Streamlit component
(views/assets/heatmap.js): units by dimensions, each cell coloured by its level with the
score written in it, a legend that names the levels, a page of rows at a time in the order
chosen, and a click on a row to drill down.

A Vega-Lite heatmap cost the browser 40-55 ms a draw at any size (compiling the spec and
running Vega's dataflow), more than the rest of the overview together; this table costs
2-3 ms, a screen reader reads it as a table, and paging and ordering happen in the browser
without a run of the page. The Vega-Lite spec (views.charts.heatmap) is still what the
figure download renders, for the rows on screen. Every text reaches the page as text: the
component sets textContent and attributes, never HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import pyarrow as pa
import streamlit as st

from views import web

_COMPONENT = web.component("heatmap")
ORDERS = ("name", "lowest")
MAX_ROWS = 2000  # rows sent to the browser in each order; the download has them all


class View(NamedTuple):
    """The rows on screen: the order and the first row's position in it."""

    order: str = "name"
    first: int = 0


def table_data(
    cells: pa.Table,
    columns: list[str],
    orders: Mapping[str, list[str]],
    names: Mapping[str, str],
    drillable: set[str],
    levels: Mapping[int, Mapping[str, str]],
    legend: Mapping[int, str],
    texts: Mapping[str, str],
    page: int,
) -> dict[str, Any]:
    """What the component is given: a row per group (at most MAX_ROWS in each order), a cell
    per dimension in `columns` (None where the group has no score), the orders as positions
    in the rows, and the legend.

    `cells` has the overview's columns (group, dimension, level, score, units, respondents,
    spread); `levels` maps a level to its colour, ink (text colour) and label; `texts` holds
    the table's caption and the words of its controls, tooltips and drill-down hint."""
    groups = list(dict.fromkeys(g for order in ORDERS for g in orders[order][:MAX_ROWS]))
    position = {g: n for n, g in enumerate(groups)}
    column = {d: n for n, d in enumerate(columns)}
    rows: list[dict[str, Any]] = [
        {
            "group": g,
            "name": names.get(g, g),
            "drill": g in drillable,
            "cells": [None] * len(columns),
        }
        for g in groups
    ]
    for c in cells.to_pylist():
        n, d = position.get(c["group"]), column.get(c["dimension"])
        if n is not None and d is not None:
            rows[n]["cells"][d] = [c["level"], c["score"], c["units"], c["respondents"], c["spread"]]
    return {
        "columns": columns,
        "rows": rows,
        "orders": {o: [position[g] for g in orders[o][:MAX_ROWS]] for o in ORDERS},
        "levels": {str(lv): dict(look) for lv, look in levels.items()},
        "legend": [{"colour": levels[lv]["colour"], "label": label} for lv, label in legend.items()],
        "texts": dict(texts),
        "page": page,
    }


def draw(data: dict[str, Any], key: str, on_drill: Callable[[str], None]) -> View:
    """Draw the table; a click on a drillable row calls `on_drill(group)` before the next
    run. Returns the rows the user has on screen."""

    def drilled() -> None:
        chosen = st.session_state[key].get("drill")
        if chosen:
            on_drill(chosen)

    view = _view(st.session_state.get(key, {}).get("view"))  # the rows on screen at the last run
    result = _COMPONENT(
        data={**data, "key": key, "view": view._asdict()},
        key=key,
        default={"view": view._asdict()},
        on_drill_change=drilled,
        on_view_change=lambda: None,
    )
    return _view(result.get("view"))


def _view(value: Any) -> View:
    if isinstance(value, Mapping) and value.get("order") in ORDERS and isinstance(value.get("first"), int):
        return View(value["order"], max(0, value["first"]))
    return View()
