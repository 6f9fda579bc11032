"""Streamlit entry point: navigation over the pages, the sidebar, and nothing else.

Run with `streamlit run app.py`. A participant's workshop link (/delta?ws=...) opens only the
participant page, without sign-in and without the sidebar, whatever page address it names.
"""

from pathlib import Path

import streamlit as st

import views.libraries  # noqa: F401  (first: see its docstring)
from views import dash, guard, state
from views.i18n import t

ICON = str(Path(__file__).parent / "assets" / "icon.png")  # served by the app, never fetched
PARTICIPATE = "app_pages/participate.py"
PARTICIPANT_PATH = "delta"


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
            st.Page(
                PARTICIPATE,
                title=t("nav.participate"),
                icon=":material/how_to_reg:",
                url_path=PARTICIPANT_PATH,
            ),
        ],
    }


def participant_pages() -> list[st.Page]:
    """A participant's only page: at the app's root, under its own address, and under every
    other page's address too, so an old or hand-edited link never meets "page not found"."""
    from views import participate

    title, icon = t("participate.title"), ":material/how_to_reg:"
    root = st.Page(participate.page, title=title, icon=icon, url_path="participant", default=True)
    paths = [page.url_path for section in pages().values() for page in section if page.url_path]
    return [root, *(st.Page(participate.page, title=title, icon=icon, url_path=path) for path in paths)]


st.set_page_config(page_title=t("app.title"), page_icon=ICON, layout="wide")
st.html(dash.HIDE_CHART_TOOLBAR)  # its labels are English only; pages offer downloads of their own
state.init_session()
state.begin_run()

if "ws" in st.query_params:
    navigation = st.navigation(state.per_session("participant_pages", participant_pages), position="hidden")
else:
    state.sidebar(state.current_actor())
    navigation = st.navigation(state.per_session("pages", pages))
guard.run_page(navigation.run)
