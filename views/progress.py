"""Progress over time for a node: dimension scores across cycles, how the spread over
levels shifted, and the units that moved up or down the most."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from scoring.engine import OVERALL, TOLERANCE
from views import dash, state, theme
from views.i18n import lang, t

MOVERS = 10


def page() -> None:
    st.title(t("nav.progress"))
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
    groups = dash.under(paths, node)
    everything = dash.results(engine, actor.user_id, data)
    frame = everything[everything["unit_id"].isin(groups["unit_id"])]
    if frame.empty:
        dash.no_data(names.get(node, node), t("dash.all_cycles"))
        return
    _, questionnaire, _ = state.questionnaire()
    cycles = {c["id"]: c["label"] for c in dash.cycles(engine, data)}
    frame = frame.assign(cycle=frame["cycle_id"].map(cycles))
    order = [label for label in cycles.values() if label in set(frame["cycle"])]
    overall = frame[frame["dimension_id"] == OVERALL]
    dash.rests_on(int(overall["unit_id"].nunique()), int(overall["respondents"].sum()))

    st.subheader(t("progress.scores"))
    labels = dash.dimension_labels(questionnaire)
    trend = (
        frame[frame["score"].notna()]
        .groupby(["cycle", "dimension_id"], observed=True)
        .agg(score=("score", "mean"), units=("unit_id", "nunique"))
        .reset_index()
    )
    trend["dimension"] = trend["dimension_id"].astype(str).map(labels)
    line = (
        alt.Chart(trend)
        .mark_line(point=True)
        .encode(
            x=alt.X("cycle:N", sort=order, title=t("common.cycle")),
            y=alt.Y("score:Q", scale=alt.Scale(domain=[1, 5]), title=t("common.score")),
            color=alt.Color(
                "dimension:N",
                title=t("common.dimension"),
                sort=[labels[d.id] for d in questionnaire.dimensions] + [labels[OVERALL]],
            ),
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
        .properties(height=360)
    )
    st.altair_chart(line, width="stretch")
    table = trend.pivot(index="dimension", columns="cycle", values="score").reindex(columns=order).round(2)
    st.dataframe(table, width="stretch")
    dash.downloads(table.reset_index(), "utvikling", "trend")

    st.subheader(t("progress.distribution"))
    levels = overall[overall["level"].notna()].assign(level=lambda f: f["level"].astype(int))
    levels["label"] = [f"{lv} {questionnaire.level_label(lv, lang())}" for lv in levels["level"]]
    counts = levels.groupby(["cycle", "level", "label"]).size().rename("units").reset_index()
    colours = alt.Scale(
        domain=[f"{s.level} {s.label.get(lang())}" for s in questionnaire.scale],
        range=list(theme.LEVEL_COLOURS.values()),
    )
    bars = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("cycle:N", sort=order, title=t("common.cycle")),
            y=alt.Y("units:Q", stack="normalize", axis=alt.Axis(format="%"), title=t("dash.share_units")),
            color=alt.Color("label:N", scale=colours, title=t("common.level")),
            order=alt.Order("level:O"),
            tooltip=["cycle", "label", "units"],
        )
        .properties(height=300)
    )
    st.altair_chart(bars, width="stretch")
    _movers(overall, order, names)


def _movers(overall: pd.DataFrame, order: list[str], names: dict[str, str]) -> None:
    """Units whose overall score changed most between the two newest cycles with data."""
    if len(order) < 2:
        return
    before, after = order[-2], order[-1]
    st.subheader(t("progress.movers", before=before, after=after))
    pivot = (
        overall[overall["cycle"].isin([before, after])]
        .pivot_table(index="unit_id", columns="cycle", values="score", aggfunc="first")
        .dropna()
    )
    if pivot.empty:
        st.caption(t("progress.no_movers"))
        return
    pivot["change"] = pivot[after] - pivot[before]
    pivot = pivot.sort_values("change")
    table = pd.DataFrame(
        {
            t("common.unit"): pivot.index.map(names),
            before: pivot[before].round(2),
            after: pivot[after].round(2),
            t("progress.change"): pivot["change"].round(2),
        }
    )
    up, down = st.columns(2)
    with up:
        st.caption(t("progress.up"))
        st.dataframe(
            table[table[t("progress.change")] > TOLERANCE].iloc[::-1].head(MOVERS),
            hide_index=True,
            width="stretch",
        )
    with down:
        st.caption(t("progress.down"))
        st.dataframe(
            table[table[t("progress.change")] < -TOLERANCE].head(MOVERS), hide_index=True, width="stretch"
        )
    dash.downloads(table, "endring", "movers")


page()
