"""Result of a unit's assessment: profile per dimension beside last cycle, overall level,
roadmap stage and what is missing, next steps, and the action plan."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from scoring.engine import OVERALL
from scoring.models import Criterion, Questionnaire, Roadmap
from storage.actors import Actor
from storage.definitions import list_cycles
from storage.errors import NotFound, ServiceError
from storage.planning import (
    add_action_item,
    delete_action_item,
    list_action_items,
    may_plan,
    update_action_item,
)
from storage.results import assessable_units, unit_history_results, unit_score_result
from storage.tables import ACTION_STATUSES
from views import dash, pickers, state, theme
from views.i18n import lang, t, tn

DATE_FORMAT = "DD.MM.YYYY"  # how st.date_input shows and takes dates: dd.mm.åååå


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
    unit = state.unit_choice(units.to_dict("records"))
    cycles = {c["id"]: c["label"] for c in reversed(list_cycles(engine))}
    cycle = state.remembered("cycle", t("common.cycle"), list(cycles), cycles, "chosen_cycle")
    pickers.row("_pickers_result", [c for c in (unit, cycle) if c is not None])
    if unit is None:
        return
    unit_id, cycle_id = unit.value, cycle.value
    history = unit_history_results(engine, actor, unit_id)
    label = cycles[cycle_id]
    _, questionnaire, roadmap = state.questionnaire()
    current = history[history["cycle"] == label]
    if current.empty:
        st.info(t("result.none", cycle=label))
    else:
        earlier = history[history["starts_on"] < current["starts_on"].iloc[0]]
        previous = earlier[earlier["cycle"] == earlier["cycle"].iloc[-1]] if not earlier.empty else earlier
        _headline(current, questionnaire, roadmap)
        _profile(current, previous, questionnaire, f"profil-{unit_id}-{label.replace('/', '-')}")
        detail = unit_score_result(engine, actor, unit_id, cycle_id)
        if roadmap is not None and detail is not None and detail.criteria is not None:
            _missing(detail.criteria, current, roadmap, questionnaire)
        _next_steps(current, questionnaire)
    action_plan(actor, unit_id, cycle_id, questionnaire)


def _headline(current: pd.DataFrame, questionnaire: Questionnaire, roadmap: Roadmap | None) -> None:
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
            st.caption(_journey_text(float(overall["journey"]), 0 if pd.isna(stage) else int(stage), roadmap))
    with third:
        st.caption(tn("result.respondents", int(overall["respondents"])))
        st.caption(t("result.status", status=t(f"status.{overall['status']}")))


def _journey_text(journey: float, reached: int, roadmap: Roadmap | None) -> str:
    """The stored journey exactly as stored (two decimals), and what share of the next
    stage's criteria that means; 2.75 reads "2.75 (75 % of the criteria for stage 3.0)"."""
    top = len(roadmap.stages) if roadmap is not None else 5
    if reached >= top:
        return t("result.journey_top", journey=theme.format_score(journey))
    stage = roadmap.stages[reached].id if roadmap is not None else f"{reached + 1}.0"
    return t(
        "result.journey",
        journey=theme.format_score(journey),
        share=round((journey - reached) * 100),
        stage=stage,
    )


def _profile(
    current: pd.DataFrame, previous: pd.DataFrame, questionnaire: Questionnaire, file_name: str
) -> None:
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
    with st.container(key="result_profile_chart"):
        st.altair_chart(chart, width="stretch")
    st.caption(t("result.chart_help"))
    shown = table.drop(columns="_level").style.format(precision=2, na_rep="–")  # never "None"
    st.dataframe(shown, hide_index=True, width="stretch")
    dash.figure_menu(chart.to_dict(), file_name)  # below the table: its toolbar floats above it


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
    """What is missing at every stage not reached, the nearest stage first: stages build on
    each other, so a unit that lost one criterion low down sees everything above too."""
    overall = current[current["dimension_id"] == OVERALL].iloc[0]
    reached = 0 if pd.isna(overall["stage"]) else int(overall["stage"])
    if reached >= len(roadmap.stages):
        st.success(t("result.top_reached"))
        return
    st.subheader(t("result.missing_title"))
    st.caption(t("result.missing_intro"))
    stage_ids = criteria["stage"].astype(str)
    for number, stage in enumerate(roadmap.stages[reached:]):
        rows = criteria[stage_ids == stage.id].set_index("criterion")
        missing = [
            (index, criterion, _value(rows, index))
            for index, criterion in enumerate(stage.criteria)
            if not (index in rows.index and bool(rows.loc[index, "met"]))
        ]
        missing.sort(key=lambda entry: (_gap(entry[1], entry[2], questionnaire), entry[0]))
        title = t(
            "result.missing_stage" if missing else "result.missing_stage_none",
            stage=stage.id,
            label=stage.label.get(lang()),
            missing=len(missing),
            total=len(stage.criteria),
        )
        with st.expander(title, expanded=number == 0):
            if not missing:
                st.caption(t("result.missing_none_here"))
            for _, criterion, value in missing:
                st.markdown(f"- {criterion_text(criterion, value, questionnaire)}")


