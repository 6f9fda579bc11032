"""Overview for a node and a cycle: heatmap of its children by dimension, the spread over
levels, key figures, and who has (not) submitted. Click a row or pick a child to drill down."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from scoring.aggregate import aggregate, key_figures, level_distribution, planned_stage
from scoring.engine import OVERALL
from views import dash, state, theme
from views.i18n import lang, t

MAX_LISTED = 50


def page() -> None:
    st.title(t("nav.overview"))
    actor = state.current_actor()
    if actor is None:
        st.info(t("common.sign_in_first"), icon=":material/arrow_back:")
        return
    engine, data = state.engine(), state.version()
    paths = dash.tree(engine, data)
    node = dash.pick_node(actor, paths)
    if node is None:
        st.info(t("dash.no_scope"))
        return
    names = dash.name_of(paths)
    everything = dash.results(engine, actor.user_id, data)
    cycle = dash.pick_cycle(everything)
    if cycle is None:
        dash.no_data(names.get(node, node), "–")
        return
    _, questionnaire, roadmap = state.questionnaire()
    groups = dash.under(paths, node)
    current = everything[
        (everything["cycle_id"] == cycle["id"]) & everything["unit_id"].isin(groups["unit_id"])
    ]
    if current.empty:
        dash.no_data(names.get(node, node), cycle["label"])
    else:
        overall = current[current["dimension_id"] == OVERALL]
        dash.rests_on(int(overall["unit_id"].nunique()), int(overall["respondents"].sum()))
        _key_figures(everything, current, cycle, roadmap, groups)
        _heatmap(current, groups, names, questionnaire)
        _distribution(current, questionnaire)
    _completion(actor, cycle, groups, names, paths)


def _key_figures(everything: pd.DataFrame, current: pd.DataFrame, cycle: dict, roadmap, groups) -> None:
    cycles = dash.cycles(state.engine(), state.version())
    earlier = [c for c in cycles if c["starts_on"] < cycle["starts_on"]]
    previous = None
    if earlier:
        before = earlier[-1]
        previous = everything[
            (everything["cycle_id"] == before["id"]) & everything["unit_id"].isin(groups["unit_id"])
        ]
    planned = planned_stage(roadmap, cycle["label"]) if roadmap is not None else None
    figures = key_figures(current, previous, planned)
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
    columns[3].metric(
        t("dash.change"),
        "–" if figures["change"] is None else f"{figures['change']:+.2f}",
        delta=None if figures["change"] is None else f"{figures['change']:+.2f}",
    )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _heatmap(current: pd.DataFrame, groups: pd.DataFrame, names: dict[str, str], questionnaire) -> None:
    st.subheader(t("dash.heatmap"))
    table = aggregate(current, groups)
    labels = dash.dimension_labels(questionnaire)
    order = [labels[d.id] for d in questionnaire.dimensions] + [labels[OVERALL]]
    table["name"] = table["group"].map(names).fillna(table["group"])
    table["dimension"] = table["dimension_id"].astype(str).map(labels)
    table["label"] = [f"{lv} · {questionnaire.level_label(int(lv), lang())}" for lv in table["level"]]
    table["score_text"] = table["score"].map(lambda s: f"{s:.1f}")
    colours = alt.Scale(domain=list(theme.LEVEL_COLOURS), range=list(theme.LEVEL_COLOURS.values()))
    select = alt.selection_point(fields=["group"], name="drill")
    rows = sorted(table["name"].unique())
    base = alt.Chart(table).encode(
        x=alt.X(
            "dimension:N",
            sort=order,
            title=None,
            axis=alt.Axis(orient="top", labelAngle=-25, labelLimit=220, labelOverlap=False),
        ),
        y=alt.Y("name:N", sort=rows, title=None, axis=alt.Axis(labelLimit=240)),
    )
    cells = (
        base.mark_rect(stroke="white")
        .encode(
            color=alt.Color(
                "level:O",
                scale=colours,
                title=t("common.level"),
                legend=alt.Legend(labelExpr=_legend_expr(questionnaire)),
            ),
            tooltip=[
                alt.Tooltip("name:N", title=t("common.unit")),
                alt.Tooltip("dimension:N", title=t("common.dimension")),
                alt.Tooltip("label:N", title=t("common.level")),
                alt.Tooltip("score:Q", title=t("common.score"), format=".2f"),
                alt.Tooltip("units:Q", title=t("dash.units")),
                alt.Tooltip("respondents:Q", title=t("dash.respondents")),
                alt.Tooltip("spread:Q", title=t("dash.spread"), format=".2f"),
            ],
        )
        .add_params(select)
    )
    text = base.mark_text(fontSize=12).encode(
        text="score_text:N",
        color=alt.condition("datum.level == 1 || datum.level == 5", alt.value("white"), alt.value("black")),
    )
    chart = (cells + text).properties(
        height=36 * len(rows) + 200
    )  # Streamlit fits the axes inside the height
    event = st.altair_chart(chart, width="stretch", on_select="rerun", key="heatmap")
    chosen = (event or {}).get("selection", {}).get("drill") if isinstance(event, dict) else None
    if chosen:
        group = chosen[0].get("group")
        if group and group in set(table["group"]) and group != st.session_state.get("dash_node"):
            dash.drill_to(group)
    st.caption(t("dash.heatmap_help"))
    download = table[["name", "dimension", "score", "level", "units", "respondents", "spread"]].rename(
        columns={
            "name": t("common.unit"),
            "dimension": t("common.dimension"),
            "score": t("common.score"),
            "level": t("common.level"),
            "units": t("dash.units"),
            "respondents": t("dash.respondents"),
            "spread": t("dash.spread"),
        }
    )
    dash.downloads(download, "oversikt", "heatmap")


def _legend_expr(questionnaire) -> str:
    pairs = " : ".join(
        f"datum.value == {s.level} ? '{s.level} {s.label.get(lang())}'" for s in questionnaire.scale
    )
    return pairs + " : datum.value"


def _distribution(current: pd.DataFrame, questionnaire) -> None:
    st.subheader(t("dash.distribution"))
    counts = level_distribution(current, questionnaire.levels)
    labels = dash.dimension_labels(questionnaire)
    counts["dimension"] = counts["dimension_id"].astype(str).map(labels)
    counts["label"] = [f"{lv} {questionnaire.level_label(int(lv), lang())}" for lv in counts["level"]]
    colours = alt.Scale(
        domain=[f"{s.level} {s.label.get(lang())}" for s in questionnaire.scale],
        range=list(theme.LEVEL_COLOURS.values()),
    )
    order = [labels[d.id] for d in questionnaire.dimensions] + [labels[OVERALL]]
    chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("dimension:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("units:Q", stack="normalize", title=t("dash.share_units"), axis=alt.Axis(format="%")),
            color=alt.Color("label:N", scale=colours, title=t("common.level")),
            order=alt.Order("level:O"),
            tooltip=[
                alt.Tooltip("dimension:N", title=t("common.dimension")),
                alt.Tooltip("label:N", title=t("common.level")),
                alt.Tooltip("units:Q", title=t("dash.units")),
            ],
        )
        .properties(height=32 * len(order))
    )
    st.altair_chart(chart, width="stretch")


def _completion(actor, cycle: dict, groups: pd.DataFrame, names: dict[str, str], paths: pd.DataFrame) -> None:
    st.subheader(t("dash.completion", cycle=cycle["label"]))
    if groups.empty:
        return
    status = dash.cycle_completion(state.engine(), actor.user_id, cycle["id"], state.version())
    merged = groups.merge(status, on="unit_id", how="left").fillna({"status": "not_started"})
    table = merged.groupby("group")["status"].value_counts().unstack(fill_value=0)
    for column in ("submitted", "draft", "not_started"):
        if column not in table:
            table[column] = 0
    table = table[["submitted", "draft", "not_started"]].reset_index()
    table.insert(0, t("common.unit"), table["group"].map(names).fillna(table["group"]))
    table = table.drop(columns="group").rename(
        columns={
            "submitted": t("dash.submitted"),
            "draft": t("dash.draft"),
            "not_started": t("dash.not_started"),
        }
    )
    st.dataframe(table.sort_values(t("dash.not_started"), ascending=False), hide_index=True, width="stretch")
    missing = merged[merged["status"] == "not_started"]["unit_id"].map(names).sort_values().tolist()
    if missing:
        shown = missing[:MAX_LISTED]
        st.caption(t("dash.not_started_list", n=len(missing)))
        st.text(", ".join(shown) + (" …" if len(missing) > MAX_LISTED else ""))
    dash.downloads(table, "innsending", "completion")


page()
