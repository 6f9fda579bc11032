"""A workshop participant's page, on any phone: join by the leader's link or code, rate
privately, send in, and see the group's distribution once the leader reveals it.

One device is one participant. Its secret travels in its own link (`p=`) and a cookie, so a
reload, or opening the shared link again, goes on where it was instead of joining anew.
"""

from __future__ import annotations

import secrets

import streamlit as st

from storage.errors import NotFound, ServiceError
from storage.workshops import (
    Invitation,
    Participation,
    distribution_for_participants,
    invitation,
    join,
    join_by_code,
    participation,
    save_rating,
    submit_rating,
)
from views import distribution as charts
from views import form, guard, state
from views.i18n import lang, t, tn
from views.text import plain

COOKIE_AGE = 2 * 24 * 3600  # a workshop lasts an afternoon; two days is plenty


def page() -> None:
    token = st.query_params.get("ws")
    if not token:
        _join_by_code()
        return
    state.language_switch()
    engine = state.engine()
    try:
        opened = invitation(engine, token)
    except NotFound:
        st.title(t("participate.title"))
        st.error(t("participate.bad_link"), icon=":material/link_off:")
        return
    st.title(t("participate.title"))
    name = opened.unit_name_nb if lang() == "nb" else opened.unit_name_en
    st.subheader(t("participate.rating_of", unit=plain(name), cycle=opened.cycle_label))
    with st.expander(t("participate.privacy_title"), icon=":material/lock:"):
        st.write(t("participate.privacy"))
    if opened.status == "closed":
        st.info(t("participate.closed"), icon=":material/event_busy:")
        return
    secret = st.query_params.get("p") or _remembered(opened.workshop_id)
    part = participation(engine, token, secret) if secret else None
    device = st.session_state.setdefault(f"_device_{opened.workshop_id}", secrets.token_urlsafe(18))
    if part is None and (part := participation(engine, token, device)) is not None:
        secret = device  # joined from this session, before the link could show it
    if refused := st.session_state.pop("_join_message", None):
        guard.refusal(refused)
    if part is None:
        if not opened.rating:
            st.info(t("participate.round_over"), icon=":material/hourglass_bottom:")
            return
        st.write(t("participate.intro"))
        st.button(
            t("participate.begin"), type="primary", width="stretch", on_click=_begin, args=(token, device)
        )
        return
    if st.query_params.get("p") != secret:
        st.query_params["p"] = secret
    _remember(opened.workshop_id, secret or "")
    if opened.phase == "revealed":
        _revealed(token, opened)
        return
    if part.submitted:
        st.success(t("participate.done"), icon=":material/check_circle:")
        _wait_for_reveal(token)
        return
    st.caption(t("participate.how"))
    questionnaire, _ = state.questionnaire_version(opened.questionnaire_version_id)
    form.render(_sheet(token, secret or "", part, opened, name), questionnaire)


def _sheet(token: str, secret: str, part: Participation, opened: Invitation, name: str) -> form.Sheet:
    engine = state.engine()

    def save(item_id: str, fields: dict) -> None:
        if {"level", "yes", "dont_know"} & set(fields):
            save_rating(
                engine,
                token,
                secret,
                item_id,
                level=fields.get("level"),
                yes=fields.get("yes"),
                dont_know=bool(fields.get("dont_know")),
            )

    return form.Sheet(
        key=f"p{part.participant_id}",
        answers=part.ratings,
        save=save,
        submit=lambda: submit_rating(engine, token, secret),
        on_submitted=st.rerun,
        summary=[t("participate.rating_of", unit=name, cycle=opened.cycle_label)],
        comments=False,
        evidence=False,
        after_submit=t("participate.after_submit"),
    )


@guard.callback
def _begin(token: str, device: str) -> None:
    """Join with this session's own secret, made before the join: a click that Streamlit cuts
    short after the join finds the same participant again, never a second one. The page then
    puts the secret in the link and a cookie."""
    try:
        join(state.engine(), token, device)
    except ServiceError as error:
        st.session_state["_join_message"] = error


def _cookie(workshop_id: int) -> str:
    return f"mws{workshop_id}"


def _remembered(workshop_id: int) -> str | None:
    """The secret this device got when it joined, from its cookie."""
    value = st.context.cookies.get(_cookie(workshop_id))
    return value if isinstance(value, str) and value else None


def _client() -> str:
    """Who is typing codes, for the rate limit: the client's address as the server sees it."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "unknown"


def _remember(workshop_id: int, secret: str) -> None:
    """Keep the device's secret in a cookie, so opening the shared link again on this device
    finds the same participant. (The secret is made by the server: URL-safe characters.)"""
    if (
        st.context.cookies.get(_cookie(workshop_id)) == secret
        or st.session_state.get("_cookie_set") == secret
    ):
        return
    st.session_state["_cookie_set"] = secret
    st.html(
        "<script>document.cookie = "
        f"'{_cookie(workshop_id)}={secret}; path=/; max-age={COOKIE_AGE}; samesite=lax'"
        " + (location.protocol === 'https:' ? '; secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


@st.fragment(run_every="4s")
@guard.body
def _wait_for_reveal(token: str) -> None:
    """Looks every few seconds whether the leader has closed the round."""
    opened = invitation(state.engine(), token)
    if opened.phase != "rating" or opened.status != "open":
        st.rerun()
    st.caption(t("participate.waiting"))


def _revealed(token: str, opened: Invitation) -> None:
    shown = distribution_for_participants(state.engine(), token)
    if shown is None:
        return
    st.subheader(tn("workshop.revealed", shown.participants))
    st.caption(t("participate.revealed_intro"))
    questionnaire, _ = state.questionnaire_version(opened.questionnaire_version_id)
    charts.draw(charts.overview_chart(questionnaire, shown.counts, lang()), key="distribution")


def _join_by_code() -> None:
    """Joining by typing the code (the leader's link does the same in one step)."""
    st.title(t("nav.participate"))
    st.write(t("participate.code_intro"))
    if refused := st.session_state.pop("_join_message", None):
        guard.refusal(refused)
    with st.form("join"):
        st.text_input(t("participate.code"), max_chars=12, key="_join_code", autocomplete="off")
        st.form_submit_button(t("participate.join"), type="primary", on_click=_join)


@guard.callback
def _join() -> None:
    code = st.session_state.get("_join_code", "")
    if not code.strip():
        return
    try:
        token = join_by_code(state.engine(), code, _client())
    except NotFound:
        st.session_state["_join_message"] = t("participate.bad_code")
        return
    except ServiceError as error:
        st.session_state["_join_message"] = error
        return
    st.query_params["ws"] = token
