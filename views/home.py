"""Start page: what is due this cycle for the signed-in person, then the five levels and the
roadmap in plain words.

A unit leader sees their units and how far each assessment has come; management, advisors
and administrators see how many units under them have sent in, from the stored rollups, so
the page is as quick for the whole country as for one ward.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from storage import rollup
from storage.access import Actor
from storage.assessments import consensus_statuses
from storage.results import open_cycles
from views import state, theme
from views.i18n import lang, t, tn
from views.text import plain, small

MAX_LISTED = 30  # a leader's own units; more, and they are counted instead


def page() -> None:
    actor = state.current_actor()
    _, questionnaire, roadmap = state.questionnaire()
    st.title(t("home.title"))
    st.write(t("home.intro"))

    if actor is None:
        st.info(t("common.sign_in_first"), icon=":material/arrow_back:")
    else:
        _due(actor, len(questionnaire.items()))

    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(t("home.levels"))
        levels = [
            theme.level_badge(step.level, step.label.get(lang())) + _small(step.description)
            for step in questionnaire.scale
        ]
        st.markdown("\n\n".join(levels), unsafe_allow_html=True)  # one element draws quicker than ten
    with right:
        if roadmap is not None:
            st.subheader(t("home.roadmap"))
            rows = [
                (
                    t("home.stage_row", id=s.id, label=s.label.get(lang()), period=s.period or "–"),
                    s.description,
                )
                for s in roadmap.stages
            ]
            stages = [t("home.roadmap_intro")] + [f"**{plain(row)}**" + _small(text) for row, text in rows]
            st.markdown("\n\n".join(stages))


def _small(text: Any) -> str:
    """A description under a line of the Start page, on its own line."""
    return f"  \n{small(text.get(lang()))}" if text else ""


def _due(actor: Actor, total: int) -> None:
    cycles = open_cycles(state.engine())
    if not cycles:
        st.info(t("common.no_open_cycle"))
        return
    current = cycles[0]
    st.subheader(t("home.due", cycle=current["label"]))
    leads = bool(actor.units("leader")) and not actor.is_admin
    if leads:
        _my_units(actor, int(current["id"]), total)
    if actor.is_admin or actor.units("management", "advisor"):
        _under_me(actor, int(current["id"]))
    elif not leads:
        st.write(t("home.due_none"))


def _my_units(actor: Actor, cycle_id: int, total: int) -> None:
    """The leader's units with how far each assessment has come."""
    units = state.assessable(actor)
    if not units:
        st.write(t("home.due_none"))
        return
    shown = units[:MAX_LISTED]
    statuses = consensus_statuses(state.engine(), actor, [u["unit_id"] for u in shown], cycle_id)
    column = "name_nb" if lang() == "nb" else "name_en"
    lines = []
    for unit in shown:
        found = statuses.get(unit["unit_id"])
        if found is None:
            status = t("home.status.not_started")
        elif found["status"] == "draft":
            status = t("home.status.draft", answered=found["answered"], total=total)
        elif found["status"] == "returned":
            status = t("home.status.returned", comment=found["comment"] or "")
        else:
            status = t(f"home.status.{found['status']}")
        lines.append(f"{unit[column]}: {status}")
    for line in lines:
        st.text(f"• {line}")
    if len(units) > MAX_LISTED:
        st.caption(tn("home.more_units", len(units) - MAX_LISTED))
    st.page_link("app_pages/assess.py", label=t("home.go_assess"), icon=":material/edit_note:")


def _under_me(actor: Actor, cycle_id: int) -> None:
    """How many units under each of the actor's top nodes have sent in, started or not."""
    engine = state.engine()
    tops = rollup.top_nodes(engine, actor)
    if not tops:
        return
    for node in rollup.completion(engine, actor, tops[:MAX_LISTED], cycle_id):
        name = node["name_nb"] if lang() == "nb" else node["name_en"]
        waiting = node["leaves"] - node["submitted"] - node["drafts"]
        st.text(
            t(
                "home.node_status",
                node=name,
                submitted=node["submitted"],
                units=tn("home.units", node["leaves"]),
                drafts=node["drafts"],
                waiting=waiting,
            )
        )
    st.page_link("app_pages/overview.py", label=t("home.go_overview"), icon=":material/grid_view:")
