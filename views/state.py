"""What every page shares: the engine, the signed-in actor, the sidebar, cached reads.

Caching lives here, at the view boundary: the engine in `st.cache_resource`, reads in
`st.cache_data` keyed on the database's data version, so a write made through any app
process shows on the next rerun everywhere.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import streamlit as st
from sqlalchemy import Engine

from scoring.models import Questionnaire, Roadmap
from storage.access import actor_for, list_users
from storage.actors import Actor
from storage.db import database_url, make_engine, reading
from storage.definitions import current_questionnaire_version, questionnaire_of, roadmap_for
from storage.demo import demo_marker, ensure_database
from storage.errors import NotFound
from storage.results import assessable_units, data_version, open_cycles
from storage.rollup import unit_names
from storage.tree import tree_version
from views import pickers, waysin
from views.i18n import LANGUAGES, lang, t
from views.text import plain


class Run(NamedTuple):
    """What every page of one script run shares, looked up once at its start."""

    engine: Engine
    data: int
    actor: Actor | None


def engine() -> Engine:
    """The process's engine for the configured database."""
    run = st.session_state.get("_run")
    return run.engine if run is not None else _engine(database_url())


@st.cache_resource(
    show_spinner="Setter opp databasen (første start tar noen sekunder) … / Setting up the database …"
)
def _engine(url: str) -> Engine:
    """One engine per database URL and process (a pool, never a connection), migrated and ready."""
    made = make_engine(url, pool_recycle=1800)
    ensure_database(made, start_empty=os.environ.get("MATURITY_START_EMPTY", "") not in ("", "0"))
    return made


def init_session() -> None:
    """Session defaults, set once per browser session."""
    defaults: dict[str, Any] = {"lang": "nb", "user_id": None}
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def begin_run() -> None:
    """Look up the engine, the database's data version and the signed-in actor once per
    script run (app.py calls this first), so every cached read in the run keys on the same
    version without asking again. Callbacks have run by now, so the user is final."""
    made = _engine(database_url())
    data = data_version(made)
    user_id = _signed_in_user(made, data)
    st.session_state["_run"] = Run(made, data, actor_of(made, user_id, data) if user_id else None)


def per_session(name: str, make: Callable[[], Any]) -> Any:
    """`make()` once per session and language, kept in the session (for objects such as
    st.Page that Streamlit changes while it uses them, so they cannot be shared)."""
    key = f"_made_{name}_{lang()}"
    if key not in st.session_state:
        st.session_state[key] = make()
    return st.session_state[key]


def version() -> int:
    """The data version read at the start of this run (see `begin_run`)."""
    run = st.session_state.get("_run")
    return data_version(engine()) if run is None else run.data


class Facts(NamedTuple):
    """What the sign-in needs to know of the database."""

    users: list[dict[str, Any]]  # to sign in as, with demo data
    demo: str | None  # the demo's name, when the database holds demo data
    admin: str | None  # the first administrator: the person at the machine in local mode


@st.cache_resource(show_spinner=False, max_entries=4)
def _facts(_engine: Engine, database: str, data: int) -> Facts:
    users = list_users(_engine)
    admin = next((str(u["id"]) for u in users if "admin" in u["roles"]), None)  # type: ignore[operator]
    return Facts(users, demo_marker(_engine), admin)


def _sidebar_facts(made: Engine, data: int) -> Facts:
    """The sign-in's facts of the database `made` at version `data` (keyed on the database
    too: two databases can be at the same version, as in tests)."""
    return _facts(made, made.url.render_as_string(hide_password=True), data)


def current_actor() -> Actor | None:
    """The signed-in user's actor, or None before sign-in."""
    run = st.session_state.get("_run")
    if run is not None:
        return run.actor
    user_id = _signed_in_user(engine(), version())
    return actor_of(engine(), user_id, version()) if user_id else None


@st.cache_resource(show_spinner=False, max_entries=256)
def actor_of(_engine: Engine, user_id: str, data: int) -> Actor | None:
    """The actor with their grants; grants change only through audited writes, so the data
    version keys them. Immutable, so shared across sessions."""
    try:
        return actor_for(_engine, user_id)
    except NotFound:
        return None


def signed_in_actor() -> Actor | None:
    """The signed-in actor; without one, a note that says to sign in, and None."""
    actor = current_actor()
    if actor is None:
        st.info(not_signed_in_note(), icon=":material/arrow_back:")
    return actor


