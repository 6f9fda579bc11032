"""Administrasjon, for administrators: the year's cycles, questionnaire versions, targets,
the unit tree and the audit log. Every change goes through a service that checks the
administrator's right and writes an audit entry; a refusal is shown in the user's language
and changes nothing.

Changes run in form callbacks, before the page is drawn, so what the page draws after a
change is what is stored."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from scoring.engine import OVERALL
from scoring.models import Questionnaire, Roadmap
from scoring.problems import ProblemsError
from storage import audit
from storage.access import (
    grant_role,
    list_users,
    parse_access_yaml,
    parse_users_csv,
    remove_user,
    revoke_role,
    upsert_users,
)
from storage.actors import Actor, Grant
from storage.backup import backup
from storage.definitions import (
    check_questionnaire,
    create_next_cycle,
    install_questionnaire,
    list_cycles,
    list_questionnaire_versions,
    plan_cycle,
    set_cycle_status,
)
from storage.errors import ImportRejected, ServiceError
from storage.importing import apply_import, plan_import
from storage.org import UnitSpec, add_unit, close_unit, merge_units, move_unit, rename_unit
from storage.permissions import may_somewhere
from storage.planning import set_targets
from storage.rollup import leaf_units
from storage.tables import UNIT_KINDS
from storage.tree import current_tree
from views import dash, guard, state
from views.campaign import section as mailing_section
from views.i18n import lang, t
from views.text import plain

MESSAGE = "admin_message"
UPLOAD = "admin_upload"  # the checked questionnaire waiting to be installed
ROUND = "admin_upload_round"
CURRENT = 0  # the choice "the current version" (a selectbox takes None for no choice at all)
USERS = "admin_users_upload"  # the checked users file waiting to be imported


def page() -> None:
    st.title(t("nav.admin"))
    actor = state.signed_in_actor()
    if actor is None:
        return
    if not may_somewhere(actor, "manage_cycles"):
        st.info(t("admin.not_admin"))
        return
    if message := st.session_state.pop(MESSAGE, None):
        kind, text = message
        (st.success if kind == "ok" else guard.refusal)(text)
    tabs = st.tabs(
        [
            t("admin.tab.cycles"),
            t("admin.tab.questionnaires"),
            t("admin.tab.targets"),
            t("admin.tab.units"),
            t("admin.tab.users"),
            t("admin.tab.data"),
            t("admin.tab.log"),
            t("admin.tab.mailing"),
        ]
    )
    with tabs[0]:
        _cycles(actor)
    with tabs[1]:
        _questionnaires(actor)
    with tabs[2]:
        _targets(actor)
    with tabs[3]:
        _units(actor)
    with tabs[4]:
        _users(actor)
    with tabs[5]:
        _data(actor)
    with tabs[6]:
        _log(actor)
    with tabs[7]:
        mailing_section(actor)


def _k(name: str) -> str:
    """A widget's key in the session's language: a choice whose options are named in one
    language is drawn anew in another (Streamlit keeps a keyed selectbox's old labels)."""
    return name if lang() == "nb" else f"{name}@{lang()}"


def _done(text: str) -> None:
    st.session_state[MESSAGE] = ("ok", text)


def _refused(error: ServiceError) -> None:
    st.session_state[MESSAGE] = ("error", error.message(lang()))


# Cycles ------------------------------------------------------------------------------------


def _version_names(engine: Any) -> dict[int, str]:
    names: dict[int, str] = {CURRENT: t("admin.version.current")}
    for v in list_questionnaire_versions(engine):
        title = v["title_nb"] if lang() != "en" else v["title_en"]
        names[int(v["id"])] = t("admin.version.name", title=title, version=v["version"], id=v["id"])
    return names


def _cycles(actor: Actor) -> None:
    engine = state.engine()
    cycles = list_cycles(engine)
    versions = _version_names(engine)
    st.subheader(t("admin.cycles.title"))
    if cycles:
        dash.show(
            dash.shown(
                {
                    t("admin.cycles.label"): [c["label"] for c in reversed(cycles)],
                    t("admin.cycles.starts"): [c["starts_on"] for c in reversed(cycles)],
                    t("admin.cycles.ends"): [c["ends_on"] for c in reversed(cycles)],
                    t("admin.cycles.deadline"): [c["deadline"] for c in reversed(cycles)],
                    t("admin.cycles.status"): [t(f"admin.status.{c['status']}") for c in reversed(cycles)],
                    t("admin.cycles.version"): [
                        versions[c["questionnaire_version_id"]]
                        if c["questionnaire_version_id"] in versions
                        else t("admin.cycles.current")
                        for c in reversed(cycles)
                    ],
                }
            )
        )
    with st.form("admin_next_cycle"):
        st.markdown(f"**{t('admin.cycles.next')}**")
        st.caption(t("admin.cycles.next_help"))
        st.selectbox(
            t("admin.cycles.version"), list(versions), format_func=versions.get, key=_k("admin_next_version")
        )
        st.date_input(
            t("admin.cycles.deadline"), value=None, format="DD.MM.YYYY", key=_k("admin_next_deadline")
        )
        st.form_submit_button(t("admin.cycles.create"), type="primary", on_click=_create_next, args=(actor,))
    if not cycles:
        return
    labels = {int(c["id"]): str(c["label"]) for c in reversed(cycles)}
    st.markdown(f"**{t('admin.cycles.change')}**")
    chosen = st.selectbox(t("common.cycle"), list(labels), format_func=labels.get, key=_k("admin_plan_cycle"))
    row = next(c for c in cycles if c["id"] == chosen)
    with st.form(f"admin_plan_{chosen}"):  # keyed by the cycle: its own values, not the last one's
        st.selectbox(
            t("admin.cycles.version"),
            list(versions),
            index=list(versions).index(row["questionnaire_version_id"] or CURRENT),
            format_func=versions.get,
            key=_k(f"admin_plan_version_{chosen}"),
        )
        st.date_input(
            t("admin.cycles.deadline"),
            value=row["deadline"],
            min_value=row["starts_on"],
            max_value=row["ends_on"],
            format="DD.MM.YYYY",
            key=_k(f"admin_plan_deadline_{chosen}"),
        )
        st.radio(
            t("admin.cycles.status"),
            ["open", "closed"],
            index=0 if row["status"] == "open" else 1,
            format_func=lambda s: t(f"admin.status.{s}"),
            horizontal=True,
            key=_k(f"admin_plan_status_{chosen}"),
        )
        st.form_submit_button(t("admin.cycles.save"), on_click=_plan_cycle, args=(actor, chosen))


@guard.callback
def _create_next(actor: Actor) -> None:
    try:
        label, _ = create_next_cycle(
            state.engine(),
            actor,
            st.session_state.get(_k("admin_next_version")) or None,
            st.session_state.get(_k("admin_next_deadline")),
        )
    except ServiceError as error:
        _refused(error)
        return
    _done(t("admin.cycles.created", cycle=label))


@guard.callback
def _plan_cycle(actor: Actor, cycle_id: int) -> None:
    engine = state.engine()
    try:
        plan_cycle(
            engine,
            actor,
            cycle_id,
            st.session_state.get(_k(f"admin_plan_deadline_{cycle_id}")),
            st.session_state.get(_k(f"admin_plan_version_{cycle_id}")) or None,
        )
        status = st.session_state[_k(f"admin_plan_status_{cycle_id}")]
        if status != next(c["status"] for c in list_cycles(engine) if c["id"] == cycle_id):
            set_cycle_status(engine, actor, cycle_id, status)
    except ServiceError as error:
        _refused(error)
        return
    label = next(c["label"] for c in list_cycles(engine) if c["id"] == cycle_id)
    _done(t("admin.cycles.saved", cycle=label))


# Questionnaires ------------------------------------------------------------------------------


def _questionnaires(actor: Actor) -> None:
    engine = state.engine()
    st.subheader(t("admin.versions.title"))
    rows = list_questionnaire_versions(engine)
    dash.show(
        dash.shown(
            {
                t("admin.versions.id"): [r["id"] for r in rows],
                t("admin.versions.questionnaire"): [
                    r["title_nb"] if lang() != "en" else r["title_en"] for r in rows
                ],
                t("admin.versions.version"): [r["version"] for r in rows],
                t("admin.versions.stored"): [dash.local_time(r["created_at"]) for r in rows],
                t("admin.versions.current"): [t("common.yes") if r["current"] else "" for r in rows],
                t("admin.versions.cycles"): [", ".join(r["cycles"]) for r in rows],
                t("admin.versions.assessments"): [r["assessments"] for r in rows],
            }
        )
    )
    st.markdown(f"**{t('admin.versions.upload')}**")
    st.caption(t("admin.versions.upload_help"))
    round_ = st.session_state.get(ROUND, 0)  # a new round after an install empties the uploaders
    questionnaire = st.file_uploader(
        t("admin.versions.file"), type=["yaml", "yml"], key=_k(f"admin_q_file_{round_}")
    )
    roadmap = st.file_uploader(
        t("admin.versions.roadmap_file"), type=["yaml", "yml"], key=_k(f"admin_r_file_{round_}")
    )
    if questionnaire is None:
        st.session_state.pop(UPLOAD, None)
        return
    texts = [_text_of(questionnaire), None if roadmap is None else _text_of(roadmap)]
    names = [questionnaire.name, None if roadmap is None else roadmap.name]
    problems = [text for text in texts if isinstance(text, ServiceError)]
    if problems:
        guard.refusal(problems[0])
        return
    try:
        model, road = check_questionnaire(texts[0], texts[1], names[0], names[1] or "<roadmap>")
    except ProblemsError as refused:
        st.error(t("admin.versions.problems", n=len(refused.problems), file=plain(names[0])))
        _problems(refused.problems)
        return
    st.session_state[UPLOAD] = (texts[0], texts[1], names[0], names[1] or "<roadmap>")
    _preview(model, road)
    with st.form("admin_install"):
        st.checkbox(t("admin.versions.make_current"), value=True, key=_k("admin_make_current"))
        st.form_submit_button(t("admin.versions.install"), type="primary", on_click=_install, args=(actor,))


def _text_of(upload: Any) -> str | ServiceError:
    try:
        return upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        return ServiceError(
            "invalid",
            detail=f"{upload.name} is not UTF-8 text; save it as UTF-8 and upload it again",
            detail_nb=f"{upload.name} er ikke UTF-8-tekst; lagre den som UTF-8 og last den opp på nytt",
        )


def _preview(model: Questionnaire, roadmap: Roadmap | None) -> None:
    """What the form will ask, dimension by dimension, before anything is stored."""
    language = lang()
    st.success(
        t(
            "admin.versions.valid",
            title=plain(model.title.get(language)),
            version=plain(model.version),
            dimensions=len(model.dimensions),
            items=len(model.items()),
        )
    )
    if roadmap is not None:
        st.caption(t("admin.versions.with_roadmap", stages=len(roadmap.stages)))
    for dimension in model.dimensions:
        with st.expander(f"{plain(dimension.label.get(language))} ({len(dimension.items)})"):
            for item in dimension.items:
                st.markdown(f"**{plain(item.id)}** {plain(item.text.get(language))}")
                if item.scored:
                    for level, anchor in sorted((item.anchors or {}).items()):
                        st.caption(f"{level}: {plain(anchor.get(language))}")
                else:
                    st.caption(t("admin.versions.yesno"))


@guard.callback
def _install(actor: Actor) -> None:
    held = st.session_state.get(UPLOAD)
    if held is None:
        return
    text, roadmap_text, name, roadmap_name = held
    try:
        version_id = install_questionnaire(
            state.engine(),
            actor,
            text,
            roadmap_text,
            name,
            roadmap_name,
            make_current=bool(st.session_state.get(_k("admin_make_current"))),
        )
    except ProblemsError as refused:
        st.session_state[MESSAGE] = ("error", refused.problems[0].render(lang()))
        return
    except ServiceError as error:
        _refused(error)
        return
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.session_state.pop(UPLOAD, None)
    _done(t("admin.versions.installed", id=version_id))


# Targets -------------------------------------------------------------------------------------


def _unit_options(engine: Any) -> dict[str, str]:
    """Every unit of today's tree in tree order, indented by depth (four tabs use it: made
    once per write, day and language, not once per tab and rerun)."""
    return _unit_labels(engine, state.version(), dt.date.today().isoformat(), lang())


@st.cache_data(show_spinner=False, max_entries=8)
def _unit_labels(_engine: Any, data: int, day: str, language: str) -> dict[str, str]:
    tree = current_tree(_engine)
    name = "name_en" if language == "en" else "name_nb"
    children: dict[Any, list[str]] = {}
    for row in tree.sort_values(name).itertuples():
        children.setdefault(None if pd.isna(row.parent_id) else row.parent_id, []).append(row.unit_id)
    by_id = tree.set_index("unit_id")
    ordered: list[str] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit, [])))
    return {u: f"{'  ' * int(by_id.at[u, 'depth'])}{by_id.at[u, name]} ({u})" for u in ordered}


