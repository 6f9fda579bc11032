"""A participant's page: join a workshop by link or code and rate privately, on any device."""

from __future__ import annotations

import secrets

import streamlit as st

from storage.assessments import EDITABLE, get_assessment
from storage.errors import NotFound
from storage.workshops import join_workshop
from views import form, state
from views.i18n import t


def page() -> None:
    state.language_picker()
    st.title(t("participate.title"))
    key = st.query_params.get("ws")
    if not key:
        with st.form("join"):
            code = st.text_input(t("participate.code"), max_chars=12)
            role = st.text_input(t("participate.role"), max_chars=50)
            if st.form_submit_button(t("participate.join"), type="primary") and code.strip():
                st.query_params["ws"] = code.strip().upper()
                st.session_state["participant_role"] = role.strip() or None
                st.rerun()
        return
    if "p" not in st.query_params:
        st.query_params["p"] = secrets.token_urlsafe(12)
    try:
        actor, assessment_id = join_workshop(
            state.engine(), key, st.query_params["p"], st.session_state.get("participant_role")
        )
    except NotFound:
        st.error(t("participate.bad_code"))
        return
    st.caption(t("participate.intro"))
    view = get_assessment(state.engine(), actor, assessment_id)
    if view.status not in EDITABLE:
        st.success(t("participate.done"))
        return
    questionnaire, _ = state.questionnaire_version(view.questionnaire_version_id)
    form.render(view, questionnaire, actor, show_evidence=False, on_submitted=st.rerun)
