"""Overview for a node and a cycle: key figures, a heatmap of its children by dimension,
the spread over levels, and who has (not) submitted. Click a row or pick a child to drill
down. Everything shown is computed once per node, cycle, language and data version from
the stored rollups of the node and its children."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import streamlit as st

from scoring import rollup as rolled
from scoring.engine import OVERALL
from storage import rollup
from views import charts, dash, state, theme
from views.i18n import lang, t

MAX_LISTED = 50


def page() -> None:
    context = dash.start("nav.overview")
    if context is None:
        return
    actor, engine, data, node = context
    cycle = dash.pick_cycle(actor.user_id, node.unit_id)
    if cycle is None:
        dash.no_data(dash.name(node), "–")
        return
    cycle_id, cycle_label = cycle
    model = _model(engine, actor.user_id, node.unit_id, cycle_id, data, lang())
    if model["figures"] is None:
        dash.no_data(dash.name(node), cycle_label)
    else:
        dash.rests_on(*model["rests_on"])
        _key_figures(model["figures"], model["planned"])
        st.subheader(t("dash.heatmap"))
        event = dash.draw(model["heatmap"], on_select="rerun", key="heatmap")
        chosen = event.get("selection", {}).get("drill") if hasattr(event, "get") else None
        if chosen:
            group = chosen[0].get("group")
            if group in model["children"] and group != node.unit_id:
                dash.drill_to(group)
        st.caption(t("dash.heatmap_help"))
        dash.downloads(model["heatmap_table"], "oversikt", "heatmap")
        st.subheader(t("dash.distribution"))
        dash.draw(model["distribution"])
    st.subheader(t("dash.completion", cycle=cycle_label))
    dash.show(model["completion"])
    if model["missing_count"]:
        st.caption(t("dash.not_started_list", n=model["missing_count"]))
        st.text(model["missing"])
    dash.downloads(model["completion"], "innsending", "completion")


@dash.cached
def _model(_engine, user_id: str, node_id: str, cycle_id: int, data: int, language: str) -> dict[str, Any]:
    """Everything the page shows for a node and cycle: figures, chart specs and tables."""
    actor = state.actor_of(_engine, user_id, data)
    node = dash.place(_engine, user_id, node_id, data, language, dt.date.today().isoformat()).node
    _, questionnaire, roadmap = state.questionnaire_at(_engine, data)
    label = dash.cycle_labels(_engine, data)[cycle_id]
    current = [r for r in dash.node_rows(_engine, user_id, node_id, data) if r["cycle_id"] == cycle_id]
    top = next((r for r in current if r["dimension_id"] == OVERALL), None)
    children = node.children or [node._asdict()]
    child_rows = rollup.child_rows(_engine, actor, node_id, cycle_id) if node.children else current
    model: dict[str, Any] = {
        "children": {c["unit_id"] for c in node.children},
        "figures": None,
        "planned": None,
    }
    model.update(_completion(_engine, actor, node, cycle_id, children, child_rows, language))
    if top is None or top["units"] == 0:
        return model
    planned = rolled.planned_stage(roadmap, label) if roadmap is not None else None
    model["planned"] = planned
    model["figures"] = rolled.figures(top, planned)
    model["rests_on"] = (int(top["submitted"]), int(top["respondents"]))
    names = {c["unit_id"]: dash.name(c, language) for c in children}
    labels = dash.dimension_labels(questionnaire)
    levels = {s.level: s.label.get(language) for s in questionnaire.scale}
    cells = rolled.cells(child_rows)
    data = pa.table(  # column by column: the chart's data and, renamed, the download
        {
            "group": [c["node_id"] for c in cells],
            "name": [names.get(c["node_id"], c["node_id"]) for c in cells],
            "dimension": [labels.get(c["dimension_id"], c["dimension_id"]) for c in cells],
            "level": [c["level"] for c in cells],
            "label": [f"{c['level']} · {levels.get(c['level'], '')}" for c in cells],
            "score": [c["score"] for c in cells],
            "score_text": [f"{c['score']:.1f}" for c in cells],
            "units": [c["units"] for c in cells],
            "respondents": [c["respondents"] for c in cells],
            "spread": [c["spread"] for c in cells],
        }
    )
    model["heatmap"] = charts.heatmap(
        data,
        dash.dimension_order(questionnaire),
        sorted(set(data.column("name").to_pylist())),
        {lv: theme.LEVEL_COLOURS.get(lv, theme.NO_SCORE_COLOUR) for lv in levels},
        {lv: f"{lv} {label}" for lv, label in levels.items()},
        dash.titles(),
    )
    columns = {
        "name": t("common.unit"),
        "dimension": t("common.dimension"),
        "score": t("common.score"),
        "level": t("common.level"),
        "units": t("dash.units"),
        "respondents": t("dash.respondents"),
        "spread": t("dash.spread"),
    }
    model["heatmap_table"] = data.select(list(columns)).rename_columns(list(columns.values()))
    model["distribution"] = _distribution(current, questionnaire, language)
    return model


def _key_figures(figures: dict, planned: int | None) -> None:
    columns = st.columns(4)
    columns[0].metric(t("dash.share_level_3"), _percent(figures["share_level_3"]))
    columns[1].metric(
        t("dash.median_journey"),
        "–" if figures["median_journey"] is None else f"{figures['median_journey']:.1f}",
    )
    columns[2].metric(
        t("dash.on_plan", stage=f"{planned}.0" if planned else "–"),
        _percent(figures["share_on_plan"]),
        help=t("dash.on_plan_help"),
    )
    change = figures["change"]
    columns[3].metric(
        t("dash.change"),
        "–" if change is None else f"{change:+.2f}",
        delta=None if change is None else f"{change:+.2f}",
    )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _distribution(current: list[dict], questionnaire, language: str) -> dict:
    labels = dash.dimension_labels(questionnaire)
    names = {s.level: f"{s.level} {s.label.get(language)}" for s in questionnaire.scale}
    counts = [
        {
            "dimension": labels.get(c["dimension_id"], c["dimension_id"]),
            "level": c["level"],
            "label": names[c["level"]],
            "units": c["units"],
        }
        for c in rolled.level_counts(current, questionnaire.levels)
    ]
    order = dash.dimension_order(questionnaire)
    return charts.stacked_shares(
        counts,
        charts.field("dimension", "nominal", None, sort=order, axis={"labelLimit": 240}),
        horizontal=True,
        colours=dash.level_colours(questionnaire, language),
        titles=dash.titles(),
        height=32 * len(order) + 60,
    )


def _completion(
    engine, actor, node, cycle_id: int, children: list[dict], child_rows: list[dict], language: str
) -> dict:
    """Submitted, started and not started units per child (most not started first), and the
    first units not started (by id) with how many there are."""
    overall = {r["node_id"]: r for r in child_rows if r["dimension_id"] == OVERALL}
    rows = []
    for child in children:
        row = overall.get(child["unit_id"], {})
        submitted, drafts = int(row.get("submitted", 0)), int(row.get("drafts", 0))
        rows.append(
            (dash.name(child, language), submitted, drafts, int(child["leaves"]) - submitted - drafts)
        )
    rows.sort(key=lambda r: (-r[3], r[0]))
    titles = [t("common.unit"), t("dash.submitted"), t("dash.draft"), t("dash.not_started")]
    table = {title: [r[i] for r in rows] for i, title in enumerate(titles)}
    count = sum(r[3] for r in rows)
    missing = rollup.not_started(engine, actor, node.unit_id, cycle_id, MAX_LISTED) if count else []
    listed = ", ".join(sorted(dash.name(m, language) for m in missing)) + (
        " …" if count > len(missing) else ""
    )
    return {"completion": dash.shown(table), "missing": listed, "missing_count": count}