def _targets(actor: Actor) -> None:
    engine = state.engine()
    _, questionnaire, _ = state.questionnaire()
    units = _unit_options(engine)
    cycles = {int(c["id"]): str(c["label"]) for c in reversed(list_cycles(engine))}
    dimensions = {OVERALL: t("admin.targets.overall")} | {
        d.id: d.label.get(lang()) for d in questionnaire.dimensions
    }
    st.subheader(t("admin.targets.title"))
    st.caption(t("admin.targets.help"))
    with st.form("admin_targets"):
        st.selectbox(t("admin.targets.unit"), list(units), format_func=units.get, key=_k("admin_target_unit"))
        st.checkbox(t("admin.targets.subtree"), key=_k("admin_target_subtree"))
        st.selectbox(
            t("admin.targets.dimension"),
            list(dimensions),
            format_func=dimensions.get,
            key=_k("admin_target_dim"),
        )
        st.number_input(t("admin.targets.level"), 1.0, 5.0, 3.0, 0.5, key=_k("admin_target_level"))
        st.selectbox(
            t("admin.targets.cycle"), list(cycles), format_func=cycles.get, key=_k("admin_target_cycle")
        )
        st.form_submit_button(t("admin.targets.save"), type="primary", on_click=_set_targets, args=(actor,))


