"""For quality advisors: the submitted assessments in their part of the organisation, to
read, validate, or send back to the unit with a comment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from storage import rollup
from storage.assessments import get_assessment, list_assessments, return_assessment, validate_assessment
from storage.errors import ServiceError
from storage.results import open_cycles
from views import dash, form, state
from views.i18n import lang, t


def page() -> None:
    st.title(t("nav.validate"))
    actor = state.signed_in_actor()
    if actor is None:
        return
    if not (actor.is_admin or actor.has("advisor")):
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
    cycle_id = state.pick(t("common.cycle"), list(cycles), cycles, "validate_cycle")
    rows = list_assessments(engine, actor, cycle_id)
    rows = (
        rows[(rows["mode"] == "consensus") & rows["status"].isin(["submitted", "validated"])]
        if not rows.empty
        else rows
    )
    if message := st.session_state.pop("validate_message", None):
        st.success(message)
    if rows.empty:
        st.info(t("validate.none", cycle=cycles[cycle_id]))
        return
    found = rollup.unit_names(engine, sorted(set(rows["unit_id"])))
    names = {u: n[0] if lang() == "nb" else n[1] for u, n in found.items()}
    waiting = rows[rows["status"] == "submitted"]
    st.caption(t("validate.counts", waiting=len(waiting), done=int((rows["status"] == "validated").sum())))
    _, questionnaire, _ = state.questionnaire()
    for row in rows.sort_values(["status", "unit_id"]).itertuples():
        title = f"{names.get(row.unit_id, row.unit_id)} – {t(f'status.{row.status}')}"
        with st.expander(title, expanded=False):
            view = get_assessment(engine, actor, int(row.id))
            answered = [(item, view.answers.get(item.id)) for item in questionnaire.items()]
            table = pd.DataFrame(
                {
                    t("profile.item"): [item.text.get(lang()) for item, _ in answered],
                    t("common.level"): [form.answer_label(questionnaire, item, a) for item, a in answered],
                    t("form.comment"): [a.comment if a else None for _, a in answered],
                    t("form.evidence"): [a.evidence if a else None for _, a in answered],
                }
            )
            st.dataframe(table, hide_index=True, width="stretch")
            if row.status != "submitted":
                continue
            left, right = st.columns([1, 2])
            left.button(
                t("validate.approve"),
                key=f"approve_{row.id}",
                type="primary",
                on_click=_approve,
                args=(actor, int(row.id), int(view.row_version)),
            )
            with right.form(f"return_{row.id}"):
                comment = st.text_area(t("validate.comment"), height=68)
                if st.form_submit_button(t("validate.send_back")):
                    _send_back(actor, int(row.id), int(view.row_version), comment)


def _approve(actor, assessment_id: int, version: int) -> None:
    try:
        validate_assessment(state.engine(), actor, assessment_id, version)
        st.session_state["validate_message"] = t("validate.approved")
    except ServiceError as error:
        st.session_state["validate_message"] = error.message(lang())


def _send_back(actor, assessment_id: int, version: int, comment: str) -> None:
    try:
        return_assessment(state.engine(), actor, assessment_id, version, comment)
    except ServiceError as error:
        st.error(error.message(lang()))
        return
    st.session_state["validate_message"] = t("validate.returned")
    st.rerun()
