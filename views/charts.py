"""Vega-Lite specs for the dashboards, written as plain dicts with their data as Arrow.

Building them is cheap enough to do on every new data version (Altair's object model
costs 20-90 ms a chart; a dict costs microseconds), and st.vega_lite_chart draws them as
it draws Altair charts. The tests check every spec a page draws against the Vega-Lite
schema through Altair.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pyarrow as pa

Spec = dict[str, Any]


def legend_room(entries: int) -> int:
    """Pixels a legend below a chart needs on a phone (one entry a line), title included."""
    return 32 + 20 * entries


LEGEND_BELOW = legend_room(5)  # a legend of the five levels
NARROW = "containerSize()[0] < 600"  # a phone, or a narrow column


def legend_below(**extra: Any) -> dict[str, Any]:
    """A legend under the chart: five columns on a wide screen, one on a phone, so it never
    takes the width the chart needs nor runs out of the chart's frame."""
    return {
        "orient": "bottom",
        "direction": "horizontal",
        "columns": {"expr": f"{NARROW} ? 1 : 5"},
        "rowPadding": 4,  # five lines fit LEGEND_BELOW (the app's theme spaces them wider)
        **extra,
    }


def with_data(data: pd.DataFrame | list[dict[str, Any]] | pa.Table, spec: Spec) -> Spec:
    """The spec with `data` (a frame, records or an Arrow table) as its data, in the Arrow
    form Streamlit sends chart data in."""
    if isinstance(data, pa.Table):
        table = data
    elif isinstance(data, pd.DataFrame):
        table = pa.Table.from_pandas(data, preserve_index=False)
    else:
        table = pa.Table.from_pylist(data)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return {**spec, "data": {"name": "data"}, "datasets": {"data": sink.getvalue()}}


def field(name: str, kind: str, title: str | None = None, **extra: Any) -> dict[str, Any]:
    """An encoding channel; kind is nominal, ordinal or quantitative."""
    return {"field": name, "type": kind, "title": title, **extra}


def tip(name: str, kind: str, title: str, number_format: str | None = None) -> dict[str, Any]:
    entry = {"field": name, "type": kind, "title": title}
    return entry | ({"format": number_format} if number_format else {})


def heatmap(
    frame: pa.Table | list[dict[str, Any]],
    columns: list[str],
    rows: list[str],
    colours: dict[int, str],
    legend_labels: dict[int, str],
    titles: dict[str, str],
) -> Spec:
    """Rows (name) x columns (dimension) coloured by level with the score written in each
    cell; clicking a row selects its `group` (the "drill" selection)."""
    legend = " : ".join(f"datum.value == {lv} ? {_quoted(label)}" for lv, label in legend_labels.items())
    spec = {
        # SVG: at most a page of rows is drawn, and each cell is then an element a browser
        # (and a test) can find by its label
        "usermeta": {"embedOptions": {"renderer": "svg"}},
        # the height holds the axes above and the legend below too, so one row has room for both
        "height": 36 * len(rows) + LEGEND_BELOW + 140,
        "encoding": {
            "x": field(
                "dimension",
                "nominal",
                None,
                sort=columns,
                axis={"orient": "top", "labelAngle": -25, "labelLimit": 220, "labelOverlap": False},
            ),
            "y": field(
                "name", "nominal", None, sort=rows, axis={"labelLimit": {"expr": f"{NARROW} ? 110 : 240"}}
            ),
        },
        "layer": [
            {
                "mark": {"type": "rect", "stroke": "white"},
                "params": [{"name": "drill", "select": {"type": "point", "fields": ["group"]}}],
                "encoding": {
                    "color": field(
                        "level",
                        "ordinal",
                        titles["level"],
                        scale={"domain": list(colours), "range": list(colours.values())},
                        legend=legend_below(labelExpr=f"{legend} : datum.value"),
                    ),
                    "tooltip": [
                        tip("name", "nominal", titles["unit"]),
                        tip("dimension", "nominal", titles["dimension"]),
                        tip("label", "nominal", titles["level"]),
                        tip("score", "quantitative", titles["score"], ".2f"),
                        tip("units", "quantitative", titles["units"]),
                        tip("respondents", "quantitative", titles["respondents"]),
                        tip("spread", "quantitative", titles["spread"], ".2f"),
                    ],
                },
            },
            {
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {
                    "text": field("score_text", "nominal"),
                    "color": {
                        "condition": {"test": "datum.level == 1 || datum.level == 5", "value": "white"},
                        "value": "black",
                    },
                },
            },
        ],
    }
    return with_data(frame, spec)