@guard.callback
def _set_targets(actor: Actor) -> None:
    engine = state.engine()
    unit = st.session_state[_k("admin_target_unit")]
    try:
        units = leaf_units(engine, unit) if st.session_state.get(_k("admin_target_subtree")) else [unit]
        n = set_targets(
            engine,
            actor,
            units,
            st.session_state[_k("admin_target_dim")],
            float(st.session_state[_k("admin_target_level")]),
            target_cycle_id=st.session_state.get(_k("admin_target_cycle")),
        )
    except ServiceError as error:
        _refused(error)
        return
    _done(t("admin.targets.saved", n=n))


# Units ---------------------------------------------------------------------------------------


def _units(actor: Actor) -> None:
    engine = state.engine()
    units = _unit_options(engine)
    st.subheader(t("admin.units.title"))
    dash.show(dash.shown({t("admin.units.tree"): [units[u] for u in units]}), height=300)
    left, right = st.columns(2)
    with left, st.form("admin_rename"):
        st.markdown(f"**{t('admin.units.rename')}**")
        st.selectbox(t("admin.units.unit"), list(units), format_func=units.get, key=_k("admin_rename_unit"))
        st.text_input(t("admin.units.name_nb"), key=_k("admin_rename_nb"), max_chars=200)
        st.text_input(t("admin.units.name_en"), key=_k("admin_rename_en"), max_chars=200)
        st.form_submit_button(t("admin.units.rename_do"), on_click=_rename, args=(actor,))
    with right, st.form("admin_move"):
        st.markdown(f"**{t('admin.units.move')}**")
        st.selectbox(t("admin.units.unit"), list(units), format_func=units.get, key=_k("admin_move_unit"))
        st.selectbox(t("admin.units.parent"), list(units), format_func=units.get, key=_k("admin_move_parent"))
        st.date_input(
            t("admin.units.from"), value=dt.date.today(), format="DD.MM.YYYY", key=_k("admin_move_on")
        )
        st.form_submit_button(t("admin.units.move_do"), on_click=_move, args=(actor,))
    with st.form("admin_add"):
        st.markdown(f"**{t('admin.units.add')}**")
        st.selectbox(t("admin.units.parent"), list(units), format_func=units.get, key=_k("admin_add_parent"))
        st.text_input(
            t("admin.units.id"), key=_k("admin_add_id"), max_chars=64, help=t("admin.units.id_help")
        )
        st.selectbox(t("admin.units.kind"), UNIT_KINDS, index=len(UNIT_KINDS) - 1, key=_k("admin_add_kind"))
        st.text_input(t("admin.units.name_nb"), key=_k("admin_add_nb"), max_chars=200)
        st.text_input(t("admin.units.name_en"), key=_k("admin_add_en"), max_chars=200)
        st.form_submit_button(t("admin.units.add_do"), on_click=_add, args=(actor,))
    with st.form("admin_end"):
        st.markdown(f"**{t('admin.units.end')}**")
        st.caption(t("admin.units.end_help"))
        st.selectbox(t("admin.units.unit"), list(units), format_func=units.get, key=_k("admin_end_unit"))
        st.radio(
            t("admin.units.end_how"),
            ["close", "merge"],
            format_func=lambda how: t(f"admin.units.end_{how}"),
            horizontal=True,
            key=_k("admin_end_how"),
        )
        st.selectbox(t("admin.units.into"), list(units), format_func=units.get, key=_k("admin_end_into"))
        st.date_input(
            t("admin.units.from"), value=dt.date.today(), format="DD.MM.YYYY", key=_k("admin_end_on")
        )
        st.form_submit_button(t("admin.units.end_do"), on_click=_end, args=(actor,))


