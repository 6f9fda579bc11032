"""The leader's side of a team workshop, in three phases: share the link while everyone rates
privately (the leader sees only how many have answered), close the round and look at the
distribution together, the widest spread first, and record what the team agreed."""

from __future__ import annotations

import io
import os
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st

from storage.actors import Actor
from storage.assessments import COUNTED, find_consensus, get_assessment
from storage.errors import ServiceError
from storage.results import previous_answers
from storage.workshops import (
    MAX_PARTICIPANTS,
    MIN_PARTICIPANTS,
    WorkshopInfo,
    close_workshop,
    distribution,
    find_open_workshop,
    reveal,
    set_expected,
    start_workshop,
    workshop_progress,
)
from views import distribution as charts
from views import form, guard, state
from views.assess import assessment_sheet
from views.i18n import lang, t, tn
from views.menu import PARTICIPANT_PATH  # the participant page's address
from views.text import plain

DEFAULT_EXPECTED = 6


def page() -> None:
    started = state.start_unit_page(t("workshop.title"), t("workshop.intro"))
    if started is None:
        return
    actor, unit_id, cycle_id = started
    if refused := st.session_state.pop("_workshop_message", None):
        guard.refusal(refused)
    opened = find_open_workshop(state.engine(), actor, unit_id, cycle_id)
    if opened is None:
        _start(actor, unit_id, cycle_id)
        return
    _phases(opened.phase)
    if opened.phase == "rating":
        _rating(actor, opened)
    else:
        _agreement(actor, opened)


def _phases(phase: str) -> None:
    """Where the workshop is: 1 private rating, 2 the distribution, 3 the agreement (the last
    two go together)."""
    steps = [t("workshop.phase_1"), t("workshop.phase_2"), t("workshop.phase_3")]
    now = {1} if phase == "rating" else {2, 3}
    shown = [f"**{n}\\. {step}**" if n in now else f"{n}\\. {step}" for n, step in enumerate(steps, start=1)]
    st.caption("  →  ".join(shown))


def _start(actor: Actor, unit_id: str, cycle_id: int) -> None:
    engine = state.engine()
    consensus = find_consensus(engine, actor, unit_id, cycle_id)
    if consensus is not None:
        view = get_assessment(engine, actor, consensus)
        if view.status in COUNTED:
            st.info(
                t("workshop.already_submitted", status=t(f"status.{view.status}")), icon=":material/task_alt:"
            )
            st.page_link("app_pages/result.py", label=t("nav.result"), icon=":material/insights:")
            return
    st.write(t("workshop.how"))
    with st.form("start_workshop"):
        st.number_input(
            t("workshop.expected"),
            min_value=MIN_PARTICIPANTS,
            max_value=MAX_PARTICIPANTS,
            value=DEFAULT_EXPECTED,
            step=1,
            key="_workshop_expected",
            help=t("workshop.expected_help"),
        )
        st.form_submit_button(
            t("workshop.start"), type="primary", on_click=_begin, args=(actor, unit_id, cycle_id)
        )


@guard.callback
def _begin(actor: Actor, unit_id: str, cycle_id: int) -> None:
    try:
        start_workshop(state.engine(), actor, unit_id, cycle_id, int(st.session_state["_workshop_expected"]))
    except ServiceError as error:
        st.session_state["_workshop_message"] = error


LOOPBACK = ("localhost", "::1")  # and 127.0.0.0/8: addresses a phone cannot reach this machine at


def participant_link(token: str) -> str:
    """The address participants open: the app's public address (MATURITY_BASE_URL, else the
    one this browser used) and the participant page, with the workshop's token."""
    base = os.environ.get("MATURITY_BASE_URL", "").rstrip("/")
    if not base:
        seen = urlsplit(st.context.url or "")
        prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
        base = f"{seen.scheme}://{seen.netloc}" + (f"/{prefix}" if prefix else "")
    return f"{base}/{PARTICIPANT_PATH}?{urlencode({'ws': token})}"


