"""Errors nobody planned for: logged with an incident id the user can quote, never shown as
a traceback (which would show the server's paths and code to anyone). A busy database is no
incident: it passes, and the user is told so calmly."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from storage.errors import ServiceError
from views.i18n import lang, t

log = logging.getLogger("maturity")
INCIDENT = "_incident"
BUSY = "_busy"  # a callback met a busy database: the page drawn after it says so calmly
BUSY_ICON = ":material/hourglass_top:"
P = ParamSpec("P")
R = TypeVar("R")


def report(error: BaseException) -> str:
    """Log the error with its traceback under a new incident id, and return the id."""
    incident = uuid.uuid4().hex[:8]
    log.error("incident %s: %s", incident, error, exc_info=error)
    return incident


def show(incident: str) -> None:
    st.error(t("error.unexpected", incident=incident), icon=":material/error:")


def refusal(error: ServiceError | str) -> None:
    """A service's refusal, or a message made of one: a busy database calmly (nothing is lost,
    it passes), anything else as an error."""
    if isinstance(error, ServiceError) and error.code == "busy":
        st.info(error.message(lang()), icon=BUSY_ICON)
    else:
        st.error(error if isinstance(error, str) else error.message(lang()), icon=":material/warning:")


def _busy(error: BaseException) -> bool:
    return isinstance(error, ServiceError) and error.code == "busy"


def run_page(page: Callable[[], Any]) -> None:
    """Run a page; an unexpected error ends it with a short message and an incident id, a busy
    database that nobody on the way expected with the calm busy message.
    (Streamlit's reruns and stops are not errors: they pass through.)"""
    if incident := st.session_state.pop(INCIDENT, None):
        show(incident)  # from a callback of the run before
    if st.session_state.pop(BUSY, None):
        refusal(ServiceError("busy"))
    try:
        page()
    except Exception as error:
        if _busy(error):
            refusal(ServiceError("busy"))
        else:
            show(report(error))


def callback(function: Callable[P, None]) -> Callable[P, None]:
    """A widget callback whose unexpected error is reported on the page drawn after it."""

    @functools.wraps(function)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            function(*args, **kwargs)
        except Exception as error:
            if _busy(error):
                st.session_state[BUSY] = True
            else:
                st.session_state[INCIDENT] = report(error)

    return guarded


def body(function: Callable[P, R]) -> Callable[P, R | None]:
    """A fragment's body whose unexpected error is shown in its place (a fragment's rerun
    does not pass through the page's guard)."""

    @functools.wraps(function)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            if _busy(error):
                refusal(ServiceError("busy"))
            else:
                show(report(error))
            return None

    return guarded


def refuse_to_serve(message: str) -> None:
    """End every run with `message`: the app is set up in a way that is not safe to serve."""
    log.error("refusing to serve: %s", message)
    st.error(message, icon=":material/block:")
    st.stop()
