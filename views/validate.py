"""For quality advisors: the submitted assessments in their part of the organisation, to
read, validate, or send back to the unit with a comment; returned ones stay in the list,
marked as waiting for the unit.

Validating and sending back run in callbacks, before the page is drawn, so the list drawn
after an action is the stored one; every widget is keyed by the assessment's id, so a
widget stays with its assessment when the list changes order."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from scoring.models import Questionnaire
from storage import rollup
from storage.actors import Actor
from storage.assessments import (
    AssessmentView,
    get_assessment,
    list_assessments,
    return_assessment,
    validate_assessment,
)
from storage.errors import AccessDenied, ServiceError
from storage.permissions import may_somewhere
from storage.results import open_cycles
from views import dash, form, pickers, state
from views.i18n import lang, t
from views.text import plain

ORDER = {"submitted": 0, "returned": 1, "validated": 2}  # waiting for the advisor first


def page() -> None:
    st.title(t("nav.validate"))
    actor = state.signed_in_actor()
    if actor is None:
        return
    if not may_somewhere(actor, "validate"):
        st.info(t("validate.not_advisor"))
        return
    engine = state.engine()
    cycles = {c["id"]: c["label"] for c in reversed(dash.cycles(engine, state.version()))}
    if not cycles:
        st.info(t("common.no_open_cycle"))
        return
    default = [c["id"] for c in open_cycles(engine)]
    if default and "validate_cycle" not in st.session_state:
        st.session_state["validate_cycle"] = default[0]
    choice = state.remembered("cycle", t("common.cycle"), list(cycles), cycles, "validate_cycle")
    pickers.row("_pickers_validate", [choice])
    cycle_id = choice.value
    if message := st.session_state.pop("validate_message", None):
        st.success(message)
    rows = list_assessments(engine, actor, cycle_id, mode="consensus", statuses=tuple(ORDER))
    if rows.empty:
        st.info(t("validate.none", cycle=cycles[cycle_id]))
        return
    found = rollup.unit_names(engine, sorted(set(rows["unit_id"])))
    names = {u: n[0] if lang() == "nb" else n[1] for u, n in found.items()}
    counts = {status: int(n) for status, n in rows["status"].value_counts().items()}
    waiting, returned, done = (counts.get(s, 0) for s in ("submitted", "returned", "validated"))
    if returned:
        st.caption(t("validate.counts_returned", waiting=waiting, returned=returned, done=done))
    else:
        st.caption(t("validate.counts", waiting=waiting, done=done))
    _, questionnaire, _ = state.questionnaire()
    rows = rows.assign(
        _order=rows["status"].map(ORDER), _name=rows["unit_id"].map(lambda u: names.get(u, u))
    ).sort_values(["_order", "_name", "id"])
    for row in rows.to_dict("records"):
        _assessment(actor, row, questionnaire)


def _assessment(actor: Actor, row: dict[str, Any], questionnaire: Questionnaire) -> None:
    """One assessment: its answers, and for a submitted one the buttons to validate it or send
    it back; a returned one shows the comment the unit was sent back with."""
    aid = int(row["id"])
    status = t("validate.status_returned") if row["status"] == "returned" else t(f"status.{row['status']}")
    error = st.session_state.pop(f"validate_error_{aid}", None)
    with st.expander(f"{plain(row['_name'])} – {status}", expanded=error is not None, key=f"validate_{aid}"):
        if error:
            st.error(error)
        if row["status"] == "returned":
            st.caption(t("validate.returned_note"))
            st.text(row["status_comment"] or "")
        if row["status"] != "submitted":
            if (view := _readable(actor, aid)) is not None:
                st.dataframe(answers_table(view, questionnaire), hide_index=True, width="stretch")
            return
        view = get_assessment(state.engine(), actor, aid)
        st.dataframe(answers_table(view, questionnaire), hide_index=True, width="stretch")
        left, right = st.columns([1, 2])
        left.button(
            t("validate.approve"),
            key=f"approve_{aid}",
            type="primary",
            on_click=_approve,
            args=(actor, aid, int(view.row_version), row["_name"]),
        )
        with right.form(f"return_{aid}"):
            st.text_area(t("validate.comment"), key=f"return_comment_{aid}", height=68)
            st.form_submit_button(
                t("validate.send_back"),
                on_click=_send_back,
                args=(actor, aid, int(view.row_version), row["_name"]),
            )


def _readable(actor: Actor, assessment_id: int) -> AssessmentView | None:
    """The assessment with its answers, or None where the services do not let the actor read
    them (a returned assessment is the unit's draft again)."""
    try:
        return get_assessment(state.engine(), actor, assessment_id)
    except AccessDenied:
        return None


def answers_table(view: AssessmentView, questionnaire: Questionnaire) -> pd.DataFrame:
    """Each item with the unit's answer, comment and evidence as text; an empty cell (never
    "None") where the unit wrote nothing."""
    answered = [(item, view.answers.get(item.id)) for item in questionnaire.items()]
    return pd.DataFrame(
        {
            t("profile.item"): [item.text.get(lang()) for item, _ in answered],
            t("common.level"): [form.answer_label(questionnaire, item, a) for item, a in answered],
            t("form.comment"): [(a.comment or "") if a else "" for _, a in answered],
            t("form.evidence"): [(a.evidence or "") if a else "" for _, a in answered],
        },
        dtype="string",
    )


def _approve(actor: Actor, assessment_id: int, version: int, unit: str) -> None:
    try:
        validate_assessment(state.engine(), actor, assessment_id, version)
    except ServiceError as error:
        st.session_state[f"validate_error_{assessment_id}"] = error.message(lang())
        return
    st.session_state["validate_message"] = t("validate.approved", unit=plain(unit))


def _send_back(actor: Actor, assessment_id: int, version: int, unit: str) -> None:
    comment = st.session_state.get(f"return_comment_{assessment_id}") or ""
    try:
        return_assessment(state.engine(), actor, assessment_id, version, comment)
    except ServiceError as error:
        st.session_state[f"validate_error_{assessment_id}"] = error.message(lang())
        return
    st.session_state.pop(f"return_comment_{assessment_id}", None)
    st.session_state["validate_message"] = t("validate.returned", unit=plain(unit))
