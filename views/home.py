"""Start page: the five levels and the roadmap in plain words, and what is due this cycle."""

from __future__ import annotations

import streamlit as st

from storage.assessments import list_assessments
from storage.results import assessable_units, open_cycles
from views import state, theme
from views.i18n import lang, t


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
        for step in questionnaire.scale:
            theme.badge(step.level, step.label.get(lang()))
            if step.description:
                st.caption(step.description.get(lang()))
    with right:
        if roadmap is not None:
            st.subheader(t("home.roadmap"))
            st.write(t("home.roadmap_intro"))
            for stage in roadmap.stages:
                row = t(
                    "home.stage_row", id=stage.id, label=stage.label.get(lang()), period=stage.period or "–"
                )
                st.markdown(f"**{row}**")
                if stage.description:
                    st.caption(stage.description.get(lang()))


def _due(actor, total: int) -> None:
    cycles = open_cycles(state.engine())
    if not cycles:
        st.info(t("common.no_open_cycle"))
        return
    current = cycles[0]
    units = assessable_units(state.engine(), actor)
    st.subheader(t("home.due", cycle=current["label"]))
    if units.empty:
        st.write(t("home.due_none"))
        return
    mine = list_assessments(state.engine(), actor, current["id"])
    mine = mine[mine["mode"] == "consensus"] if not mine.empty else mine
    name_column = "name_nb" if lang() == "nb" else "name_en"
    for unit in units.itertuples():
        rows = mine[mine["unit_id"] == unit.unit_id] if not mine.empty else mine
        if rows.empty:
            status = t("home.status.not_started")
        else:
            row = rows.iloc[0]
            if row["status"] == "draft":
                answered = state.answered_count(int(row["id"]))
                status = t("home.status.draft", answered=answered, total=total)
            elif row["status"] == "returned":
                status = t("home.status.returned", comment=row["status_comment"] or "")
            else:
                status = t(f"home.status.{row['status']}")
        st.write(f"- {getattr(unit, name_column)}: {status}")
    st.page_link("app_pages/assess.py", label=t("home.go_assess"), icon=":material/edit_note:")
