"""The self-assessment: pick a unit and cycle, answer one dimension at a time, send in after
a confirmation that lists what will be sent; take it back while no advisor has validated it."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from storage.actors import Actor
from storage.assessments import (
    EDITABLE,
    AssessmentView,
    find_consensus,
    get_assessment,
    reopen_assessment,
    save_answer,
    start_assessment,
    submit_assessment,
)
from storage.errors import ServiceError
from storage.results import previous_answers
from storage.workshops import Distribution
from views import form, guard, state
from views.i18n import t
from views.text import plain


def page() -> None:
    started = state.start_unit_page(t("form.title"), t("form.intro"))
    if started is None:
        return
    actor, unit_id, cycle_id = started
    engine = state.engine()
    if message := st.session_state.pop("_assess_message", None):
        st.success(message, icon=":material/check_circle:")
    if refused := st.session_state.pop("_assess_error", None):
        guard.refusal(refused)
    assessment_id = find_consensus(engine, actor, unit_id, cycle_id)
    if assessment_id is None:
        st.caption(t("form.ladder_help"))
        if st.button(t("form.start"), type="primary"):
            try:
                start_assessment(engine, actor, unit_id, cycle_id, "consensus", role="enhetsleder")
            except ServiceError as error:
                guard.refusal(error)
                return
            st.rerun()
        return
    view = get_assessment(engine, actor, assessment_id)
    if view.status not in EDITABLE:
        st.info(t("form.read_only", status=t(f"status.{view.status}")))
        st.page_link("app_pages/result.py", label=t("nav.result"), icon=":material/insights:")
        if view.status == "submitted":
            st.button(
                t("form.reopen"),
                help=t("form.reopen_help"),
                on_click=_reopen,
                args=(actor, view.id, view.row_version),
            )
        return
    if view.status == "returned" and view.status_comment:
        st.warning(plain(t("form.returned", comment=view.status_comment)), icon=":material/undo:")
    questionnaire, _ = state.questionnaire_version(view.questionnaire_version_id)
    sheet = assessment_sheet(
        actor,
        view,
        state.unit_name(unit_id),
        previous=previous_answers(engine, actor, unit_id, cycle_id),
        on_submitted=lambda: st.switch_page("app_pages/result.py"),
    )
    form.render(sheet, questionnaire)


def assessment_sheet(
    actor: Actor,
    view: AssessmentView,
    unit_name: str,
    *,
    previous: tuple[str | None, dict],
    on_submitted: Callable[[], None],
    distribution: Distribution | None = None,
) -> form.Sheet:
    """The form's view of an assessment. The row version the user's page holds travels with
    every save and with the sending in, so a change made elsewhere meanwhile is a conflict,
    never overwritten."""
    engine = state.engine()
    key = f"a{view.id}"
    kept = form.memory(key)  # an object: setting its attributes after a save cannot be lost
    if kept.version is None:
        kept.version = view.row_version

    def save(item_id: str, fields: dict) -> None:
        kept.version = save_answer(engine, actor, view.id, item_id, kept.version, **fields)

    def submit() -> None:
        kept.version = submit_assessment(engine, actor, view.id, kept.version)

    return form.Sheet(
        key=key,
        answers=view.answers,
        save=save,
        submit=submit,
        on_submitted=on_submitted,
        summary=[t("form.confirm_what", unit=unit_name, cycle=view.cycle_label)],
        rationale=distribution is not None,
        previous=previous,
        distribution=distribution,
        after_submit=t("form.after_submit"),
        reset=lambda: form.forget(key),
    )


@guard.callback
def _reopen(actor: Actor, assessment_id: int, version: int) -> None:
    form.forget(f"a{assessment_id}")  # before the change: the form is drawn afresh from the store
    try:
        reopen_assessment(state.engine(), actor, assessment_id, version)
    except ServiceError as error:
        st.session_state["_assess_error"] = error
        return
    st.session_state["_assess_message"] = t("form.reopened")
