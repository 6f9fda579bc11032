"""Unit profile: the unit's history per dimension, targets and progress towards them,
action plans, comments and evidence, and the validation status of each cycle."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from scoring.engine import OVERALL
from storage import rollup
from storage.errors import ServiceError
from storage.planning import list_action_items, list_targets, progress_to_target
from storage.results import unit_comments, unit_history_results, unit_statuses
from views import charts, dash, state
from views.i18n import lang, t

MAX_UNITS = 400


def page() -> None:
    context = dash.start("nav.profile")
    if context is None:
        return
    actor, engine, data, node = context
    units = _units(engine, actor.user_id, node.unit_id, data)
    if units is None:
        st.info(t("profile.too_many", n=node.leaves))
        return
    if not units:
        dash.no_data(dash.name(node), "–")
        return
    names = {u["unit_id"]: dash.name(u) for u in units}
    ordered = sorted(names, key=names.__getitem__)
    unit_id = state.pick(t("common.unit"), ordered, names, "profile_unit")
    model = _model(engine, actor.user_id, unit_id, data, lang())
    if model["history"] is None:
        dash.no_data(names.get(unit_id, unit_id), t("dash.all_cycles"))
    else:
        dash.rests_on(1, model["respondents"])
        st.subheader(t("profile.history"))
        dash.draw(model["chart"])
        dash.show(model["history"])
        dash.downloads(model["history"], "enhetsprofil", "profile")
        if model["targets"] is not None:
            st.subheader(t("profile.targets"))
            if model["targets"].num_rows == 0:
                st.caption(t("profile.no_targets"))
            else:
                dash.show(
                    model["targets"],
                    column_config={
                        t("profile.progress"): st.column_config.ProgressColumn(
                            t("profile.progress"), format="%d %%", min_value=0, max_value=100
                        )
                    },
                )
                st.caption(t("profile.progress_help"))
    st.subheader(t("profile.validation"))
    if model["statuses"].num_rows == 0:
        st.caption("–")
    else:
        dash.show(model["statuses"])
    st.subheader(t("result.action_plan"))
    if isinstance(model["actions"], str):
        st.caption(model["actions"])
    elif model["actions"].num_rows == 0:
        st.caption(t("result.action_none"))
    else:
        dash.show(model["actions"])
        st.caption(t("profile.actions_done", share=f"{model['actions_done'] * 100:.0f}"))
        dash.downloads(model["actions"], "tiltak", "actions")
    st.subheader(t("profile.comments"))
    if model["comments"].num_rows == 0:
        st.caption("–")
    else:
        dash.show(model["comments"])


@dash.cached
def _units(_engine, user_id: str, node_id: str, data: int) -> list[dict] | None:
    """The units under the node, or None when there are more than a picker can hold."""
    return rollup.units_under(_engine, state.actor_of(_engine, user_id, data), node_id, MAX_UNITS)


@dash.cached
def _model(_engine, user_id: str, unit_id: str, data: int, language: str) -> dict[str, Any]:
    """The unit's history, targets, submissions, action plan and comments, ready to show."""
    actor = state.actor_of(_engine, user_id, data)
    _, questionnaire, _ = state.questionnaire_at(_engine, data)
    labels = dash.dimension_labels(questionnaire)
    order = dash.dimension_order(questionnaire)
    history = unit_history_results(_engine, actor, unit_id)
    model: dict[str, Any] = {"history": None, "targets": None}
    if not history.empty:
        history = history.assign(dimension=history["dimension_id"].astype(str).map(labels))
        cycles = list(dict.fromkeys(history["cycle"]))
        overall = history[history["dimension_id"] == OVERALL]
        model["respondents"] = int(overall["respondents"].sum())
        model["chart"] = charts.lines(
            history.loc[history["score"].notna(), ["cycle", "dimension", "score", "respondents"]],
            cycles,
            order,
            dash.titles(),
            height=320,
            extra_tip=("respondents", t("dash.respondents")),
        )
        table = history.pivot_table(index="dimension", columns="cycle", values="score", aggfunc="first")
        model["history"] = dash.shown(
            table.reindex(columns=cycles)
            .reindex(order)
            .round(2)
            .rename_axis(index=t("common.dimension"), columns=None)
            .reset_index()
        )
        targets = _targets(actor, unit_id, history, labels, _engine)
        model["targets"] = None if targets is None else dash.shown(targets)
    model["statuses"] = dash.shown(_statuses(_engine, actor, unit_id))
    actions, model["actions_done"] = _actions(_engine, actor, unit_id, labels)
    model["actions"] = actions if isinstance(actions, str) else dash.shown(actions)
    model["comments"] = dash.shown(_comments(_engine, actor, unit_id, questionnaire))
    return model


def _targets(
    actor, unit_id: str, history: pd.DataFrame, labels: dict[str, str], engine
) -> pd.DataFrame | None:
    try:
        targets = list_targets(engine, actor, unit_id)
    except ServiceError:
        return None
    newest = history.sort_values("starts_on").groupby("dimension_id", observed=True).last()
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
    return pd.DataFrame(rows)


def _statuses(engine, actor, unit_id: str) -> pd.DataFrame:
    statuses = unit_statuses(engine, actor, unit_id)
    if statuses.empty:
        return statuses
    statuses["status"] = statuses["status"].map(lambda s: t(f"status.{s}"))
    return statuses.rename(
        columns={
            "cycle": t("common.cycle"),
            "status": t("profile.status"),
            "submitted_at": t("profile.submitted_at"),
            "validated_at": t("profile.validated_at"),
        }
    ).drop(columns="mode")


def _actions(engine, actor, unit_id: str, labels: dict[str, str]) -> tuple[pd.DataFrame | str, float]:
    """The action plan as a table and the share done; a message instead when not allowed."""
    try:
        items = list_action_items(engine, actor, unit_id)
    except ServiceError as error:
        return error.message(lang()), 0.0
    if items.empty:
        return items, 0.0
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
    return table, float((items["status"] == "done").mean())


def _comments(engine, actor, unit_id: str, questionnaire) -> pd.DataFrame:
    comments = unit_comments(engine, actor, unit_id)
    if comments.empty:
        return comments
    texts = {i.id: i.text.get(lang()) for i in questionnaire.items()}
    table = pd.DataFrame(
        {
            t("common.cycle"): comments["cycle"],
            t("profile.item"): comments["item_id"].map(texts).fillna(comments["item_id"]),
            t("form.comment"): comments["comment"],
            t("form.evidence"): comments["evidence"],
        }
    )
    return table.iloc[::-1].reset_index(drop=True)
