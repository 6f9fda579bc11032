"""Overview for a node and a cycle: key figures, a heatmap of its children by dimension,
the spread over levels, and who has (not) submitted. Click a row or pick a child to drill
down. Every table and chart spec is computed once per node, cycle and data version."""

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
    context = dash.start("nav.overview")
    if context is None:
        return
    actor, engine, data, _, node, names = context
    cycle = dash.pick_cycle()
    if cycle is None:
        dash.no_data(names.get(node, node), "–")
        return
    _, questionnaire, roadmap = state.questionnaire()
    groups = _groups(engine, node, data)
    current = _current(engine, actor.user_id, node, cycle["id"], data)
    key = ("overview", actor.user_id, node, cycle["id"], data)
    if current.empty:
        dash.no_data(names.get(node, node), cycle["label"])
    else:
        overall = current[current["dimension_id"] == OVERALL]
        dash.rests_on(int(overall["unit_id"].nunique()), int(overall["respondents"].sum()))
        planned = planned_stage(roadmap, cycle["label"]) if roadmap is not None else None
        _key_figures(
            _figures(engine, actor.user_id, node, cycle["id"], cycle["starts_on"], planned, data), planned
        )
        _heatmap(key, current, groups, names, questionnaire)
        _distribution(key, current, questionnaire)
    _completion(actor, cycle, node, groups, names)


@st.cache_resource(show_spinner=False, max_entries=32)
def _groups(_engine, node: str, data: int) -> pd.DataFrame:
    """The leaf units under the node and the child of the node each falls in."""
    return dash.under(dash.tree(_engine, data), node)


@st.cache_resource(show_spinner=False, max_entries=32)
def _current(_engine, user_id: str, node: str, cycle_id: int, data: int) -> pd.DataFrame:
    """The stored results of the units under the node in one cycle."""
    results = dash.cycle_results(_engine, user_id, cycle_id, data)
    return results[results["unit_id"].isin(_groups(_engine, node, data)["unit_id"])]


@st.cache_data(show_spinner=False, max_entries=32)
def _figures(
    _engine,
    user_id: str,
    node: str,
    cycle_id: int,
    starts_on,
    planned: int | None,
    data: int,
) -> dict:
    earlier = [c for c in dash.cycles(_engine, data) if c["starts_on"] < starts_on]
    previous = None
    if earlier:
        before = dash.cycle_overall(_engine, user_id, earlier[-1]["id"], data)
        previous = before[before["unit_id"].isin(_groups(_engine, node, data)["unit_id"])]
    return key_figures(_current(_engine, user_id, node, cycle_id, data), previous, planned)


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


@st.cache_data(show_spinner=False, max_entries=32)
def _aggregate(key: tuple, _current: pd.DataFrame, _groups: pd.DataFrame) -> pd.DataFrame:
    return aggregate(_current, _groups)


def _heatmap(
    key: tuple, current: pd.DataFrame, groups: pd.DataFrame, names: dict[str, str], questionnaire
) -> None:
    st.subheader(t("dash.heatmap"))
    table = _aggregate(key, current, groups).copy()
    labels = dash.dimension_labels(questionnaire)
    table["name"] = table["group"].map(names).fillna(table["group"])
    table["dimension"] = table["dimension_id"].astype(str).map(labels)

    def build() -> alt.LayerChart:
        order = [labels[d.id] for d in questionnaire.dimensions] + [labels[OVERALL]]
        data = table.assign(
            label=[f"{lv} · {questionnaire.level_label(int(lv), lang())}" for lv in table["level"]],
            score_text=table["score"].map(lambda s: f"{s:.1f}"),
            spread=pd.to_numeric(table["spread"], errors="coerce"),
        )
        rows = sorted(data["name"].unique())
        colours = alt.Scale(domain=list(theme.LEVEL_COLOURS), range=list(theme.LEVEL_COLOURS.values()))
        base = alt.Chart(data).encode(
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
            .add_params(alt.selection_point(fields=["group"], name="drill"))
        )
        text = base.mark_text(fontSize=12).encode(
            text="score_text:N",
            color=alt.condition(
                "datum.level == 1 || datum.level == 5", alt.value("white"), alt.value("black")
            ),
        )
        return (cells + text).properties(height=36 * len(rows) + 200)  # the height holds the axes too

    event = dash.chart((*key, "heatmap"), build, on_select="rerun", key="heatmap")
    chosen = event.get("selection", {}).get("drill") if hasattr(event, "get") else None
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


def _distribution(key: tuple, current: pd.DataFrame, questionnaire) -> None:
    st.subheader(t("dash.distribution"))

    def build() -> alt.Chart:
        counts = level_distribution(current, questionnaire.levels)
        labels = dash.dimension_labels(questionnaire)
        counts["dimension"] = counts["dimension_id"].astype(str).map(labels)
        counts["label"] = [f"{lv} {questionnaire.level_label(int(lv), lang())}" for lv in counts["level"]]
        colours = alt.Scale(
            domain=[f"{s.level} {s.label.get(lang())}" for s in questionnaire.scale],
            range=list(theme.LEVEL_COLOURS.values()),
        )
        order = [labels[d.id] for d in questionnaire.dimensions] + [labels[OVERALL]]
        return (
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
            .properties(height=32 * len(order) + 60)
        )

    dash.chart((*key, "distribution"), build)


def _completion(actor, cycle: dict, node: str, groups: pd.DataFrame, names: dict[str, str]) -> None:
    st.subheader(t("dash.completion", cycle=cycle["label"]))
    if groups.empty:
        return
    table, missing, count = _completion_table(
        state.engine(), actor.user_id, cycle["id"], node, state.version()
    )
    table = table.assign(unit=table["group"].map(names).fillna(table["group"]))
    shown = table[["unit", "submitted", "draft", "not_started"]].rename(
        columns={
            "unit": t("common.unit"),
            "submitted": t("dash.submitted"),
            "draft": t("dash.draft"),
            "not_started": t("dash.not_started"),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    if missing:
        listed = sorted(names.get(u, u) for u in missing)
        st.caption(t("dash.not_started_list", n=count))
        st.text(", ".join(listed) + (" …" if count > len(listed) else ""))
    dash.downloads(shown, "innsending", "completion")


@st.cache_data(show_spinner=False, max_entries=32)
def _completion_table(
    _engine,
    user_id: str,
    cycle_id: int,
    node: str,
    data: int,
) -> tuple[pd.DataFrame, list[str], int]:
    """Submitted, started and not started units per child; the first units not started
    (by id) and how many there are."""
    groups = _groups(_engine, node, data)
    status = dash.cycle_completion(_engine, user_id, cycle_id, data)
    merged = groups.merge(status, on="unit_id", how="left").fillna({"status": "not_started"})
    table = merged.groupby("group")["status"].value_counts().unstack(fill_value=0)
    for column in ("submitted", "draft", "not_started"):
        if column not in table:
            table[column] = 0
    table = table[["submitted", "draft", "not_started"]].reset_index()
    table = table.sort_values(["not_started", "group"], ascending=[False, True])
    missing = sorted(merged.loc[merged["status"] == "not_started", "unit_id"])
    return table, missing[:MAX_LISTED], len(missing)
