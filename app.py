"""Streamlit entry point: navigation over the pages, the sidebar, and nothing else.

Run with `streamlit run app.py`. A participant's workshop link (?ws=...) opens only the
participant page, without sign-in.
"""

import streamlit as st

from views import state
from views.i18n import t

st.set_page_config(page_title="Forbedringsmodenhet", page_icon=":material/trending_up:", layout="wide")
state.init_session()

if "ws" in st.query_params:
    pages = [
        st.Page(
            "views/participate.py", title=t("nav.participate"), icon=":material/how_to_reg:", default=True
        )
    ]
    navigation = st.navigation(pages, position="hidden")
else:
    actor = state.current_actor()
    state.sidebar(actor)
    pages = {
        t("nav.section.assess"): [
            st.Page("views/home.py", title=t("nav.start"), icon=":material/home:", default=True),
            st.Page("views/assess.py", title=t("nav.assess"), icon=":material/edit_note:"),
            st.Page("views/workshop.py", title=t("nav.workshop"), icon=":material/groups:"),
            st.Page("views/result.py", title=t("nav.result"), icon=":material/insights:"),
        ],
        t("nav.section.follow"): [
            st.Page("views/overview.py", title=t("nav.overview"), icon=":material/grid_view:"),
            st.Page("views/progress.py", title=t("nav.progress"), icon=":material/timeline:"),
            st.Page("views/profile.py", title=t("nav.profile"), icon=":material/person_search:"),
            st.Page("views/roadmap.py", title=t("nav.roadmap"), icon=":material/route:"),
            st.Page("views/validate.py", title=t("nav.validate"), icon=":material/fact_check:"),
        ],
        t("nav.section.join"): [
            st.Page("views/participate.py", title=t("nav.participate"), icon=":material/how_to_reg:"),
        ],
    }
    navigation = st.navigation(pages)
navigation.run()
