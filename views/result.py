"""Result of a unit's assessment: profile per dimension beside last cycle, overall level,
roadmap stage and what is missing, next steps, and the action plan."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from scoring.engine import OVERALL
from scoring.models import Questionnaire, Roadmap
from storage.definitions import list_cycles
from storage.errors import ServiceError
from storage.planning import add_action_item, list_action_items, update_action_item
from storage.results import assessable_units, unit_history_results, unit_score_result
from storage.tables import ACTION_STATUSES
from views import state, theme
from views.i18n import lang, t


def page() -> None:
    st.title(t("result.title"))
    actor = state.signed_in_actor()
    if actor is None:
        return
    engine = state.engine()
    units = assessable_units(engine, actor)
    if units.empty:
        st.info(t("common.no_units"))
        return
    names = dict(zip(units["unit_id"], units["name_nb" if lang() == "nb" else "name_en"], strict=True))
    history = None
    left, right = st.columns(2)
    with left:
        unit_id = state.pick(t("common.unit"), list(names), names, "chosen_unit")
    history = unit_history_results(engine, actor, unit_id)
    cycles = {c["id"]: c["label"] for c in reversed(list_cycles(engine))}
    with right:
        cycle_id = state.pick(t("common.cycle"), list(cycles), cycles, "chosen_cycle")
    label = cycles[cycle_id]
    _, questionnaire, roadmap = state.questionnaire()
    current = history[history["cycle"] == label]
    if current.empty:
        st.info(t("result.none", cycle=label))
    else:
        earlier = history[history["starts_on"] < current["starts_on"].iloc[0]]
        previous = earlier[earlier["cycle"] == earlier["cycle"].iloc[-1]] if not earlier.empty else earlier
        _headline(current, questionnaire)
        _profile(current, previous, questionnaire)
        detail = unit_score_result(engine, actor, unit_id, cycle_id)
        if roadmap is not None and detail is not None and detail.criteria is not None:
            _missing(detail.criteria, current, roadmap, questionnaire)
        _next_steps(current, questionnaire)
    _action_plan(actor, unit_id, cycle_id, questionnaire)


def _headline(current: pd.DataFrame, questionnaire: Questionnaire) -> None:
    overall = current[current["dimension_id"] == OVERALL].iloc[0]
    level = None if pd.isna(overall["level"]) else int(overall["level"])
    first, second, third = st.columns(3)
    with first:
        st.caption(t("result.overall"))
        theme.badge(
            level,
            questionnaire.level_label(level, lang()) if level else t("common.no_score"),
            None if pd.isna(overall["score"]) else float(overall["score"]),
        )
    with second:
        st.caption(t("result.stage"))
        stage = overall["stage"]
        if pd.isna(stage) or int(stage) == 0:
            st.markdown(f"**{t('result.stage_none')}**")
        else:
            st.markdown(f"**{t('result.stage_value', stage=f'{int(stage)}.0')}**")
        if not pd.isna(overall["journey"]):
            journey = float(overall["journey"])
            reached = 0 if pd.isna(stage) else int(stage)
            if journey > reached:
                st.caption(
                    t(
                        "result.journey",
                        journey=f"{journey:.1f}",
                        share=round((journey - reached) * 100),
                        stage=f"{reached + 1}.0",
                    )
                )
    with third:
        st.caption(t("result.respondents", n=int(overall["respondents"])))
        st.caption(t(f"status.{overall['status']}"))


def _profile(current: pd.DataFrame, previous: pd.DataFrame, questionnaire: Questionnaire) -> None:
    st.subheader(t("result.profile"))
    before = dict(zip(previous["dimension_id"], previous["score"], strict=True)) if not previous.empty else {}
    rows = []
    for dimension in [*questionnaire.dimensions, None]:
        key = dimension.id if dimension else OVERALL
        row = current[current["dimension_id"] == key]
        if row.empty:
            continue
        row = row.iloc[0]
        level = None if pd.isna(row["level"]) else int(row["level"])
        rows.append(
            {
                t("common.dimension"): dimension.label.get(lang()) if dimension else t("common.overall"),
                t("common.level"): f"{level} – {questionnaire.level_label(level, lang())}"
                if level
                else t("common.no_score"),
                t("common.score"): None if pd.isna(row["score"]) else round(float(row["score"]), 2),
                t("result.previous_cycle"): None
                if pd.isna(before.get(key, float("nan")))
                else round(float(before[key]), 2),
                "n": int(row["respondents"]),
                t("result.spread_flag"): "⚠" if (not pd.isna(row["spread"]) and row["spread"] >= 2) else "",
                "_level": level or 0,
            }
        )
    table = pd.DataFrame(rows)
    chart = _profile_chart(table)
    st.altair_chart(chart, width="stretch")
    st.caption(t("result.chart_help"))
    st.dataframe(table.drop(columns="_level"), hide_index=True, width="stretch")


def _profile_chart(table: pd.DataFrame) -> alt.LayerChart:
    dim, score, before = t("common.dimension"), t("common.score"), t("result.previous_cycle")
    data = table.rename(
        columns={dim: "dimension", score: "score", before: "previous", t("common.level"): "label"}
    )
    colours = alt.Scale(domain=list(theme.LEVEL_COLOURS), range=list(theme.LEVEL_COLOURS.values()))
    base = alt.Chart(data).encode(
        y=alt.Y("dimension:N", sort=None, title=None, axis=alt.Axis(labelLimit=240))
    )
    bars = base.mark_bar().encode(
        x=alt.X(
            "score:Q",
            scale=alt.Scale(domain=[0, 5]),
            title=t("result.chart_axis"),
            axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"),
        ),
        color=alt.Color("_level:O", scale=colours, legend=None),
        tooltip=["dimension", "label", "score", "previous"],
    )
    text = base.mark_text(align="left", dx=4).encode(x="score:Q", text="label:N")
    ticks = base.mark_tick(color="#333333", thickness=3, size=18).encode(x="previous:Q")
    return (bars + text + ticks).properties(height=38 * len(data))


def _missing(
    criteria: pd.DataFrame, current: pd.DataFrame, roadmap: Roadmap, questionnaire: Questionnaire
) -> None:
    overall = current[current["dimension_id"] == OVERALL].iloc[0]
    reached = 0 if pd.isna(overall["stage"]) else int(overall["stage"])
    if reached >= len(roadmap.stages):
        st.success(t("result.top_reached"))
        return
    stage = roadmap.stages[reached]
    st.subheader(t("result.missing_for_next", stage=stage.id))
    for index, criterion in enumerate(stage.criteria):
        met = criteria[(criteria["stage"].astype(str) == stage.id) & (criteria["criterion"] == index)]["met"]
        if not met.empty and bool(met.iloc[0]):
            continue
        st.markdown(f"- {_criterion_text(criterion, questionnaire)}")


def _criterion_text(criterion, questionnaire: Questionnaire) -> str:
    if criterion.label is not None:
        return criterion.label.get(lang())
    if criterion.dimension:
        dimension = questionnaire.dimension(criterion.dimension)
        return t(
            "result.criterion_dimension",
            dimension=dimension.label.get(lang()) if dimension else "",
            level=criterion.min_level,
        )
    item = questionnaire.item(criterion.item or "")
    text = item.text.get(lang()) if item else criterion.item
    if item is not None and not item.scored:
        return t("result.criterion_yesno", item=text)
    return t("result.criterion_item", item=text, level=criterion.min_level)


def _next_steps(current: pd.DataFrame, questionnaire: Questionnaire) -> None:
    scores = current[(current["dimension_id"] != OVERALL) & current["score"].notna()]
    weakest = scores.sort_values("score").head(2)
    if weakest.empty:
        return
    st.subheader(t("result.next_steps"))
    st.caption(t("result.next_steps_intro"))
    for row in weakest.itertuples():
        dimension = questionnaire.dimension(row.dimension_id)
        if dimension is None:
            continue
        next_level = min(int(row.level) + 1, questionnaire.top_level)
        with st.expander(
            f"{dimension.label.get(lang())}: "
            f"{t('result.next_level', label=questionnaire.level_label(next_level, lang()))}",
            expanded=True,
        ):
            for item in dimension.scored_items:
                if item.anchors:
                    st.markdown(f"- **{item.text.get(lang())}** {item.anchors[next_level].get(lang())}")


def _action_plan(actor, unit_id: str, cycle_id: int, questionnaire: Questionnaire) -> None:
    st.subheader(t("result.action_plan"))
    st.caption(t("result.action_plan_intro"))
    engine = state.engine()
    try:
        items = list_action_items(engine, actor, unit_id, cycle_id)
    except ServiceError as error:
        st.error(error.message(lang()))
        return
    dimensions = {d.id: d.label.get(lang()) for d in questionnaire.dimensions}
    if message := st.session_state.pop("action_added", None):
        st.success(message)
    if message := st.session_state.pop("action_error", None):
        st.error(message)
    if items.empty:
        st.caption(t("result.action_none"))
    for row in items.itertuples():
        with st.container(border=True):
            first, second = st.columns([3, 1])
            first.text(row.what)
            details = " · ".join(
                x for x in (row.who or "", str(row.due_on or ""), dimensions.get(row.dimension_id, "")) if x
            )
            first.caption(details)
            second.selectbox(
                t("result.action_status"),
                list(ACTION_STATUSES),
                index=list(ACTION_STATUSES).index(row.status),
                format_func=lambda s: t(f"action.{s}"),
                key=f"action_status_{row.id}",
                on_change=_set_status,
                args=(actor, int(row.id), int(row.row_version)),
            )
    with st.form(f"new_action_{unit_id}_{cycle_id}", clear_on_submit=True):
        what = st.text_area(t("result.action_what"), height=68)
        first, second, third = st.columns(3)
        who = first.text_input(t("result.action_who"))
        due = second.date_input(t("result.action_due"), value=dt.date.today() + dt.timedelta(days=90))
        dimension = third.selectbox(
            t("result.action_dimension"),
            [None, *dimensions],
            format_func=lambda d: "–" if d is None else dimensions[d],
        )
        if st.form_submit_button(t("result.action_add"), type="primary"):
            try:
                add_action_item(engine, actor, unit_id, cycle_id, what, who, due, dimension)
            except ServiceError as error:
                st.error(error.message(lang()))
            else:
                st.session_state["action_added"] = t("result.action_added")
                st.rerun()


def _set_status(actor, item_id: int, version: int) -> None:
    try:
        update_action_item(
            state.engine(), actor, item_id, version, status=st.session_state[f"action_status_{item_id}"]
        )
    except ServiceError as error:
        st.session_state["action_error"] = error.message(lang())