def _value(rows: pd.DataFrame, index: int) -> float:
    """The unit's value on a criterion (a score, a mean answer or a share of yes); NaN if none."""
    if index not in rows.index:
        return math.nan
    value = rows.loc[index, "value"]
    return math.nan if pd.isna(value) else float(value)


def _gap(criterion: Criterion, value: float, questionnaire: Questionnaire) -> float:
    """How far a missing criterion is from being met, in levels (a checklist statement counts
    as one step); nothing answered counts as furthest."""
    if math.isnan(value):
        return math.inf
    item = questionnaire.item(criterion.item) if criterion.item else None
    if item is not None and not item.scored:
        return 1.0
    return float(criterion.min_level or 0) - value


def criterion_text(criterion: Criterion, value: float, questionnaire: Questionnaire) -> str:
    """A missing criterion as a quality advisor would write it: the checklist statement itself,
    or the level needed beside where the unit is now."""
    if criterion.label is not None:
        return criterion.label.get(lang())
    now = t("result.criterion_no_value") if math.isnan(value) else theme.format_score(value)
    if criterion.dimension:
        dimension = questionnaire.dimension(criterion.dimension)
        level = criterion.min_level or 0
        return t(
            "result.criterion_dimension",
            dimension=dimension.label.get(lang()) if dimension else criterion.dimension,
            level=level,
            label=questionnaire.level_label(level, lang()),
            value=now,
        )
    item = questionnaire.item(criterion.item or "")
    text = item.text.get(lang()) if item else str(criterion.item)
    if item is not None and not item.scored:
        if math.isnan(value):
            return t("result.criterion_yesno_unanswered", item=text)
        if value > 0:
            return t("result.criterion_yesno_share", item=text, share=round(value * 100))
        return text
    level = criterion.min_level or 0
    return t(
        "result.criterion_item",
        item=text.rstrip("."),
        level=level,
        label=questionnaire.level_label(level, lang()),
        value=now,
    )


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


# The action plan ------------------------------------------------------------------------
#
# Every change runs in a callback, before the page is drawn, so the list drawn after it is
# the stored one. Widgets are keyed by the action's id (and the status by its row version,
# so a row someone else changed comes back with the stored status). An edit or a delete
# carries the row version the user saw; the service refuses it if the row has changed since.


def action_plan(actor: Actor, unit_id: str, cycle_id: int, questionnaire: Questionnaire) -> None:
    """The unit's action plan for a cycle. Anyone who may read it sees it; the unit's leader and
    management above it (the "plan" rule in storage.permissions) also add, edit, delete and set the status."""
    st.subheader(t("result.action_plan"))
    engine = state.engine()
    try:
        items = list_action_items(engine, actor, unit_id, cycle_id)
    except ServiceError as error:
        st.error(error.message(lang()))
        return
    editable = may_plan(engine, actor, unit_id)
    st.caption(t("result.action_plan_intro") if editable else t("result.action_read_only"))
    dimensions = {d.id: d.label.get(lang()) for d in questionnaire.dimensions}
    if notice := st.session_state.pop("action_notice", None):
        kind, text = notice
        (st.success if kind == "success" else st.error)(text)
    if items.empty:
        st.caption(t("result.action_none"))
    for row in items.to_dict("records"):
        _action_card(actor, _cleaned(row), dimensions, editable)
    if editable:
        _new_action_form(actor, unit_id, cycle_id, dimensions)


def _cleaned(row: dict[str, Any]) -> dict[str, Any]:
    """A stored action with None (never NaN or NaT) where a field is empty."""
    return {
        key: None if value is None or (not isinstance(value, (str, dt.date)) and pd.isna(value)) else value
        for key, value in row.items()
    }


def _due_text(due: dt.date | None) -> str:
    """A due date as dd.mm.åååå; empty when there is none."""
    return "" if due is None else f"{due:%d.%m.%Y}"


def _details(row: dict[str, Any], dimensions: dict[str, str]) -> str:
    """Who, by when and which dimension, in one line."""
    parts = []
    if row["who"]:
        parts.append(t("result.action_who_is", who=row["who"]))
    if due := _due_text(row["due_on"]):
        parts.append(t("result.action_due_on", due=due))
    if row["dimension_id"] in dimensions:
        parts.append(t("result.action_concerns", dimension=dimensions[row["dimension_id"]]))
    return " · ".join(parts)