def not_signed_in_note() -> str:
    """What to do to get in, for someone not signed in (by sign-in mode and where the app listens)."""
    if waysin.mode() != "local":
        identity = _signed_in_user(engine(), version())
        return t("waysin.no_access", who=plain(identity)) if identity else t("waysin.not_signed_in")
    if not waysin.local_access():
        return t("waysin.locked")
    if _sidebar_facts(engine(), version()).demo:
        return t("common.sign_in_first")
    return t("waysin.no_admin")


def _signed_in_user(made: Engine, data: int) -> str | None:
    """Who this browser session acts as: the proxy's or the identity provider's user, or in
    local mode the user picked (demo data), else the administrator at the machine."""
    auth = waysin.mode()
    if auth == "header":
        return waysin.header_user(st.context.headers)
    if auth == "oidc":
        return st.user.get("email") if st.user.is_logged_in else None
    if not waysin.local_access():
        return None
    picked = st.session_state.get("user_id")
    if picked is not None:
        return picked
    facts = _sidebar_facts(made, data)
    return None if facts.demo else facts.admin


def sidebar(actor: Actor | None) -> None:
    """Language, sign-in (the picker of local mode with demo data), who is signed in, and
    in local mode where the app can be reached from."""
    auth = waysin.mode()
    with st.sidebar:
        language_picker()
        users, demo, _ = _sidebar_facts(engine(), version())
        if auth == "local" and demo and waysin.local_access():
            ids = [u["id"] for u in users]
            names = {u["id"]: f"{u['name']} ({u['id']})" for u in users}
            current = st.session_state.get("user_id")
            st.selectbox(
                t("sidebar.user"),
                ids,
                index=ids.index(current) if current in ids else None,
                format_func=names.get,
                key="_user_select",
                on_change=_keep,
                args=("_user_select", "user_id"),
                help=t("sidebar.user_help"),
                placeholder="—",
            )
        elif auth == "oidc" and not st.user.is_logged_in:
            st.button(t("sidebar.sign_in"), on_click=st.login, type="primary")
        elif auth == "oidc":
            st.button(t("sidebar.sign_out"), on_click=st.logout)
        if actor is not None:  # one element for both lines: each costs every page's drawing
            lines = [t("sidebar.signed_in", name=actor.name)]
            roles = sorted({t(f"role.{g.role}") for g in actor.grants})
            if roles:
                lines.append(t("sidebar.roles", roles=", ".join(roles)))
            if auth == "local":
                lines.append(t("waysin.local" if waysin.this_machine_only() else "waysin.network"))
            st.caption("  \n".join(plain(line) for line in lines))
        if demo:
            st.info(t("sidebar.demo"), icon=":material/info:")


def language_picker(key: str = "_lang_select") -> None:
    """The language choice; kept outside widget state so it survives page switches."""
    options = list(LANGUAGES)
    st.selectbox(
        t("sidebar.language"),
        options,
        index=options.index(lang()),
        format_func=LANGUAGES.get,
        key=key,
        on_change=_keep,
        args=(key, "lang"),
    )


def language_switch() -> None:
    """The language choice as one compact row (the participant's page, on a phone)."""
    options = list(LANGUAGES)
    st.segmented_control(
        t("sidebar.language"),
        options,
        default=lang(),
        format_func=LANGUAGES.get,
        key="_lang_switch",
        on_change=_keep_chosen,
        args=("_lang_switch", "lang"),
        label_visibility="collapsed",
    )


def _keep_chosen(widget_key: str, state_key: str) -> None:
    """Like _keep, for a control that can be clicked off (the language stays as it was)."""
    if st.session_state.get(widget_key) is None:
        st.session_state[widget_key] = st.session_state.get(state_key)
    else:
        _keep(widget_key, state_key)


def _keep(widget_key: str, state_key: str) -> None:
    """Copy a widget's value to a plain session key (widget state is dropped on page switches)."""
    st.session_state[state_key] = st.session_state.get(widget_key)


def questionnaire() -> tuple[int, Questionnaire, Roadmap | None]:
    """The current questionnaire version id, its model and its roadmap."""
    return questionnaire_at(engine(), version())


