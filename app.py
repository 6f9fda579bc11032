"""Streamlit entry point: navigation over the pages, the sidebar, and nothing else.

Run with `streamlit run app.py`. A participant's workshop link (/delta?ws=...) opens only the
participant page, without sign-in and without the sidebar, whatever page address it names.
"""

from pathlib import Path

import streamlit as st

import views.libraries  # noqa: F401  (first: see its docstring)
from views import dash, guard, menu, origins, state, waysin
from views.i18n import t

ICON = str(Path(__file__).parent / "assets" / "icon.png")  # served by the app, never fetched


def participant_pages() -> list[st.Page]:
    """A participant's only page: at the app's root, under its own address, and under every
    other page's address too, so an old or hand-edited link never meets "page not found"."""
    from views import participate

    title, icon = t("participate.title"), ":material/how_to_reg:"
    root = st.Page(participate.page, title=title, icon=icon, url_path="", default=True)
    paths = ["participant", *(page.url_path for page in menu.pages().values() if page.url_path)]
    return [root, *(st.Page(participate.page, title=title, icon=icon, url_path=path) for path in paths)]


origins.stop_address_lookups()  # before a foreign page can make Streamlit ask the internet
st.set_page_config(page_title=t("app.title"), page_icon=ICON, layout="wide")
st.html(dash.HIDE_CHART_TOOLBAR)  # its labels are English only; pages offer downloads of their own
state.init_session()
if waysin.mode() == "header" and not waysin.header_mode_ready():
    guard.refuse_to_serve(t("waysin.header_unconfigured"))  # stops here, for every request
state.begin_run()

if "ws" in st.query_params:
    navigation = st.navigation(state.per_session("participant_pages", participant_pages), position="hidden")
else:
    routed = state.per_session("pages", menu.pages)
    navigation = st.navigation(list(routed.values()), position="hidden")
    actor = state.current_actor()
    menu.draw(actor, routed, navigation)
    state.sidebar(actor)
guard.run_page(navigation.run)
