"""The roadmap: stages 1.0-5.0 on the time line of their planned periods, and per cycle how
many units have reached each stage against the stage the plan targets."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from scoring.aggregate import plan_status, planned_stage
from scoring.engine import OVERALL
from scoring.models import Roadmap
from views import dash, state
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
    description = roadmap.description.get(lang()) if roadmap.description else ""
    st.caption(roadmap.title.get(lang()) + (f" – {description}" if description else ""))
    dash.chart(("roadmap-timeline", roadmap.id), lambda: _timeline(roadmap))
    paths = dash.tree(engine, data)
    node = dash.pick_node(actor, paths)
    if node is None:
        st.info(t("dash.no_scope"))
        return
    names = dash.name_of(paths)
    summary = _summary(engine, actor.user_id, node, data, roadmap.id, roadmap)
    if summary is None:
        dash.no_data(names.get(node, node), t("dash.all_cycles"))
        return
    dash.rests_on(summary["units"], summary["respondents"])
    stage_names = {0: t("roadmap.stage_none")} | {
        n + 1: f"{s.id} {s.label.get(lang())}" for n, s in enumerate(roadmap.stages)
    }
    order = summary["order"]

    def bars() -> alt.Chart:
        counts = summary["counts"].assign(stage_label=lambda f: f["stage"].map(stage_names))
        colours = alt.Scale(domain=list(stage_names.values()), range=STAGE_COLOURS[: len(stage_names)])
        return (
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
            .properties(height=360)
        )

    st.subheader(t("roadmap.reached"))
    dash.chart(("roadmap", actor.user_id, node, data), bars)
    plan = summary["plan"]
    table = pd.DataFrame(
        {
            t("common.cycle"): plan["cycle"],
            t("roadmap.planned"): plan["planned"].map(lambda p: stage_names.get(p, "–") if p else "–"),
            t("roadmap.ahead"): plan["ahead"],
            t("roadmap.on_plan"): plan["on_plan"],
            t("roadmap.behind"): plan["behind"],
            t("dash.units"): plan["units"],
            t("roadmap.median_journey"): plan["median_journey"].round(1),
        }
    )
    st.subheader(t("roadmap.against_plan"))
    st.dataframe(table, hide_index=True, width="stretch")
    dash.downloads(table, "veikart", "roadmap")


@st.cache_data(show_spinner=False, max_entries=32)
def _summary(
    _engine,
    user_id: str,
    node: str,
    data: int,
    roadmap_id: str,
    _roadmap: Roadmap,
) -> dict[str, Any] | None:
    """Units per cycle and stage, and per cycle how many are ahead of, on or behind the plan."""
    groups = dash.under(dash.tree(_engine, data), node)
    everything = dash.results(_engine, user_id, data)
    overall = everything.loc[
        (everything["dimension_id"] == OVERALL)
        & everything["unit_id"].isin(groups["unit_id"])
        & everything["stage"].notna(),
        ["unit_id", "cycle_id", "stage", "journey", "respondents"],
    ]
    if overall.empty:
        return None
    cycles = {c["id"]: c["label"] for c in dash.cycles(_engine, data)}
    overall = overall.assign(cycle=overall["cycle_id"].map(cycles), stage=overall["stage"].astype(int))
    present = set(overall["cycle_id"].unique().tolist())
    order = [label for cycle_id, label in cycles.items() if cycle_id in present]
    rows = []
    for cycle, rows_of_cycle in overall.groupby("cycle", sort=False):
        planned = planned_stage(_roadmap, str(cycle))
        status = plan_status(rows_of_cycle, planned)
        rows.append(
            {
                "cycle": cycle,
                "planned": planned,
                "ahead": int((status == "ahead").sum()),
                "on_plan": int((status == "on_plan").sum()),
                "behind": int((status == "behind").sum()),
                "units": len(rows_of_cycle),
                "median_journey": float(rows_of_cycle["journey"].median()),
            }
        )
    plan = pd.DataFrame(rows).set_index("cycle").reindex(order).reset_index()
    return {
        "order": order,
        "counts": overall.groupby(["cycle", "stage"]).size().rename("units").reset_index(),
        "plan": plan,
        "units": int(overall["unit_id"].nunique()),
        "respondents": int(overall["respondents"].sum()),
    }


def _timeline(roadmap: Roadmap) -> alt.Chart:
    stages = pd.DataFrame(
        [{"stage": f"{s.id} {s.label.get(lang())}", "period": s.period or "–"} for s in roadmap.stages]
    )
    return (
        alt.Chart(stages)
        .mark_bar(height=22)
        .encode(
            x=alt.X("period:N", sort=list(stages["period"]), title=t("roadmap.period")),
            y=alt.Y(
                "stage:N",
                sort=list(stages["stage"]),
                title=None,
                axis=alt.Axis(labelLimit=260, labelOverlap=False),
            ),
            color=alt.Color("stage:N", scale=alt.Scale(range=STAGE_COLOURS[1:]), legend=None),
            tooltip=["stage", "period"],
        )
        .properties(height=36 * len(stages) + 110)
    )  # the height holds the axes too