@guard.callback
def _rename(actor: Actor) -> None:
    unit = st.session_state[_k("admin_rename_unit")]
    name_nb = st.session_state.get(_k("admin_rename_nb"), "").strip()
    name_en = st.session_state.get(_k("admin_rename_en"), "").strip() or name_nb
    if not name_nb:
        st.session_state[MESSAGE] = ("error", t("admin.units.name_missing"))
        return
    try:
        rename_unit(state.engine(), actor, unit, name_nb, name_en)
    except ServiceError as error:
        _refused(error)
        return
    _done(t("admin.units.renamed", unit=plain(unit), name=plain(name_nb)))


@guard.callback
def _move(actor: Actor) -> None:
    unit, parent = st.session_state[_k("admin_move_unit")], st.session_state[_k("admin_move_parent")]
    try:
        move_unit(state.engine(), actor, unit, parent, st.session_state.get(_k("admin_move_on")))
    except ServiceError as error:
        _refused(error)
        return
    _done(t("admin.units.moved", unit=plain(unit), parent=plain(parent)))


@guard.callback
def _end(actor: Actor) -> None:
    unit, how = st.session_state[_k("admin_end_unit")], st.session_state[_k("admin_end_how")]
    on = st.session_state.get(_k("admin_end_on"))
    try:
        if how == "merge":
            merge_units(state.engine(), actor, unit, st.session_state[_k("admin_end_into")], on)
        else:
            close_unit(state.engine(), actor, unit, on)
    except ServiceError as error:
        _refused(error)
        return
    _done(t(f"admin.units.ended_{how}", unit=plain(unit)))


