"""Unit profile: the unit's history per dimension, targets and progress towards them,
action plans, comments and evidence, and the validation status of each cycle."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from scoring.engine import OVERALL
from storage import rollup
from storage.actors import Actor
from storage.planning import progress_to_target
from storage.results import unit_profile
from views import charts, dash, pickers, state
from views.i18n import lang, t

MAX_UNITS = 400
PROFILE_UNIT = "profile_unit"


def _unit_choice(actor: Actor, node: rollup.Node) -> list[pickers.Choice]:
    """The choice of a unit under the node, by name (none when there are none or too many)."""
    units = _units(state.engine(), actor.user_id, node.unit_id, state.version())
    if not units:
        return []
    names = {u["unit_id"]: dash.name(u) for u in units}
    ordered = sorted(names, key=names.__getitem__)
    return [state.remembered("unit", t("common.unit"), ordered, names, PROFILE_UNIT)]


def page() -> None:
    context = dash.start("nav.profile", _unit_choice)
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
    unit_id = st.session_state[PROFILE_UNIT]  # kept by the choice in the row above
    model = _model(engine, actor.user_id, unit_id, data, lang())
    if model["history"] is None:
        dash.no_data(names.get(unit_id, unit_id), t("dash.all_cycles"))
    else:
        dash.rests_on(model["rests_on"])
        st.subheader(t("profile.history"))
        dash.draw(model["chart"], f"historikk-{unit_id}")
        dash.show(model["history"])
        dash.downloads(model["history_export"], f"enhetsprofil-{unit_id}", "profile")
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
    if model["actions"].num_rows == 0:
        st.caption(t("result.action_none"))
    else:
        dash.show(model["actions"])
        st.caption(t("profile.actions_done", share=f"{model['actions_done'] * 100:.0f}"))
        dash.downloads(model["actions"], f"tiltak-{unit_id}", "actions")
    st.subheader(t("profile.comments"))
    if model["comments"].num_rows == 0:
        st.caption("–")
    else:
        dash.show(model["comments"])
        dash.downloads(model["comments"], f"kommentarer-{unit_id}", "comments")


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
    read = unit_profile(_engine, actor, unit_id)
    history = [
        r | {"dimension": labels.get(str(r["dimension_id"]), str(r["dimension_id"]))} for r in read.history
    ]
    model: dict[str, Any] = {"history": None, "targets": None}
    if history:
        cycles = list(dict.fromkeys(r["cycle"] for r in history))
        scored = [r for r in history if not _missing(r["score"])]
        overall = [r for r in scored if r["dimension_id"] == OVERALL]
        model["rests_on"] = dash.rests_on_cycles_text(
            1 if overall else 0, len(overall), len(overall), sum(int(r["respondents"]) for r in overall)
        )
        model["chart"] = charts.lines(
            [{k: r[k] for k in ("cycle", "dimension", "score", "respondents")} for r in scored],
            cycles,
            order,
            dash.titles(),
            height=320,
            extra_tip=("respondents", t("dash.respondents")),
        )
        scores = {(r["dimension"], r["cycle"]): round(float(r["score"]), 2) for r in scored}
        model["history"] = dash.shown(
            {t("common.dimension"): order} | {c: [scores.get((d, c)) for d in order] for c in cycles}
        )
        export = sorted(scored, key=lambda r: (cycles.index(r["cycle"]), order.index(r["dimension"])))
        model["history_export"] = dash.shown(
            {
                t("common.cycle"): [r["cycle"] for r in export],
                t("common.dimension"): [r["dimension"] for r in export],
                t("common.score"): [float(r["score"]) for r in export],
                t("common.level"): [None if _missing(r["level"]) else int(r["level"]) for r in export],
                t("dash.respondents"): [int(r["respondents"]) for r in export],
            }
        )
        newest = {str(r["dimension_id"]): float(r["score"]) for r in scored}  # oldest first: the last wins
        model["targets"] = dash.shown(_targets(read.targets, newest, labels))
    model["statuses"] = dash.shown(_statuses(read.statuses))
    actions, model["actions_done"] = _actions(read.actions, labels)
    model["actions"] = dash.shown(actions)
    model["comments"] = dash.shown(_comments(read.comments, questionnaire))
    return model


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _targets(targets: list[dict], newest: dict[str, float], labels: dict[str, str]) -> dict[str, list]:
    """Each target with its baseline, the newest score and the way gone from one to the other."""
    columns: dict[str, list] = {
        t("common.dimension"): [],
        t("profile.baseline"): [],
        t("profile.target"): [],
        t("profile.current"): [],
        t("profile.progress"): [],
    }
    for target in targets:
        current = newest.get(target["dimension_id"])
        baseline = None if _missing(target["baseline"]) else float(target["baseline"])
        progress = progress_to_target(current, baseline, target["target_level"])
        for column, value in zip(
            columns.values(),
            (
                labels.get(target["dimension_id"], target["dimension_id"]),
                None if baseline is None else round(baseline, 2),
                target["target_level"],
                None if current is None else round(current, 2),
                None if progress is None else round(progress * 100),
            ),
            strict=True,
        ):
            column.append(value)
    return columns


def _statuses(rows: list[dict]) -> dict[str, list]:
    return {
        t("common.cycle"): [r["cycle"] for r in rows],
        t("profile.status"): [t(f"status.{r['status']}") for r in rows],
        t("profile.submitted_at"): [dash.local_time(r["submitted_at"]) for r in rows],
        t("profile.validated_at"): [dash.local_time(r["validated_at"]) for r in rows],
    }


def _actions(items: list[dict], labels: dict[str, str]) -> tuple[dict[str, list], float]:
    """The action plan as a table and the share done."""
    table = {
        t("common.cycle"): [i["cycle_label"] for i in items],
        t("result.action_what"): [i["what"] for i in items],
        t("result.action_who"): [i["who"] for i in items],
        t("result.action_due"): [i["due_on"] for i in items],
        t("result.action_dimension"): [labels.get(i["dimension_id"]) for i in items],
        t("result.action_status"): [t(f"action.{i['status']}") for i in items],
    }
    done = sum(i["status"] == "done" for i in items) / len(items) if items else 0.0
    return table, done


def _comments(rows: list[dict], questionnaire) -> dict[str, list]:
    """Comments and evidence, newest cycle first."""
    rows = rows[::-1]
    texts = {i.id: i.text.get(lang()) for i in questionnaire.items()}
    return {
        t("common.cycle"): [r["cycle"] for r in rows],
        t("profile.item"): [texts.get(r["item_id"], r["item_id"]) for r in rows],
        t("form.comment"): [r["comment"] or "" for r in rows],  # no comment: an empty cell
        t("form.evidence"): [r["evidence"] or "" for r in rows],
    }
