"""The roadmap: stages 1.0-5.0 on the time line of their planned periods, and per cycle how
many units have reached each stage against the stage the plan targets."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from scoring.aggregate import plan_status, planned_stage
from scoring.engine import OVERALL
from views import dash, state
from views.i18n import lang, t

STAGE_COLOURS = ["#BBBBBB", "#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#0072B2"]


def page() -> None:
    st.title(t("nav.roadmap"))
    actor = state.current_actor()
    if actor is None:
        st.info(t("common.sign_in_first"), icon=":material/arrow_back:")
        return
    _, _, roadmap = state.questionnaire()
    if roadmap is None:
        st.info(t("roadmap.none"))
        return
    engine, data = state.engine(), state.version()
    st.caption(
        roadmap.title.get(lang()) + (" – " + roadmap.description.get(lang()) if roadmap.description else "")
    )
    _timeline(roadmap)
    paths = dash.tree(engine, data)
    node = dash.pick_node(actor, paths)
    if node is None:
        st.info(t("dash.no_scope"))
        return
    names = dash.name_of(paths)
    overall = _stages(engine, actor.user_id, node, data)
    if overall.empty:
        dash.no_data(names.get(node, node), t("dash.all_cycles"))
        return
    cycles = {c["id"]: c["label"] for c in dash.cycles(engine, data)}
    overall = overall.assign(cycle=overall["cycle_id"].map(cycles), stage=overall["stage"].astype(int))
    dash.rests_on(int(overall["unit_id"].nunique()), int(overall["respondents"].sum()))
    order = [c for c in cycles.values() if c in set(overall["cycle"])]
    stage_names = {0: t("roadmap.stage_none")} | {
        n + 1: f"{s.id} {s.label.get(lang())}" for n, s in enumerate(roadmap.stages)
    }
    counts = overall.groupby(["cycle", "stage"]).size().rename("units").reset_index()
    counts["stage_label"] = counts["stage"].map(stage_names)
    st.subheader(t("roadmap.reached"))
    colours = alt.Scale(domain=list(stage_names.values()), range=STAGE_COLOURS[: len(stage_names)])
    bars = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("cycle:N", sort=order, title=t("common.cycle")),
            y=alt.Y("units:Q", title=t("dash.units")),
            color=alt.Color(
                "stage_label:N", scale=colours, title=t("roadmap.stage"), sort=list(stage_names.values())
            ),
            order=alt.Order("stage:O"),
            tooltip=[
                "cycle",
                alt.Tooltip("stage_label:N", title=t("roadmap.stage")),
                alt.Tooltip("units:Q", title=t("dash.units")),
            ],
        )
        .properties(height=320)
    )
    st.altair_chart(bars, width="stretch")
    rows = []
    for cycle in order:
        planned = planned_stage(roadmap, cycle)
        status = plan_status(overall[overall["cycle"] == cycle], planned)
        units = int((overall["cycle"] == cycle).sum())
        rows.append(
            {
                t("common.cycle"): cycle,
                t("roadmap.planned"): stage_names.get(planned, "–") if planned else "–",
                t("roadmap.ahead"): int((status == "ahead").sum()),
                t("roadmap.on_plan"): int((status == "on_plan").sum()),
                t("roadmap.behind"): int((status == "behind").sum()),
                t("dash.units"): units,
                t("roadmap.median_journey"): round(
                    float(overall.loc[overall["cycle"] == cycle, "journey"].median()), 1
                ),
            }
        )
    table = pd.DataFrame(rows)
    st.subheader(t("roadmap.against_plan"))
    st.dataframe(table, hide_index=True, width="stretch")
    dash.downloads(table, "veikart", "roadmap")


@st.cache_data(show_spinner=False, max_entries=32)
def _stages(_engine, user_id: str, node: str, data: int) -> pd.DataFrame:
    """The overall rows with a roadmap stage of the units under the node, all cycles."""
    groups = dash.under(dash.tree(_engine, data), node)
    everything = dash.results(_engine, user_id, data)
    return everything.loc[
        (everything["dimension_id"] == OVERALL)
        & everything["unit_id"].isin(groups["unit_id"])
        & everything["stage"].notna(),
        ["unit_id", "cycle_id", "stage", "journey", "respondents"],
    ].reset_index(drop=True)


def _timeline(roadmap) -> None:
    stages = pd.DataFrame(
        [
            {"stage": f"{s.id} {s.label.get(lang())}", "period": s.period or "–", "order": n}
            for n, s in enumerate(roadmap.stages)
        ]
    )
    chart = (
        alt.Chart(stages)
        .mark_bar(height=22)
        .encode(
            x=alt.X("period:N", sort=list(stages["period"]), title=t("roadmap.period")),
            y=alt.Y("stage:N", sort=list(stages["stage"]), title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("stage:N", scale=alt.Scale(range=STAGE_COLOURS[1:]), legend=None),
            tooltip=["stage", "period"],
        )
        .properties(height=36 * len(stages) + 110)  # the height holds the axes too
    )
    st.altair_chart(chart, width="stretch")


page()