@guard.callback
def _add(actor: Actor) -> None:
    name_nb = st.session_state.get(_k("admin_add_nb"), "").strip()
    spec = UnitSpec(
        st.session_state.get(_k("admin_add_id"), "").strip(),
        st.session_state[_k("admin_add_kind")],
        name_nb,
        st.session_state.get(_k("admin_add_en"), "").strip() or name_nb,
        st.session_state[_k("admin_add_parent")],
    )
    try:
        add_unit(state.engine(), actor, spec)
    except ServiceError as error:
        _refused(error)
        return
    _done(t("admin.units.added", unit=plain(spec.id)))


# Users ---------------------------------------------------------------------------------------

ROLE_CHOICES = ("leader", "management", "advisor", "admin")


def _users(actor: Actor) -> None:
    engine = state.engine()
    units = _unit_options(engine)
    everyone = list_users(engine)
    st.subheader(t("admin.users.title"))
    dash.show(
        dash.shown(
            {
                t("admin.users.email"): [u["id"] for u in everyone],
                t("admin.users.name"): [u["name"] for u in everyone],
                t("admin.users.roles"): [
                    ", ".join(_role_text(r, units) for r in u["roles"]) for u in everyone
                ],
            }
        )
    )
    with st.form("admin_grant"):
        st.markdown(f"**{t('admin.users.grant')}**")
        st.caption(t("admin.users.grant_help"))
        st.text_input(t("admin.users.email"), key=_k("admin_grant_email"), max_chars=100)
        st.text_input(t("admin.users.name"), key=_k("admin_grant_name"), max_chars=200)
        st.selectbox(
            t("admin.users.role"),
            ROLE_CHOICES,
            format_func=lambda r: t(f"role.{r}"),
            key=_k("admin_grant_role"),
        )
        st.selectbox(
            t("admin.users.unit"),
            ["", *units],  # not None: a selectbox takes None for no choice at all
            format_func=lambda u: units[u] if u else t("admin.users.whole"),
            key=_k("admin_grant_unit"),
        )
        st.form_submit_button(t("admin.users.grant_do"), type="primary", on_click=_grant, args=(actor,))
    ids = {str(u["id"]): f"{u['name']} ({u['id']})" for u in everyone}
    if not ids:
        return
    chosen = st.selectbox(t("admin.users.user"), list(ids), format_func=ids.get, key=_k("admin_user_chosen"))
    held = next(u["roles"] for u in everyone if u["id"] == chosen)
    left, right = st.columns(2)
    with left, st.form(f"admin_revoke_{chosen}"):
        st.markdown(f"**{t('admin.users.revoke')}**")
        if held:
            st.selectbox(
                t("admin.users.role"),
                held,
                format_func=lambda r: _role_text(r, units),
                key=_k(f"admin_revoke_{chosen}_role"),
            )
        st.form_submit_button(
            t("admin.users.revoke_do"), on_click=_revoke, args=(actor, chosen), disabled=not held
        )
    with right, st.form(f"admin_remove_{chosen}"):
        st.markdown(f"**{t('admin.users.remove')}**")
        st.checkbox(t("admin.users.remove_sure", user=plain(chosen)), key=_k(f"admin_remove_{chosen}_sure"))
        st.form_submit_button(t("admin.users.remove_do"), on_click=_remove, args=(actor, chosen))
    st.markdown(f"**{t('admin.users.import')}**")
    st.caption(t("admin.users.import_help"))
    round_ = st.session_state.get(ROUND, 0)
    upload = st.file_uploader(
        t("admin.users.file"), type=["csv", "yaml", "yml"], key=_k(f"admin_users_file_{round_}")
    )
    if upload is None:
        return
    text = _text_of(upload)
    if isinstance(text, ServiceError):
        guard.refusal(text)
        return
    try:
        parsed = (
            parse_users_csv(text, upload.name)
            if upload.name.lower().endswith(".csv")
            else parse_access_yaml(text, upload.name)
        )
    except ImportRejected as refused:
        st.error(t("admin.versions.problems", n=len(refused.problems), file=plain(upload.name)))
        _problems(refused.problems)
        return
    st.session_state[USERS] = parsed
    known = {str(u["id"]) for u in everyone}
    new = sum(1 for user_id, _, _ in parsed if user_id not in known)
    st.info(t("admin.users.import_preview", users=len(parsed), new=new, changed=len(parsed) - new))
    st.button(t("admin.users.import_do"), type="primary", on_click=_import_users, args=(actor,))


