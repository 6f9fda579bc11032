"""The sidebar's menu (views/menu.py): each person sees the pages their roles use, every page
stays routed, and the menu's data names the page shown and addresses Streamlit routes."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from storage.actors import Actor, Grant
from views import menu

from .conftest import APP, menu_data, open_app

START, JOIN = "Start", "Delta i arbeidsmøte"
ASSESSING = ["Egenvurdering", "Arbeidsmøte", "Resultat og tiltak"]
FOLLOWING = ["Oversikt", "Utvikling over tid", "Enhetsprofil", "Veikart"]
EVERY_PAGE = [START, *ASSESSING, *FOLLOWING, "Validering", "Administrasjon", JOIN]


def titles(data: dict) -> list[str]:
    return [page["title"] for section in data["sections"] for page in section["pages"]]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("admin", EVERY_PAGE),
        ("leader-a", [START, *ASSESSING, *FOLLOWING, JOIN]),
        ("manager-k", [START, *FOLLOWING, JOIN]),
        ("advisor", [START, *FOLLOWING, "Validering", JOIN]),
        ("nobody", [START, JOIN]),
    ],
)
def test_each_role_sees_the_pages_it_uses(app_clinic, user: str, expected: list[str]) -> None:
    at = open_app(user)
    assert titles(menu_data(at)) == expected


def test_before_sign_in_the_menu_has_the_start_page_and_joining_a_workshop(app_clinic) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    data = menu_data(at)
    assert titles(data) == [START, JOIN]
    assert data["current"] == ""  # the start page is the app's root
    assert [page["href"] for section in data["sections"] for page in section["pages"]] == ["/", "/delta"]


def test_the_menu_names_the_page_shown_and_links_to_each_page_s_own_address(app_clinic) -> None:
    at = open_app("admin", "app_pages/overview.py")
    data = menu_data(at)
    assert data["current"] == "overview"
    links = {page["title"]: page for section in data["sections"] for page in section["pages"]}
    assert links["Oversikt"]["path"] == "overview" and links["Oversikt"]["href"] == "/overview"
    assert links["Egenvurdering"]["href"] == "/assess"
    assert links[START]["href"] == "/" and links[START]["path"] == ""
    assert {page["icon"] for page in links.values()} >= {"home", "grid_view", "fact_check"}


def test_a_page_outside_someone_s_menu_still_opens_and_says_why_it_is_empty(app_clinic) -> None:
    at = open_app("manager-k", "app_pages/validate.py")
    assert not at.exception
    assert "Validering" not in titles(menu_data(at))
    assert [info.value for info in at.main.info] == ["Validering gjøres av kvalitetsrådgivere."]


def test_the_menu_follows_the_language(app_clinic) -> None:
    at = open_app("leader-a")
    at.session_state["lang"] = "en"
    at.run()
    data = menu_data(at)
    assert data["label"] == "Pages"
    assert titles(data)[:2] == ["Start", "Self-assessment"]


@pytest.mark.parametrize("role", ["leader", "management", "advisor", "participant"])
@pytest.mark.parametrize("unit", [None, "a"])
def test_administrators_see_every_page_whatever_else_they_hold(role: str, unit: str | None) -> None:
    actor = Actor("x", "X", (Grant(role, unit), Grant("admin")))
    shown = [spec.title for _, specs in menu.shown(actor) for spec in specs]
    assert shown == [spec.title for spec in menu.PAGES]


def test_a_participant_grant_alone_shows_no_unit_pages() -> None:
    actor = Actor("p", "P", (Grant("participant", None, 1),))
    shown = [spec.script for _, specs in menu.shown(actor) for spec in specs]
    assert shown == ["app_pages/home.py", "app_pages/participate.py"]


def test_every_page_is_in_the_menu_once() -> None:
    scripts = [spec.script for spec in menu.PAGES]
    assert len(scripts) == len(set(scripts))