def _rating(actor: Actor, opened: WorkshopInfo) -> None:
    st.subheader(t("workshop.share"))
    link = participant_link(opened.token or "")
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"### {t('workshop.code', code=opened.code)}")
        st.caption(t("workshop.link"))
        st.code(link, language=None, wrap_lines=True)
        st.caption(t("workshop.share_help"))
        host = urlsplit(link).hostname or ""
        if host in LOOPBACK or host.startswith("127."):
            st.warning(t("workshop.loopback", host=plain(host)), icon=":material/phonelink_off:")
    with right:
        buffer = io.BytesIO()
        segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
        st.image(buffer.getvalue(), caption=t("workshop.qr"), width=200)
    _live(actor, opened.id)
    with st.expander(t("workshop.settings"), icon=":material/settings:"):
        with st.form("expected"):
            st.number_input(
                t("workshop.expected"),
                min_value=MIN_PARTICIPANTS,
                max_value=MAX_PARTICIPANTS,
                value=opened.expected or DEFAULT_EXPECTED,
                step=1,
                key="_workshop_new_expected",
            )
            st.form_submit_button(
                t("workshop.change_expected"), on_click=_change_expected, args=(actor, opened.id)
            )
        st.caption(t("workshop.cancel_help"))
        st.button(t("workshop.cancel"), on_click=_close, args=(actor, opened.id))


@st.fragment(run_every="3s")
@guard.body
def _live(actor: Actor, workshop_id: int) -> None:
    """Joins against the expected number and how many sent in, refreshed every few seconds;
    the round can close once enough have sent in. Never what anyone answered."""
    counts = workshop_progress(state.engine(), actor, workshop_id)
    left, middle = st.columns(2)
    left.metric(
        t("workshop.joined"), t("workshop.of_expected", n=counts.joined, expected=counts.expected or "–")
    )
    middle.metric(t("workshop.submitted"), counts.submitted)
    if counts.submitted < MIN_PARTICIPANTS:
        st.caption(t("workshop.too_few", minimum=MIN_PARTICIPANTS, n=counts.submitted))
    elif counts.joined > counts.submitted:
        st.caption(tn("workshop.not_all_in", counts.joined - counts.submitted))
    if st.button(
        t("workshop.reveal"),
        type="primary",
        disabled=counts.submitted < MIN_PARTICIPANTS,
        help=t("workshop.reveal_help"),
    ):
        try:
            reveal(state.engine(), actor, workshop_id)
        except ServiceError as error:
            st.session_state["_workshop_message"] = error
        st.rerun()


@guard.callback
def _change_expected(actor: Actor, workshop_id: int) -> None:
    try:
        set_expected(state.engine(), actor, workshop_id, int(st.session_state["_workshop_new_expected"]))
    except ServiceError as error:
        st.session_state["_workshop_message"] = error


@guard.callback
def _close(actor: Actor, workshop_id: int) -> None:
    try:
        close_workshop(state.engine(), actor, workshop_id)
    except ServiceError as error:
        st.session_state["_workshop_message"] = error


def _agreement(actor: Actor, opened: WorkshopInfo) -> None:
    engine = state.engine()
    shown = distribution(engine, actor, opened.id)
    if shown is None or opened.consensus_assessment_id is None:
        return
    view = get_assessment(engine, actor, opened.consensus_assessment_id)
    questionnaire, _ = state.questionnaire_version(view.questionnaire_version_id)
    st.subheader(tn("workshop.revealed", shown.participants))
    st.caption(t("workshop.revealed_intro"))
    figure = f"fordeling-{opened.unit_id}-{view.cycle_label.replace('/', '-')}"
    charts.draw(
        charts.overview_chart(questionnaire, shown.counts, lang()), f"distribution_{opened.id}", figure
    )
    st.subheader(t("workshop.record"))
    st.caption(t("workshop.record_intro"))
    sheet = assessment_sheet(
        actor,
        view,
        state.unit_name(opened.unit_id),
        previous=previous_answers(engine, actor, opened.unit_id, opened.cycle_id),
        on_submitted=lambda: st.switch_page("app_pages/result.py"),
        distribution=shown,
    )
    form.render(sheet, questionnaire)
    st.divider()
    st.caption(t("workshop.close_help"))
    st.button(t("workshop.close"), on_click=_close, args=(actor, opened.id))