@st.cache_resource(show_spinner=False, max_entries=4)
def questionnaire_at(_engine: Engine, data: int) -> tuple[int, Questionnaire, Roadmap | None]:
    """Shared, read-only models: callers must not change them."""
    with reading(_engine) as connection:
        version_id = current_questionnaire_version(connection)
        return version_id, questionnaire_of(connection, version_id), roadmap_for(connection, version_id)


def questionnaire_version(version_id: int) -> tuple[Questionnaire, Roadmap | None]:
    with reading(engine()) as connection:
        return questionnaire_of(connection, version_id), roadmap_for(connection, version_id)


def remembered(
    name: str, label: str, options: list[Any], names: dict[Any, str], remember: str, help: str | None = None
) -> pickers.Choice:
    """A choice among `options` kept across pages under `remember` (the first option when the
    kept one is not among them), for a row of pickers (views.pickers)."""
    chosen = st.session_state.get(remember)
    value = chosen if chosen in options else options[0]
    st.session_state[remember] = value
    return pickers.Choice(name, label, options, names, value, functools.partial(_remember, remember), help)


def _remember(remember: str, value: Any) -> None:
    st.session_state[remember] = value


MAX_UNIT_OPTIONS = 300  # more than a picker can usefully hold: search by name instead


@st.cache_resource(show_spinner=False, max_entries=256)
def _assessable(_engine: Engine, user_id: str, grants: tuple, tree: str) -> list[dict[str, str]]:
    """The units a user may assess, by name; keyed on the user's grants and the tree's
    version, not on every answer saved. Shared, read-only."""
    units = assessable_units(_engine, Actor(user_id, "", grants))
    return units.to_dict("records")


def assessable(actor: Actor) -> list[dict[str, str]]:
    """The units the actor may assess: unit_id, name_nb, name_en, by name."""
    return _assessable(engine(), actor.user_id, actor.grants, tree_version(engine()))


def unit_name(unit_id: str) -> str:
    """A unit's name in the UI's language (its id if it is not in the current tree)."""
    found = unit_names(engine(), [unit_id]).get(unit_id)
    return unit_id if found is None else found[0 if lang() == "nb" else 1]


def start_unit_page(title: str, intro: str) -> tuple[Actor, str, int] | None:
    """Title and introduction, the sign-in check, and the unit and open cycle to work on
    (the assessment and workshop pages); None to stop."""
    st.title(title)
    st.caption(intro)
    actor = signed_in_actor()
    if actor is None:
        return None
    chosen = pick_unit_and_open_cycle(actor)
    return None if chosen is None else (actor, *chosen)


def unit_choice(units: list[dict[str, str]], remember: str = "chosen_unit") -> pickers.Choice | None:
    """The choice of one unit, remembered across pages. Past a few hundred units (an
    administrator at a national tier) it asks for part of the name first (None until then)."""
    column = "name_nb" if lang() == "nb" else "name_en"
    names = {u["unit_id"]: u[column] for u in units}
    options = list(names)
    if len(options) > MAX_UNIT_OPTIONS:
        wanted = st.text_input(
            t("common.find_unit"), key=f"_find_{remember}", help=t("common.find_unit_help", n=len(options))
        )
        chosen = st.session_state.get(remember)
        matches = [u for u in options if wanted and wanted.casefold() in names[u].casefold()]
        options = ([chosen] if chosen in names and chosen not in matches else []) + matches
        options = options[:MAX_UNIT_OPTIONS]
        if not options:
            st.caption(t("common.find_unit_none") if wanted else t("common.find_unit_first", n=len(names)))
            return None
    return remembered("unit", t("common.unit"), options, names, remember)


def pick_unit_and_open_cycle(actor: Actor) -> tuple[str, int] | None:
    """Pickers for a unit the actor may assess and an open cycle; None (with a message) when
    there is none of either."""
    units = assessable(actor)
    if not units:
        st.info(t("common.no_units"))
        return None
    cycles = open_cycles(engine())
    if not cycles:
        st.info(t("common.no_open_cycle"))
        return None
    labels = {c["id"]: c["label"] for c in cycles}
    unit = unit_choice(units)
    cycle = remembered("cycle", t("common.cycle"), list(labels), labels, "chosen_cycle")
    pickers.row("_pickers_unit_cycle", [c for c in (unit, cycle) if c is not None])
    return None if unit is None else (unit.value, cycle.value)