def _action_card(actor: Actor, row: dict[str, Any], dimensions: dict[str, str], editable: bool) -> None:
    """One action: what, who, due date, dimension and status; with edit and delete for planners."""
    item_id, version = int(row["id"]), int(row["row_version"])
    editing = st.session_state.get(f"action_editing_{item_id}")
    with st.container(border=True, key=f"action_card_{item_id}"):
        if error := st.session_state.pop(f"action_error_{item_id}", None):
            st.error(error)
        if editable and editing is not None:
            if editing["version"] != version:  # someone else saved in between
                _rebase_edit(item_id, editing, row, dimensions)
            _edit_form(actor, item_id, dimensions)
            return
        first, second = st.columns([3, 1])
        with first:
            st.text(row["what"])
            if details := _details(row, dimensions):
                st.text(details)
        if not editable:
            second.text(t("result.status", status=t(f"action.{row['status']}")))
            return
        second.selectbox(
            t("result.action_status"),
            list(ACTION_STATUSES),
            index=list(ACTION_STATUSES).index(row["status"]),
            format_func=lambda s: t(f"action.{s}"),
            key=f"action_status_{item_id}_{version}",
            on_change=_set_status,
            args=(actor, item_id, version),
        )
        if st.session_state.get(f"action_deleting_{item_id}") is not None:
            st.warning(t("result.action_delete_confirm"))
            row_of_buttons = st.container(horizontal=True)
            row_of_buttons.button(
                t("result.action_delete_yes"),
                key=f"action_delete_yes_{item_id}",
                type="primary",
                on_click=_delete,
                args=(actor, item_id),
            )
            row_of_buttons.button(
                t("result.action_cancel"),
                key=f"action_delete_no_{item_id}",
                on_click=_forget,
                args=(f"action_deleting_{item_id}",),
            )
            return
        row_of_buttons = st.container(horizontal=True)
        row_of_buttons.button(
            t("result.action_edit"),
            key=f"action_edit_{item_id}",
            icon=":material/edit:",
            on_click=_start_edit,
            args=(row,),
        )
        row_of_buttons.button(
            t("result.action_delete"),
            key=f"action_delete_{item_id}",
            icon=":material/delete:",
            on_click=_start_delete,
            args=(item_id, version),
        )


def _rebase_edit(
    item_id: int, editing: dict[str, Any], row: dict[str, Any], dimensions: dict[str, str]
) -> None:
    """Someone else saved the action while this user edits it: show what is stored now, take
    their values into the fields this user has not changed, and keep what this user wrote in
    the others, so a second save changes only what this user changed (and nothing is lost)."""
    st.caption(t("result.action_stored_now"))
    st.text(row["what"])
    st.text(" · ".join(x for x in (_details(row, dimensions), t(f"action.{row['status']}")) if x))
    stored = _editable_fields(row)
    for name, seen in editing["row"].items():
        if st.session_state.get(f"action_{name}_{item_id}") == seen:
            st.session_state[f"action_{name}_{item_id}"] = stored[name]
    editing.update(version=int(row["row_version"]), row=stored)