def stacked_shares(
    frame: pd.DataFrame | list[dict[str, Any]],
    category: dict[str, Any],
    horizontal: bool,
    colours: dict[str, str],
    titles: dict[str, str],
    height: int,
) -> Spec:
    """Bars per category split into coloured shares (units per `label`, stacked to 100 %)."""
    share = field("units", "quantitative", titles["share"], stack="normalize", axis={"format": "%"})
    spec = {
        "height": height + LEGEND_BELOW,
        "mark": {"type": "bar"},
        "encoding": {
            ("y" if horizontal else "x"): category,
            ("x" if horizontal else "y"): share,
            "color": field(
                "label",
                "nominal",
                titles["level"],
                scale={"domain": list(colours), "range": list(colours.values())},
                legend=legend_below(),
            ),
            "order": field("level", "ordinal"),
            "tooltip": [
                tip(category["field"], "nominal", category["title"] or titles["category"]),
                tip("label", "nominal", titles["level"]),
                tip("units", "quantitative", titles["units"]),
            ],
        },
    }
    return with_data(frame, spec)


def lines(
    frame: pd.DataFrame | list[dict[str, Any]],
    cycles: list[str],
    series: list[str],
    titles: dict[str, str],
    height: int,
    dashed: str | None = None,
    extra_tip: tuple[str, str] | None = None,
    colours: dict[str, str] | None = None,
) -> Spec:
    """Score (1-5) per cycle, one line per dimension; the `dashed` one drawn dashed; in
    `colours` (a colour per series) if given."""
    colour = field("dimension", "nominal", titles["dimension"], sort=series, legend=legend_below())
    if colours:
        colour["scale"] = {"domain": list(colours), "range": list(colours.values())}
    encoding: dict[str, Any] = {
        "x": field("cycle", "nominal", titles["cycle"], sort=cycles),
        "y": field("score", "quantitative", titles["score"], scale={"domain": [1, 5]}),
        "color": colour,
        "tooltip": [
            tip("cycle", "nominal", titles["cycle"]),
            tip("dimension", "nominal", titles["dimension"]),
            tip("score", "quantitative", titles["score"], ".2f"),
            *([tip(extra_tip[0], "quantitative", extra_tip[1])] if extra_tip else []),
        ],
    }
    if dashed is not None:
        encoding["strokeDash"] = {
            "condition": {"test": f"datum.dimension == {_quoted(dashed)}", "value": [6, 3]},
            "value": [1, 0],
        }
    spec = {"height": height + legend_room(len(series)), "mark": {"type": "line", "point": True}}
    return with_data(frame, spec | {"encoding": encoding})


def stacked_counts(
    frame: pd.DataFrame | list[dict[str, Any]],
    cycles: list[str],
    colours: dict[str, str],
    titles: dict[str, str],
    height: int,
) -> Spec:
    """Units per cycle, stacked by `stage_label` in the order of `stage`."""
    spec = {
        "height": height + legend_room(len(colours)),
        "mark": {"type": "bar"},
        "encoding": {
            "x": field("cycle", "nominal", titles["cycle"], sort=cycles),
            "y": field("units", "quantitative", titles["units"]),
            "color": field(
                "stage_label",
                "nominal",
                titles["stage"],
                scale={"domain": list(colours), "range": list(colours.values())},
                sort=list(colours),
                legend=legend_below(),
            ),
            "order": field("stage", "ordinal"),
            "tooltip": [
                tip("cycle", "nominal", titles["cycle"]),
                tip("stage_label", "nominal", titles["stage"]),
                tip("units", "quantitative", titles["units"]),
            ],
        },
    }
    return with_data(frame, spec)


def timeline(frame: list[dict[str, Any]], colours: list[str], titles: dict[str, str]) -> Spec:
    """One bar per stage over its planned period."""
    stages, periods = [s["stage"] for s in frame], [s["period"] for s in frame]
    spec = {
        "height": 36 * len(stages) + 110,  # the height holds the axes too
        "mark": {"type": "bar", "height": 22},
        "encoding": {
            "x": field("period", "nominal", titles["period"], sort=list(dict.fromkeys(periods))),
            "y": field(
                "stage", "nominal", None, sort=stages, axis={"labelLimit": 260, "labelOverlap": False}
            ),
            "color": field("stage", "nominal", None, scale={"range": colours}, legend=None),
            "tooltip": [tip("stage", "nominal", titles["stage"]), tip("period", "nominal", titles["period"])],
        },
    }
    return with_data(frame, spec)


def _quoted(text: str) -> str:
    """A Vega expression string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
