"""Progress over time for a node: dimension scores across cycles, how the spread over
levels shifted, and the units that moved up or down the most."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from scoring.engine import OVERALL, TOLERANCE
from views import dash, state, theme
from views.i18n import lang, t

MOVERS = 10


def page() -> None:
    context = dash.start("nav.progress")
    if context is None:
        return
    actor, engine, data, _, node, names = context
    summary = _summary(engine, actor.user_id, node, data)
    if summary is None:
        dash.no_data(names.get(node, node), t("dash.all_cycles"))
        return
    _, questionnaire, _ = state.questionnaire()
    dash.rests_on(summary["units"], summary["respondents"])
    key = ("progress", actor.user_id, node, data)
    order = summary["order"]
    labels = dash.dimension_labels(questionnaire)
    dimension_order = [labels[d.id] for d in questionnaire.dimensions] + [labels[OVERALL]]
    trend = summary["trend"].assign(dimension=lambda f: f["dimension_id"].astype(str).map(labels))

    st.subheader(t("progress.scores"))

    def trend_chart() -> alt.Chart:
        return (
            alt.Chart(trend)
            .mark_line(point=True)
            .encode(
                x=alt.X("cycle:N", sort=order, title=t("common.cycle")),
                y=alt.Y("score:Q", scale=alt.Scale(domain=[1, 5]), title=t("common.score")),
                color=alt.Color("dimension:N", title=t("common.dimension"), sort=dimension_order),
                strokeDash=alt.condition(
                    f"datum.dimension == '{labels[OVERALL]}'", alt.value([6, 3]), alt.value([1, 0])
                ),
                tooltip=[
                    "cycle",
                    "dimension",
                    alt.Tooltip("score:Q", format=".2f"),
                    alt.Tooltip("units:Q", title=t("dash.units")),
                ],
            )
            .properties(height=400)
        )

    dash.chart((*key, "trend"), trend_chart)
    table = (
        trend.pivot(index="dimension", columns="cycle", values="score")
        .reindex(index=dimension_order, columns=order)
        .round(2)
    )
    st.dataframe(table, width="stretch")
    dash.downloads(table.reset_index(), "utvikling", "trend")

    st.subheader(t("progress.distribution"))

    def levels_chart() -> alt.Chart:
        counts = summary["levels"].assign(
            label=lambda f: [f"{lv} {questionnaire.level_label(int(lv), lang())}" for lv in f["level"]]
        )
        colours = alt.Scale(
            domain=[f"{s.level} {s.label.get(lang())}" for s in questionnaire.scale],
            range=list(theme.LEVEL_COLOURS.values()),
        )
        return (
            alt.Chart(counts)
            .mark_bar()
            .encode(
                x=alt.X("cycle:N", sort=order, title=t("common.cycle")),
                y=alt.Y("units:Q", stack="normalize", axis=alt.Axis(format="%"), title=t("dash.share_units")),
                color=alt.Color("label:N", scale=colours, title=t("common.level")),
                order=alt.Order("level:O"),
                tooltip=[
                    "cycle",
                    alt.Tooltip("label:N", title=t("common.level")),
                    alt.Tooltip("units:Q", title=t("dash.units")),
                ],
            )
            .properties(height=360)
        )

    dash.chart((*key, "levels"), levels_chart)
    _movers(summary, names)


@st.cache_data(show_spinner=False, max_entries=32)
def _summary(_engine, user_id: str, node: str, data: int) -> dict[str, Any] | None:
    """Mean scores per cycle and dimension, levels per cycle, and overall scores of the two
    newest cycles, for the units under the node."""
    groups = dash.under(dash.tree(_engine, data), node)
    everything = dash.results(_engine, user_id, data)
    frame = everything[everything["unit_id"].isin(groups["unit_id"])]
    if frame.empty:
        return None
    cycles = {c["id"]: c["label"] for c in dash.cycles(_engine, data)}
    frame = frame.assign(cycle=frame["cycle_id"].map(cycles))
    present = set(frame["cycle_id"].unique().tolist())
    order = [label for cycle_id, label in cycles.items() if cycle_id in present]
    overall = frame[frame["dimension_id"] == OVERALL]
    trend = (
        frame[frame["score"].notna()]
        .groupby(["cycle", "dimension_id"], observed=True)
        .agg(score=("score", "mean"), units=("unit_id", "nunique"))
        .reset_index()
    )
    levels = (
        overall[overall["level"].notna()]
        .assign(level=lambda f: f["level"].astype(int))
        .groupby(["cycle", "level"])
        .size()
        .rename("units")
        .reset_index()
    )
    movers = None
    if len(order) >= 2:
        before, after = order[-2], order[-1]
        pivot = (
            overall[overall["cycle"].isin([before, after])]
            .pivot_table(index="unit_id", columns="cycle", values="score", aggfunc="first")
            .dropna()
        )
        if not pivot.empty and before in pivot and after in pivot:
            pivot["change"] = pivot[after] - pivot[before]
            pivot = pivot.sort_values("change")
            up = pivot[pivot["change"] > TOLERANCE].iloc[::-1].head(MOVERS)
            down = pivot[pivot["change"] < -TOLERANCE].head(MOVERS)
            movers = {"before": before, "after": after, "up": up.reset_index(), "down": down.reset_index()}
    return {
        "order": order,
        "trend": trend,
        "levels": levels,
        "movers": movers,
        "units": int(overall["unit_id"].nunique()),
        "respondents": int(overall["respondents"].sum()),
    }


def _movers(summary: dict[str, Any], names: dict[str, str]) -> None:
    """The units whose overall score rose or fell most between the two newest cycles."""
    order = summary["order"]
    if len(order) < 2:
        return
    st.subheader(t("progress.movers", before=order[-2], after=order[-1]))
    movers = summary["movers"]
    if movers is None:
        st.caption(t("progress.no_movers"))
        return
    before, after = movers["before"], movers["after"]

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                t("common.unit"): frame["unit_id"].map(names),
                before: frame[before].round(2),
                after: frame[after].round(2),
                t("progress.change"): frame["change"].round(2),
            }
        )

    up, down = shown(movers["up"]), shown(movers["down"])
    left, right = st.columns(2)
    with left:
        st.caption(t("progress.up"))
        st.dataframe(up, hide_index=True, width="stretch")
    with right:
        st.caption(t("progress.down"))
        st.dataframe(down, hide_index=True, width="stretch")
    dash.downloads(pd.concat([up, down.iloc[::-1]], ignore_index=True), "endring", "movers")