def _role_text(role: str, units: dict[str, str]) -> str:
    name, _, unit = role.partition(":")
    where = (
        units.get(unit, unit).strip().removesuffix(f" ({unit})") if unit else t("admin.users.whole").lower()
    )
    return f"{t(f'role.{name}')} ({where})" if name != "admin" else t("role.admin")


def _grant_of(role: str) -> Grant:
    name, _, unit = role.partition(":")
    return Grant(name, unit or None)


@guard.callback
def _grant(actor: Actor) -> None:
    email = st.session_state.get(_k("admin_grant_email"), "").strip()
    role = st.session_state[_k("admin_grant_role")]
    unit = None if role == "admin" else st.session_state.get(_k("admin_grant_unit")) or None
    try:
        grant_role(
            state.engine(),
            actor,
            email,
            st.session_state.get(_k("admin_grant_name"), "").strip(),
            Grant(role, unit),
        )
    except ServiceError as error:
        _refused(error)
        return
    _done(t("admin.users.granted", user=plain(email), role=t(f"role.{role}")))


@guard.callback
def _revoke(actor: Actor, user_id: str) -> None:
    role = st.session_state.get(_k(f"admin_revoke_{user_id}_role"))
    if role is None:
        return
    try:
        revoke_role(state.engine(), actor, user_id, _grant_of(role))
    except ServiceError as error:
        _refused(error)
        return
    _done(t("admin.users.revoked", user=plain(user_id)))


