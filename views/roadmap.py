"""The roadmap, in tabs of which only the open one is drawn: per cycle how many units have
reached each stage, where they stand against the stage the plan targets, and the stages
1.0-5.0 on the time line of their planned periods."""

from __future__ import annotations

from typing import Any

import streamlit as st

from scoring import rollup as rolled
from scoring.engine import OVERALL
from scoring.models import Roadmap
from storage import rollup
from views import charts, dash, plots, state
from views.i18n import lang, t

STAGE_COLOURS = ["#BBBBBB", "#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#0072B2"]


def page() -> None:
    st.title(t("nav.roadmap"))
    actor = state.signed_in_actor()
    if actor is None:
        return
    _, _, roadmap = state.questionnaire()
    if roadmap is None:
        st.info(t("roadmap.none"))
        return
    engine, data = state.engine(), state.version()
    node = dash.pick_node(actor, engine, data)
    if node is None:
        st.info(t("dash.no_scope"))
        return
    model = _model(engine, actor.user_id, node.unit_id, data, lang())
    st.caption(model["title"])
    if model["plan"] is not None:
        dash.rests_on(model["rests_on"])
    sections = {
        "reached": t("roadmap.tab.reached"),
        "plan": t("roadmap.tab.plan"),
        "timeline": t("roadmap.tab.timeline"),
    }
    chosen, tab = dash.section("roadmap", sections)  # the same tabs with or without data
    with tab:
        if chosen != "timeline" and model["plan"] is None:
            dash.no_data(dash.name(node), t("dash.all_cycles"))
        elif chosen == "reached":
            dash.draw_light(model["bars_chart"], model["bars"], f"veikart-trinn-{node.unit_id}")
        elif chosen == "plan":
            st.caption(t("roadmap.against_plan"))
            dash.show(model["plan"])
            dash.downloads(model["plan"], f"veikart-{node.unit_id}", "roadmap")
        else:
            dash.draw(model["timeline"], "veikart-tidslinje")


@dash.cached
def _model(_engine, user_id: str, node_id: str, data: int, language: str) -> dict[str, Any]:
    """The roadmap's time line, and per cycle the units at each stage and how many are
    ahead of, on or behind the plan, for the units under the node."""
    _, _, roadmap = state.questionnaire_at(_engine, data)
    description = roadmap.description.get(lang()) if roadmap.description else ""
    model: dict[str, Any] = {
        "title": roadmap.title.get(lang()) + (f" – {description}" if description else ""),
        "timeline": _timeline(roadmap, language),
        "plan": None,
    }
    cycles = dash.cycle_labels(_engine, data)
    overall = sorted(
        (
            r
            for r in dash.node_rows(_engine, user_id, node_id, data)
            if r["dimension_id"] == OVERALL and r["units"] > 0 and r["stages"]
        ),
        key=lambda r: list(cycles).index(r["cycle_id"]),
    )
    if not overall:
        return model
    order = [cycles[r["cycle_id"]] for r in overall]
    stage_names = {0: t("roadmap.stage_none")} | {
        n + 1: f"{s.id} {s.label.get(lang())}" for n, s in enumerate(roadmap.stages)
    }
    titles = [
        t("common.cycle"),
        t("roadmap.planned"),
        t("roadmap.ahead"),
        t("roadmap.on_plan"),
        t("roadmap.behind"),
        t("dash.units"),
        t("roadmap.median_journey"),
    ]
    counts, plan = [], []
    for row in overall:
        label = cycles[row["cycle_id"]]
        for stage, n in row["stages"].items():
            counts.append(
                {"cycle": label, "stage": int(stage), "stage_label": stage_names[int(stage)], "units": int(n)}
            )
        planned = rolled.planned_stage(roadmap, label)
        status = rolled.plan_counts(row["stages"], planned)
        median = rolled.median_of_counts(row["journeys"])
        plan.append(
            (
                label,
                stage_names.get(planned, "–") if planned else "–",
                status["ahead"],
                status["on_plan"],
                status["behind"],
                sum(int(n) for n in row["stages"].values()),
                None if median is None else round(median, 2),
            )
        )
    actor = state.actor_of(_engine, user_id, data)
    model["rests_on"] = dash.rests_on_cycles_text(
        rollup.units_with_results(_engine, actor, node_id, sorted(r["cycle_id"] for r in overall)),
        len(overall),
        sum(int(r["units"]) for r in overall),
        sum(int(r["respondents"]) for r in overall),
    )
    stage_colours = dict(zip(stage_names.values(), STAGE_COLOURS, strict=False))
    model["bars"] = charts.stacked_counts(counts, order, stage_colours, dash.titles(), height=360)
    model["bars_chart"] = plots.stacked(
        [{"cycle": c["cycle"], "category": c["stage_label"], "units": c["units"]} for c in counts],
        order,
        stage_colours,
        {
            "caption": t("roadmap.reached"),
            "cycle": t("common.cycle"),
            "units": t("dash.units"),
            "category": t("roadmap.stage"),
        },
    )
    model["plan"] = dash.shown({title: [p[i] for p in plan] for i, title in enumerate(titles)})
    return model


def _timeline(roadmap: Roadmap, language: str) -> dict:
    stages = [{"stage": f"{s.id} {s.label.get(language)}", "period": s.period or "–"} for s in roadmap.stages]
    return charts.timeline(stages, STAGE_COLOURS[1:], dash.titles())
