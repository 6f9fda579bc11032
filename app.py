"""Streamlit entry point: navigation over the pages, the sidebar, and nothing else.

Run with `streamlit run app.py`. A participant's workshop link (?ws=...) opens only the
participant page, without sign-in.
"""

import streamlit as st

from views import state
from views.i18n import t


def pages() -> dict[str, list[st.Page]]:
    """The pages by section, titled in the session's language."""
    return {
        t("nav.section.assess"): [
            st.Page("app_pages/home.py", title=t("nav.start"), icon=":material/home:", default=True),
            st.Page("app_pages/assess.py", title=t("nav.assess"), icon=":material/edit_note:"),
            st.Page("app_pages/workshop.py", title=t("nav.workshop"), icon=":material/groups:"),
            st.Page("app_pages/result.py", title=t("nav.result"), icon=":material/insights:"),
        ],
        t("nav.section.follow"): [
            st.Page("app_pages/overview.py", title=t("nav.overview"), icon=":material/grid_view:"),
            st.Page("app_pages/progress.py", title=t("nav.progress"), icon=":material/timeline:"),
            st.Page("app_pages/profile.py", title=t("nav.profile"), icon=":material/person_search:"),
            st.Page("app_pages/roadmap.py", title=t("nav.roadmap"), icon=":material/route:"),
            st.Page("app_pages/validate.py", title=t("nav.validate"), icon=":material/fact_check:"),
        ],
        t("nav.section.join"): [
            st.Page("app_pages/participate.py", title=t("nav.participate"), icon=":material/how_to_reg:"),
        ],
    }


st.set_page_config(page_title="Forbedringsmodenhet", page_icon=":material/trending_up:", layout="wide")
state.init_session()
state.begin_run()

if "ws" in st.query_params:
    participant = st.Page(
        "app_pages/participate.py", title=t("nav.participate"), icon=":material/how_to_reg:", default=True
    )
    navigation = st.navigation([participant], position="hidden")
else:
    state.sidebar(state.current_actor())
    navigation = st.navigation(state.per_session("pages", pages))
navigation.run()
