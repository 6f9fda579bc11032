"""Start page: what is due this cycle for the signed-in person, then the five levels and the
roadmap in plain words.

A unit leader sees their units and how far each assessment has come; management, advisors
and administrators see how many units under them have sent in, from the stored rollups, so
the page is as quick for the whole country as for one ward.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from scoring.models import Questionnaire, Roadmap
from storage import rollup
from storage.actors import Actor
from storage.assessments import consensus_statuses
from storage.permissions import RULES
from storage.results import open_cycles
from views import campaign, state, theme, web
from views.i18n import lang, t, tn

_MODEL = web.component("model")
MAX_LISTED = 30  # a leader's own units; more, and they are counted instead


def page() -> None:
    actor = state.current_actor()
    _, questionnaire, roadmap = state.questionnaire()
    st.title(t("home.title"))
    st.write(t("home.intro"))

    if actor is None:
        st.info(state.not_signed_in_note(), icon=":material/arrow_back:")
    else:
        _due(actor, len(questionnaire.items()))

    _MODEL(data=_model_data(questionnaire, roadmap, lang()), key="home_model")


def _model_data(questionnaire: Questionnaire, roadmap: Roadmap | None, language: str) -> dict[str, Any]:
    """The five levels and the roadmap's stages, as the model element draws them."""
    levels = [
        {
            "level": step.level,
            "label": step.label.get(language),
            "colour": theme.LEVEL_COLOURS.get(step.level, theme.NO_SCORE_COLOUR),
            "ink": theme.LEVEL_TEXT_COLOURS.get(step.level, "#000000"),
            "description": step.description.get(language) if step.description else None,
        }
        for step in questionnaire.scale
    ]
    stages = None
    if roadmap is not None:
        stages = {
            "title": t("home.roadmap"),
            "intro": t("home.roadmap_intro"),
            "stages": [
                {
                    "row": t("home.stage_row", id=s.id, label=s.label.get(language), period=s.period or "–"),
                    "description": s.description.get(language) if s.description else None,
                }
                for s in roadmap.stages
            ],
        }
    return {"levels": {"title": t("home.levels"), "items": levels}, "roadmap": stages}


def _due(actor: Actor, total: int) -> None:
    cycles = open_cycles(state.engine())
    if not cycles:
        st.info(t("common.no_open_cycle"))
        return
    current = cycles[0]
    st.subheader(t("home.due", cycle=current["label"]))
    leads = bool(actor.units(*RULES["assess"].roles)) and not actor.is_admin
    if leads:
        _my_units(actor, int(current["id"]), total)
    if actor.is_admin or actor.units("management", "advisor"):  # who follows units they do not lead
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
    st.text("\n".join(f"• {line}" for line in lines))  # one element: each costs the browser
    if len(units) > MAX_LISTED:
        st.caption(tn("home.more_units", len(units) - MAX_LISTED))
    st.page_link("app_pages/assess.py", label=t("home.go_assess"), icon=":material/edit_note:")


def _under_me(actor: Actor, cycle_id: int) -> None:
    """How many units under each of the actor's top nodes have sent in, started or not."""
    engine = state.engine()
    tops = rollup.top_nodes(engine, actor)
    if not tops:
        return
    lines = []
    for node in rollup.completion(engine, actor, tops[:MAX_LISTED], cycle_id):
        name = node["name_nb"] if lang() == "nb" else node["name_en"]
        waiting = node["leaves"] - node["submitted"] - node["drafts"]
        lines.append(
            t(
                "home.node_status",
                node=name,
                submitted=node["submitted"],
                units=tn("home.units", node["leaves"]),
                drafts=node["drafts"],
                waiting=waiting,
            )
        )
    st.text("\n".join(lines))
    campaign.last_reminders(actor, cycle_id)  # when each unit's leader was last reminded
    st.page_link("app_pages/overview.py", label=t("home.go_overview"), icon=":material/grid_view:")