@guard.callback
def _remove(actor: Actor, user_id: str) -> None:
    if not st.session_state.get(_k(f"admin_remove_{user_id}_sure")):
        st.session_state[MESSAGE] = ("error", t("admin.users.remove_confirm"))
        return
    try:
        remove_user(state.engine(), actor, user_id)
    except ServiceError as error:
        _refused(error)
        return
    st.session_state.pop(_k("admin_user_chosen"), None)
    _done(t("admin.users.removed", user=plain(user_id)))


@guard.callback
def _import_users(actor: Actor) -> None:
    parsed = st.session_state.get(USERS)
    if not parsed:
        return
    try:
        upsert_users(state.engine(), actor, parsed)
    except ServiceError as error:
        _refused(error)
        return
    st.session_state.pop(USERS, None)
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    _done(t("admin.users.imported", n=len(parsed)))


def _problems(problems: list[Any]) -> None:
    """Every problem of a file, with its file and line."""
    dash.show(
        dash.shown(
            {
                t("admin.versions.file_column"): [p.file for p in problems],
                t("admin.versions.line"): [p.line for p in problems],
                t("admin.versions.problem"): [p.message(lang()) for p in problems],
            }
        )
    )


# Answers import and backup -------------------------------------------------------------------

PLAN = "admin_import_plan"  # the checked answers file waiting to be imported