def _editable_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The fields an edit can change, as the edit form holds them."""
    return {
        "what": row["what"],
        "who": row["who"] or "",
        "due_on": row["due_on"],
        "dimension_id": row["dimension_id"] or "",
        "status": row["status"],
    }


def _start_edit(row: dict[str, Any]) -> None:
    """Open the edit form filled with the stored values, remembering the row version seen."""
    item_id = int(row["id"])
    fields = _editable_fields(row)
    for name, value in fields.items():
        st.session_state[f"action_{name}_{item_id}"] = value
    st.session_state[f"action_editing_{item_id}"] = {"version": int(row["row_version"]), "row": fields}
    st.session_state.pop(f"action_deleting_{item_id}", None)


def _edit_form(actor: Actor, item_id: int, dimensions: dict[str, str]) -> None:
    with st.form(f"action_edit_form_{item_id}", border=False):
        st.text_area(t("result.action_what"), key=f"action_what_{item_id}", height=68)
        first, second = st.columns(2)
        first.text_input(t("result.action_who"), key=f"action_who_{item_id}")
        second.date_input(t("result.action_due"), key=f"action_due_on_{item_id}", format=DATE_FORMAT)
        first, second = st.columns(2)  # a row each, so a phone stacks them in reading order
        first.selectbox(
            t("result.action_dimension"),
            ["", *dimensions],
            format_func=lambda d: dimensions.get(d, t("result.action_no_dimension")),
            key=f"action_dimension_id_{item_id}",
        )
        second.selectbox(
            t("result.action_status"),
            list(ACTION_STATUSES),
            format_func=lambda s: t(f"action.{s}"),
            key=f"action_status_{item_id}",
        )
        row_of_buttons = st.container(horizontal=True)
        row_of_buttons.form_submit_button(
            t("result.action_save"), type="primary", on_click=_save_edit, args=(actor, item_id)
        )
        row_of_buttons.form_submit_button(t("result.action_cancel"), on_click=_stop_edit, args=(item_id,))


def _save_edit(actor: Actor, item_id: int) -> None:
    """Store what changed in the edit form, against the row version the user saw. On a
    conflict the form stays open with what the user wrote, beside what is stored now."""
    editing = st.session_state.get(f"action_editing_{item_id}")
    if editing is None:
        return
    entered = {name: st.session_state.get(f"action_{name}_{item_id}") for name in editing["row"]}
    changes = {name: value for name, value in entered.items() if value != editing["row"][name]}
    if "dimension_id" in changes:
        changes["dimension_id"] = changes["dimension_id"] or None
    if not changes:
        _stop_edit(item_id)
        return
    try:
        update_action_item(state.engine(), actor, item_id, editing["version"], **changes)
    except NotFound:
        _stop_edit(item_id)
        st.session_state["action_notice"] = ("error", t("result.action_gone"))
        return
    except ServiceError as error:
        st.session_state[f"action_error_{item_id}"] = error.message(lang())
        return
    _stop_edit(item_id)
    st.session_state["action_notice"] = ("success", t("result.action_saved"))


def _stop_edit(item_id: int) -> None:
    for name in ("editing", "what", "who", "due_on", "dimension_id", "status"):
        st.session_state.pop(f"action_{name}_{item_id}", None)


def _start_delete(item_id: int, version: int) -> None:
    """Ask for a confirmation, remembering the row version the user saw."""
    st.session_state[f"action_deleting_{item_id}"] = version


def _delete(actor: Actor, item_id: int) -> None:
    version = st.session_state.pop(f"action_deleting_{item_id}", None)
    if version is None:
        return
    try:
        delete_action_item(state.engine(), actor, item_id, version)
    except NotFound:
        st.session_state["action_notice"] = ("error", t("result.action_gone"))
        return
    except ServiceError as error:
        st.session_state[f"action_error_{item_id}"] = error.message(lang())
        return
    st.session_state["action_notice"] = ("success", t("result.action_deleted"))


def _forget(key: str) -> None:
    st.session_state.pop(key, None)


def _set_status(actor: Actor, item_id: int, version: int) -> None:
    try:
        update_action_item(
            state.engine(),
            actor,
            item_id,
            version,
            status=st.session_state[f"action_status_{item_id}_{version}"],
        )
    except NotFound:
        st.session_state["action_notice"] = ("error", t("result.action_gone"))
    except ServiceError as error:
        st.session_state[f"action_error_{item_id}"] = error.message(lang())


def _new_action_form(actor: Actor, unit_id: str, cycle_id: int, dimensions: dict[str, str]) -> None:
    """Add an action: what, who, due date and dimension belong together, so one form."""
    key = f"new_action_{unit_id}_{cycle_id}"
    st.session_state.setdefault(f"{key}_due_on", dt.date.today() + dt.timedelta(days=90))
    with st.form(key):
        st.markdown(f"**{t('result.action_new')}**")
        st.text_area(t("result.action_what"), key=f"{key}_what", height=68)
        first, second, third = st.columns(3)
        first.text_input(t("result.action_who"), key=f"{key}_who")
        second.date_input(t("result.action_due"), key=f"{key}_due_on", format=DATE_FORMAT)
        third.selectbox(
            t("result.action_dimension"),
            ["", *dimensions],
            format_func=lambda d: dimensions.get(d, t("result.action_no_dimension")),
            key=f"{key}_dimension_id",
        )
        st.form_submit_button(
            t("result.action_add"), type="primary", on_click=_add, args=(actor, unit_id, cycle_id, key)
        )


def _add(actor: Actor, unit_id: str, cycle_id: int, key: str) -> None:
    """Add the action in the form; the form is emptied only when it was stored."""
    fields = ("what", "who", "due_on", "dimension_id")
    values = {name: st.session_state.get(f"{key}_{name}") for name in fields}
    try:
        add_action_item(
            state.engine(),
            actor,
            unit_id,
            cycle_id,
            values["what"] or "",
            values["who"],
            values["due_on"],
            values["dimension_id"] or None,
        )
    except ServiceError as error:
        st.session_state["action_notice"] = ("error", error.message(lang()))
        return
    for name in values:
        st.session_state.pop(f"{key}_{name}", None)
    st.session_state["action_notice"] = ("success", t("result.action_added"))
