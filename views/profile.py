"""Unit profile: the unit's history per dimension, targets and progress towards them,
action plans, comments and evidence, and the validation status of each cycle."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from scoring.engine import OVERALL
from storage.errors import ServiceError
from storage.planning import list_action_items, list_targets, progress_to_target
from storage.results import unit_comments, unit_statuses
from views import dash, state
from views.i18n import lang, t

MAX_UNITS = 400


def page() -> None:
    context = dash.start("nav.profile")
    if context is None:
        return
    actor, engine, data, paths, node, names = context
    units = sorted(dash.under(paths, node)["unit_id"], key=lambda u: names.get(u, u))
    if len(units) > MAX_UNITS:
        st.info(t("profile.too_many", n=len(units)))
        return
    if not units:
        dash.no_data(names.get(node, node), "–")
        return
    unit_id = state.pick(t("common.unit"), units, names, "profile_unit")
    history = _history(engine, actor.user_id, unit_id, data)
    _, questionnaire, _ = state.questionnaire()
    labels = dash.dimension_labels(questionnaire)
    cycles = {c["id"]: c["label"] for c in dash.cycles(engine, data)}
    if history.empty:
        dash.no_data(names.get(unit_id, unit_id), t("dash.all_cycles"))
    else:
        history = history.assign(
            cycle=history["cycle_id"].map(cycles), dimension=history["dimension_id"].astype(str).map(labels)
        )
        present = set(history["cycle_id"].unique().tolist())
        order = [label for cycle_id, label in cycles.items() if cycle_id in present]
        overall = history[history["dimension_id"] == OVERALL]
        dash.rests_on(1, int(overall["respondents"].sum()))
        st.subheader(t("profile.history"))
        chart = (
            alt.Chart(history[history["score"].notna()])
            .mark_line(point=True)
            .encode(
                x=alt.X("cycle:N", sort=order, title=t("common.cycle")),
                y=alt.Y("score:Q", scale=alt.Scale(domain=[1, 5]), title=t("common.score")),
                color=alt.Color(
                    "dimension:N",
                    title=t("common.dimension"),
                    sort=[labels[d.id] for d in questionnaire.dimensions] + [labels[OVERALL]],
                ),
                tooltip=["cycle", "dimension", alt.Tooltip("score:Q", format=".2f"), "respondents"],
            )
            .properties(height=320)
        )
        st.altair_chart(chart, width="stretch")
        table = history.pivot_table(index="dimension", columns="cycle", values="score", aggfunc="first")
        table = (
            table.reindex(columns=order)
            .reindex([labels[d.id] for d in questionnaire.dimensions] + [labels[OVERALL]])
            .round(2)
        )
        st.dataframe(table, width="stretch")
        dash.downloads(table.reset_index(), "enhetsprofil", "profile")
        _targets(actor, unit_id, history, labels, cycles)
    _statuses(actor, unit_id)
    _actions(actor, unit_id, labels)
    _comments(actor, unit_id, questionnaire)


@st.cache_data(show_spinner=False, max_entries=64)
def _history(_engine, user_id: str, unit_id: str, data: int) -> pd.DataFrame:
    everything = dash.results(_engine, user_id, data)
    return everything[everything["unit_id"] == unit_id].reset_index(drop=True)


def _targets(actor, unit_id: str, history: pd.DataFrame, labels: dict[str, str], cycles: dict) -> None:
    try:
        targets = list_targets(state.engine(), actor, unit_id)
    except ServiceError:
        return
    st.subheader(t("profile.targets"))
    if targets.empty:
        st.caption(t("profile.no_targets"))
        return
    newest = history.sort_values("cycle_id").groupby("dimension_id", observed=True).last()
    rows = []
    for target in targets.itertuples():
        current = newest["score"].get(target.dimension_id) if target.dimension_id in newest.index else None
        progress = progress_to_target(current, target.baseline, target.target_level)
        rows.append(
            {
                t("common.dimension"): labels.get(target.dimension_id, target.dimension_id),
                t("profile.baseline"): None if pd.isna(target.baseline) else round(target.baseline, 2),
                t("profile.target"): target.target_level,
                t("profile.current"): None
                if current is None or pd.isna(current)
                else round(float(current), 2),
                t("profile.progress"): None if progress is None else round(progress * 100),
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            t("profile.progress"): st.column_config.ProgressColumn(
                t("profile.progress"), format="%d %%", min_value=0, max_value=100
            )
        },
    )
    st.caption(t("profile.progress_help"))


def _statuses(actor, unit_id: str) -> None:
    st.subheader(t("profile.validation"))
    statuses = unit_statuses(state.engine(), actor, unit_id)
    if statuses.empty:
        st.caption("–")
        return
    statuses["status"] = statuses["status"].map(lambda s: t(f"status.{s}"))
    st.dataframe(
        statuses.rename(
            columns={
                "cycle": t("common.cycle"),
                "status": t("profile.status"),
                "submitted_at": t("profile.submitted_at"),
                "validated_at": t("profile.validated_at"),
            }
        ).drop(columns="mode"),
        hide_index=True,
        width="stretch",
    )


def _actions(actor, unit_id: str, labels: dict[str, str]) -> None:
    st.subheader(t("result.action_plan"))
    try:
        items = list_action_items(state.engine(), actor, unit_id)
    except ServiceError as error:
        st.caption(error.message(lang()))
        return
    if items.empty:
        st.caption(t("result.action_none"))
        return
    table = pd.DataFrame(
        {
            t("common.cycle"): items["cycle_label"],
            t("result.action_what"): items["what"],
            t("result.action_who"): items["who"],
            t("result.action_due"): items["due_on"],
            t("result.action_dimension"): items["dimension_id"].map(labels),
            t("result.action_status"): items["status"].map(lambda s: t(f"action.{s}")),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    done = (items["status"] == "done").mean()
    st.caption(t("profile.actions_done", share=f"{done * 100:.0f}"))
    dash.downloads(table, "tiltak", "actions")


def _comments(actor, unit_id: str, questionnaire) -> None:
    st.subheader(t("profile.comments"))
    comments = unit_comments(state.engine(), actor, unit_id)
    if comments.empty:
        st.caption("–")
        return
    texts = {i.id: i.text.get(lang()) for i in questionnaire.items()}
    table = pd.DataFrame(
        {
            t("common.cycle"): comments["cycle"],
            t("profile.item"): comments["item_id"].map(texts).fillna(comments["item_id"]),
            t("form.comment"): comments["comment"],
            t("form.evidence"): comments["evidence"],
        }
    )
    st.dataframe(table.iloc[::-1], hide_index=True, width="stretch")
