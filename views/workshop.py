"""The leader's side of a team workshop: share the link, follow who has finished, see the
spread of private ratings (never who said what), record what the team agreed, close."""

from __future__ import annotations

import io
import os
from urllib.parse import urlencode

import segno
import streamlit as st

from storage.assessments import EDITABLE, get_assessment
from storage.errors import ServiceError
from storage.results import previous_answers
from storage.workshops import (
    MIN_PARTICIPANTS_FOR_SPREAD,
    WorkshopInfo,
    close_workshop,
    find_open_workshop,
    start_workshop,
    workshop_progress,
    workshop_spread,
)
from views import form, state
from views.i18n import lang, t


def page() -> None:
    started = state.start_unit_page(t("workshop.title"), t("workshop.intro"))
    if started is None:
        return
    actor, unit_id, cycle_id = started
    engine = state.engine()

    workshop = find_open_workshop(engine, actor, unit_id, cycle_id)
    if workshop is None:
        if st.button(t("workshop.start"), type="primary"):
            try:
                made = start_workshop(engine, actor, unit_id, cycle_id)
            except ServiceError as error:
                st.error(error.message(lang()))
                return
            st.session_state[f"workshop_token_{made.id}"] = made.token
            st.rerun()
        return

    _share(workshop)
    _progress(workshop.id)
    submitted, spread = workshop_spread(engine, actor, workshop.id)
    st.subheader(t("workshop.spread"))
    if spread is None:
        st.info(t("workshop.too_few", n=submitted))
    else:
        st.caption(t("workshop.spread_intro"))
    if workshop.consensus_assessment_id is not None:
        view = get_assessment(engine, actor, workshop.consensus_assessment_id)
        st.subheader(t("workshop.record"))
        if view.status in EDITABLE:
            questionnaire, _ = state.questionnaire_version(view.questionnaire_version_id)
            form.render(
                view,
                questionnaire,
                actor,
                previous=previous_answers(engine, actor, unit_id, cycle_id),
                spread=spread,
                participants=submitted,
                on_submitted=lambda: st.switch_page("app_pages/result.py"),
            )
        else:
            st.info(t("form.read_only", status=t(f"status.{view.status}")))
    if st.button(t("workshop.close")):
        close_workshop(engine, actor, workshop.id)
        st.session_state.pop(f"workshop_token_{workshop.id}", None)
        st.success(t("workshop.closed"))
        st.rerun()


def _share(workshop: WorkshopInfo) -> None:
    """The code always; the link and its QR code while this session knows the token (only
    its hash is stored, so after a reload the leader makes a new link)."""
    st.subheader(t("workshop.share"))
    token = st.session_state.get(f"workshop_token_{workshop.id}")
    left, right = st.columns([2, 1])
    left.markdown(f"### {t('workshop.code', code=workshop.code)}")
    if token is None:
        if left.button(t("workshop.new_link")):
            made = start_workshop(state.engine(), state.current_actor(), workshop.unit_id, workshop.cycle_id)
            st.session_state[f"workshop_token_{workshop.id}"] = made.token
            st.rerun()
        return
    base = os.environ.get("MATURITY_BASE_URL") or (st.context.url or "").split("?")[0]
    link = f"{base}?{urlencode({'ws': token})}"
    left.code(link, language=None)
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    right.image(buffer.getvalue(), caption=t("workshop.link"), width=180)


@st.fragment(run_every="5s")
def _progress(workshop_id: int) -> None:
    """Live count of participants who finished, refreshed every few seconds."""
    actor = state.current_actor()
    if actor is None:
        return
    counts = workshop_progress(state.engine(), actor, workshop_id)
    st.metric(
        t("workshop.participants", done=counts["submitted"], joined=counts["joined"]),
        f"{counts['submitted']} / {counts['joined']}",
    )
    if counts["submitted"] >= MIN_PARTICIPANTS_FOR_SPREAD and not st.session_state.get(
        f"spread_shown_{workshop_id}"
    ):
        st.session_state[f"spread_shown_{workshop_id}"] = True
        st.rerun(scope="app")
