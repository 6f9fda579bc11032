"""The app's pages, and the menu that shows each person the pages their roles use.

Streamlit's own navigation menu is kept hidden (all pages stay routed, so any page's address
opens it): it redrew itself on every run, a fragment's too, which cost each answer in the
form several milliseconds in Chromium. The menu is one light element of the app's own in
the sidebar (views/assets/menu.js), drawn when the whole page is. Every page still checks
access itself; the menu only leaves out pages that would say "you have no access".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from storage.actors import Actor
from storage.permissions import may_somewhere
from views import web
from views.i18n import t

ASSESS, FOLLOW, JOIN = "nav.section.assess", "nav.section.follow", "nav.section.join"
ADMINISTER = "nav.section.admin"
PARTICIPANT_PATH = "delta"


@dataclass(frozen=True)
class PageSpec:
    """One page: its script, title and icon, its menu section, and the action (storage.
    permissions) whose work it is: shown to those who may take it somewhere; None: to
    everyone, also before sign-in."""

    script: str
    title: str  # catalog key
    icon: str
    section: str  # catalog key
    action: str | None
    url_path: str | None = None
    default: bool = False

    def shown_to(self, actor: Actor | None) -> bool:
        if self.action is None:
            return True
        return actor is not None and may_somewhere(actor, self.action)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("app_pages/home.py", "nav.start", ":material/home:", ASSESS, None, default=True),
    PageSpec("app_pages/assess.py", "nav.assess", ":material/edit_note:", ASSESS, "assess"),
    PageSpec("app_pages/workshop.py", "nav.workshop", ":material/groups:", ASSESS, "hold_workshop"),
    PageSpec("app_pages/result.py", "nav.result", ":material/insights:", ASSESS, "assess"),
    PageSpec("app_pages/overview.py", "nav.overview", ":material/grid_view:", FOLLOW, "read_results"),
    PageSpec("app_pages/progress.py", "nav.progress", ":material/timeline:", FOLLOW, "read_results"),
    PageSpec("app_pages/profile.py", "nav.profile", ":material/person_search:", FOLLOW, "read_results"),
    PageSpec("app_pages/roadmap.py", "nav.roadmap", ":material/route:", FOLLOW, "read_results"),
    PageSpec("app_pages/validate.py", "nav.validate", ":material/fact_check:", FOLLOW, "validate"),
    PageSpec(
        "app_pages/admin.py", "nav.admin", ":material/admin_panel_settings:", ADMINISTER, "manage_cycles"
    ),
    PageSpec(
        "app_pages/participate.py",
        "nav.participate",
        ":material/how_to_reg:",
        JOIN,
        None,
        url_path=PARTICIPANT_PATH,
    ),
)

_MENU = web.component("menu")


def pages() -> dict[str, st.Page]:
    """Every page by its script, titled in the session's language (all of them are routed,
    so an address of a page outside someone's menu opens it and it says what is wrong)."""
    return {
        spec.script: st.Page(
            spec.script, title=t(spec.title), icon=spec.icon, url_path=spec.url_path, default=spec.default
        )
        for spec in PAGES
    }


def shown(actor: Actor | None) -> list[tuple[str, list[PageSpec]]]:
    """The menu's sections (catalog keys) and pages for `actor`, in order; empty sections left out."""
    sections: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        if spec.shown_to(actor):
            sections.setdefault(spec.section, []).append(spec)
    return list(sections.items())


def draw(actor: Actor | None, routed: Mapping[str, st.Page], current: st.Page) -> None:
    """The menu in the sidebar: `routed` are the pages by script as st.navigation has them,
    `current` is the page shown."""
    sections = [
        {
            "title": t(section),
            "pages": [
                {
                    "path": routed[spec.script].url_path,
                    "href": _address(routed[spec.script].url_path),
                    "title": t(spec.title),
                    "icon": spec.icon.removeprefix(":material/").removesuffix(":"),
                }
                for spec in specs
            ],
        }
        for section, specs in shown(actor)
    ]
    with st.sidebar:
        _MENU(data={"label": t("nav.menu"), "current": current.url_path, "sections": sections}, key="_menu")


def _address(url_path: str) -> str:
    """A page's address in the browser, under the app's base path if it has one."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return "/".join(("", base, url_path)) if base else f"/{url_path}"
