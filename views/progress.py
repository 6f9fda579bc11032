"""Progress over time for a node, in tabs of which only the open one is drawn: dimension
scores across cycles, how the spread over levels shifted, and the units that moved up or
down the most. Read from the node's stored
rollups, once per node, language and data version."""

from __future__ import annotations

from typing import Any

import streamlit as st

from scoring import rollup as rolled
from scoring.engine import OVERALL
from storage import rollup
from views import charts, dash, plots, state
from views.i18n import lang, t

MOVERS = 10


def page() -> None:
    context = dash.start("nav.progress")
    if context is None:
        return
    actor, engine, data, node = context
    model = _model(engine, actor.user_id, node.unit_id, data, lang())
    if model is None:
        dash.no_data(dash.name(node), t("dash.all_cycles"))
        return
    dash.rests_on(model["rests_on"])
    sections = {"scores": t("progress.tab.scores"), "levels": t("progress.tab.levels")}
    if model["movers"] is not None:
        sections["movers"] = t("progress.tab.movers")
    chosen, tab = dash.section("progress", sections)
    with tab:
        if chosen == "scores":
            dash.draw_light(model["trend_chart"], model["trend"], f"utvikling-{node.unit_id}")
            dash.numbers(model["trend_table"], "trend")
            dash.downloads(model["trend_export"], f"utvikling-{node.unit_id}", "trend")
        elif chosen == "levels":
            st.caption(t("progress.distribution"))
            dash.draw(model["levels"], f"nivaer-{node.unit_id}")
        else:
            _movers(model["movers"], node.unit_id)


def _movers(movers: dict[str, Any], node_id: str) -> None:
    """The units that moved most up and down between the two newest cycles."""
    before, after = movers["between"]
    st.caption(t("progress.movers", before=before, after=after))
    up, down = movers["up"], movers["down"]
    if up.num_rows == 0 and down.num_rows == 0:
        st.caption(t("progress.no_movers"))
        return
    left, right = st.columns(2)
    for column, label, table in ((left, "progress.up", up), (right, "progress.down", down)):
        with column:
            st.caption(t(label))
            if table.num_rows:
                dash.show(table)
            else:  # an empty table would say "empty" in English
                st.caption(dash.PLACEHOLDER)
    dash.downloads(movers["both"], f"endring-{node_id}", "movers")


@dash.cached
def _model(_engine, user_id: str, node_id: str, data: int, language: str) -> dict[str, Any] | None:
    """Mean scores per cycle and dimension, overall levels per cycle, and the units that
    moved most into the newest cycle, for the units under the node."""
    actor = state.actor_of(_engine, user_id, data)
    rows = dash.node_rows(_engine, user_id, node_id, data)
    scored = [r for r in rows if r["units"] > 0]
    if not scored:
        return None
    _, questionnaire, _ = state.questionnaire_at(_engine, data)
    cycles = dash.cycle_labels(_engine, data)
    labels = dash.dimension_labels(questionnaire)
    present = {r["cycle_id"] for r in scored}
    order = dash.cycle_order(cycles, present)
    dimension_order = dash.dimension_order(questionnaire)
    trend = [
        {
            "cycle": cycles[r["cycle_id"]],
            "dimension": labels.get(r["dimension_id"], r["dimension_id"]),
            "score": r["score_sum"] / r["units"],
            "units": r["units"],
        }
        for r in scored
    ]
    scores = {(r["dimension"], r["cycle"]): round(r["score"], 2) for r in trend}
    table = {t("common.dimension"): dimension_order} | {
        cycle: [scores.get((dimension, cycle)) for dimension in dimension_order] for cycle in order
    }
    overall = sorted(
        (r for r in scored if r["dimension_id"] == OVERALL), key=lambda r: order.index(cycles[r["cycle_id"]])
    )
    export = sorted(  # by cycle, then dimension, as the table reads
        trend, key=lambda r: (order.index(r["cycle"]), dimension_order.index(r["dimension"]))
    )
    names = {s.level: f"{s.level} {s.label.get(language)}" for s in questionnaire.scale}
    levels = [
        {
            "cycle": cycles[r["cycle_id"]],
            "level": level,
            "label": names[level],
            "units": int((r["levels"] or {}).get(rolled.count_key(level), 0)),
        }
        for r in overall
        for level in questionnaire.levels
    ]
    model: dict[str, Any] = {
        "rests_on": dash.rests_on_cycles_text(
            rollup.units_with_results(_engine, actor, node_id, sorted(present)),
            len(present),
            sum(int(r["units"]) for r in overall),
            sum(int(r["respondents"]) for r in overall),
        ),
        "trend": charts.lines(
            trend,
            order,
            dimension_order,
            dash.titles(),
            height=400,
            dashed=labels[OVERALL],
            extra_tip=("units", t("dash.units")),
            colours=plots.series_colours(dimension_order, labels[OVERALL]),
        ),
        "trend_chart": plots.lines(
            trend,
            order,
            dimension_order,
            {
                "caption": t("progress.scores"),
                "cycle": t("common.cycle"),
                "score": t("common.score"),
                "dimension": t("common.dimension"),
                "extra": t("dash.units"),
            },
            dashed=labels[OVERALL],
            extra="units",
        ),
        "trend_table": dash.shown(table),
        "trend_export": dash.shown(
            {
                t("common.cycle"): [r["cycle"] for r in export],
                t("common.dimension"): [r["dimension"] for r in export],
                t("common.score"): [r["score"] for r in export],
                t("dash.units"): [r["units"] for r in export],
            }
        ),
        "levels": charts.stacked_shares(
            levels,
            charts.field("cycle", "nominal", t("common.cycle"), sort=order),
            horizontal=False,
            colours=dash.level_colours(questionnaire, language),
            titles=dash.titles(),
            height=360,
        ),
    }
    model["movers"] = None
    if len(order) >= 2:
        newest = max(present, key=list(cycles).index)
        ids = list(cycles)
        before = cycles[ids[ids.index(newest) - 1]]
        rising, falling = rollup.movers(_engine, actor, node_id, newest, MOVERS)
        titles = (t("common.unit"), before, cycles[newest], t("progress.change"))

        def table(moved: list[dict]) -> dict[str, list]:
            rows = [
                (dash.name(m, language), round(m["before"], 2), round(m["after"], 2), round(m["change"], 2))
                for m in moved
            ]
            return {title: [r[i] for r in rows] for i, title in enumerate(titles)}

        both = {m["unit_id"]: m for m in rising + falling}
        in_tree = [both[u] for u in rollup.tree_order(_engine, list(both), language)]
        model["movers"] = {
            "between": (before, cycles[newest]),
            "up": dash.shown(table(rising)),
            "down": dash.shown(table(falling)),
            "both": dash.shown({t("common.cycle"): [cycles[newest]] * len(in_tree)} | table(in_tree)),
        }
    return model