def _data(actor: Actor) -> None:
    engine = state.engine()
    st.subheader(t("admin.data.import"))
    st.caption(t("admin.data.import_help"))
    round_ = st.session_state.get(ROUND, 0)
    upload = st.file_uploader(t("admin.data.file"), type=["csv"], key=f"admin_answers_file_{round_}")
    if upload is None:
        st.session_state.pop(PLAN, None)
    else:
        try:
            plan = plan_import(engine, actor, io.BytesIO(upload.getvalue()), file=upload.name)
        except ImportRejected as refused:
            st.error(t("admin.versions.problems", n=len(refused.problems), file=plain(upload.name)))
            _problems(refused.problems)
            plan = None
        except ServiceError as error:
            guard.refusal(error)
            plan = None
        if plan is not None:
            st.session_state[PLAN] = plan
            figures = plan.summary
            st.info(
                t(
                    "admin.data.preview",
                    answers=figures["answers"],
                    units=figures["units"],
                    created=figures["assessments_created"],
                    replaced=figures["assessments_replaced"],
                )
            )
            if plan.updates:
                dash.show(
                    dash.shown(
                        {
                            t("admin.data.unit"): [u for u, _, _ in plan.updates],
                            t("common.cycle"): [c for _, c, _ in plan.updates],
                            t("admin.data.respondent"): [r for _, _, r in plan.updates],
                        }
                    )
                )
            st.button(t("admin.data.import_do"), type="primary", on_click=_import_answers, args=(actor,))
    st.subheader(t("admin.data.backup"))
    st.caption(t("admin.data.backup_help"))
    st.download_button(
        t("admin.data.backup_do"),
        lambda: _backup_bytes(engine),
        f"forbedringsmodenhet-{dt.date.today().isoformat()}.jsonl.gz",
        "application/gzip",
        key="admin_backup",
        on_click="ignore",
    )


def _backup_bytes(engine: Any) -> bytes:
    """The whole database as one backup file (made when the button is clicked)."""
    with tempfile.TemporaryDirectory(prefix="backup-") as folder:
        path = Path(folder) / "backup.jsonl.gz"
        backup(engine, path)
        return path.read_bytes()


@guard.callback
def _import_answers(actor: Actor) -> None:
    plan = st.session_state.get(PLAN)
    if plan is None:
        return
    try:
        figures = apply_import(state.engine(), actor, plan)
    except ServiceError as error:
        _refused(error)
        return
    st.session_state.pop(PLAN, None)
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    _done(t("admin.data.imported", answers=figures["answers"], units=figures["units"]))


# The audit log -------------------------------------------------------------------------------


def _log(actor: Actor) -> None:
    engine = state.engine()
    st.subheader(t("admin.log.title"))
    choices = audit.log_choices(engine, actor)
    units = _unit_options(engine)
    every = ""
    columns = st.columns(4)

    def every_or(value: str) -> str:
        return value or t("admin.log.all")

    who = columns[0].selectbox(
        t("admin.log.who"), [every, *choices["actor"]], format_func=every_or, key=_k("admin_log_who")
    )
    action = columns[1].selectbox(
        t("admin.log.action"), [every, *choices["action"]], format_func=every_or, key=_k("admin_log_action")
    )
    entity = columns[2].selectbox(
        t("admin.log.entity"), [every, *choices["entity"]], format_func=every_or, key=_k("admin_log_entity")
    )
    unit = columns[3].selectbox(
        t("admin.log.unit"),
        [every, *units],
        format_func=lambda u: units[u] if u else t("admin.log.all"),
        key=_k("admin_log_unit"),
    )
    since, until = st.columns(2)
    start = since.date_input(t("admin.log.since"), value=None, format="DD.MM.YYYY", key=_k("admin_log_since"))
    end = until.date_input(t("admin.log.until"), value=None, format="DD.MM.YYYY", key=_k("admin_log_until"))
    entries, total = audit.read_log(
        engine, actor, who or None, action or None, entity or None, unit or None, start, end, limit=1_000
    )
    st.caption(t("admin.log.count", shown=len(entries), total=total))
    table = entries.rename(columns={c: t(f"admin.log.column.{c}") for c in entries.columns})
    dash.show(dash.shown(table))
    dash.downloads(
        lambda: audit.read_log(
            engine, actor, who or None, action or None, entity or None, unit or None, start, end, limit=10**9
        )[0],
        "revisjonslogg",
        "admin_log",
    )
