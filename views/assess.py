"""The self-assessment: pick a unit and cycle, answer one dimension at a time, submit."""

from __future__ import annotations

import streamlit as st

from storage.assessments import EDITABLE, find_assessment, get_assessment, start_assessment
from storage.errors import ServiceError
from storage.results import previous_answers
from views import form, state
from views.i18n import lang, t


def page() -> None:
    started = state.start_unit_page(t("form.title"), t("form.intro"))
    if started is None:
        return
    actor, unit_id, cycle_id = started
    engine = state.engine()

    assessment_id = find_assessment(engine, actor, unit_id, cycle_id, actor.user_id)
    if assessment_id is None:
        if st.button(t("form.start"), type="primary"):
            try:
                start_assessment(engine, actor, unit_id, cycle_id, "consensus", role="enhetsleder")
            except ServiceError as error:
                st.error(error.message(lang()))
                return
            st.rerun()
        return
    view = get_assessment(engine, actor, assessment_id)
    if view.status not in EDITABLE:
        st.info(t("form.read_only", status=t(f"status.{view.status}")))
        st.page_link("app_pages/result.py", label=t("nav.result"), icon=":material/insights:")
        return
    if view.status == "returned" and view.status_comment:
        st.warning(t("form.returned", comment=view.status_comment))
    questionnaire, _ = state.questionnaire_version(view.questionnaire_version_id)

    def done() -> None:
        st.switch_page("app_pages/result.py")

    form.render(
        view,
        questionnaire,
        actor,
        previous=previous_answers(engine, actor, unit_id, cycle_id),
        on_submitted=done,
    )
