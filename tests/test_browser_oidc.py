"""Sign-in through OpenID Connect (Streamlit's st.login), against a local provider the test
starts itself (oidc-provider-mock): the user's e-mail is their user id in the database, each
person finds the pages and units their roles give, and someone the provider knows but the
app does not sees only the "no access yet" note."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import make_engine, migrate

from .browserkit import browser, free_port, no_trouble, serve, settle
from .conftest import make_clinic

__all__ = ["browser"]

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

LEADER, MANAGER, STRANGER = "kari.leder@sykehus.no", "mona.ledelse@sykehus.no", "ny.person@sykehus.no"


@pytest.fixture
def oidc_app(tmp_path: Path) -> Iterator[str]:
    """The app in OIDC mode on a small clinic whose users are known by e-mail, signing in
    through a mock provider on this machine."""
    url = f"sqlite:///{tmp_path / 'oidc.db'}"
    engine = make_engine(url)
    migrate(engine)
    make_clinic(engine)
    upsert_user(engine, SYSTEM, LEADER, "Kari Leder", [Grant("leader", "a")])
    upsert_user(engine, SYSTEM, MANAGER, "Mona Ledelse", [Grant("management", "s1")])
    engine.dispose()
    with oidc_provider_mock.run_server_in_thread() as provider:
        port = free_port()
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            'cookie_secret = "a-cookie-secret-for-the-test-only"\n'
            'client_id = "maturity"\n'
            'client_secret = "client-secret"\n'
            f'server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        with serve(url, tmp_path / "server.log", f"--secrets.files={secrets}", port=port) as base:
            yield base.replace("127.0.0.1", "localhost")  # the address the redirect names


def sign_in(browser, base: str, email: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "/")
    settle(page)
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_placeholder("sub").fill(email)  # the provider's own form
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(base)))
    settle(page)
    return page


def menu(page) -> list[str]:
    links = page.get_by_role("navigation", name="Sider").get_by_role("link")
    return [text.split("\n")[-1] for text in links.all_inner_texts()]


def test_two_people_sign_in_and_find_what_their_roles_give(oidc_app, browser) -> None:
    leader = sign_in(browser, oidc_app, LEADER)
    leader.get_by_text("Innlogget: Kari Leder").wait_for()
    assert menu(leader) == [
        "Start",
        "Egenvurdering",
        "Arbeidsmøte",
        "Resultat og tiltak",
        "Oversikt",
        "Utvikling over tid",
        "Enhetsprofil",
        "Veikart",
        "Delta i arbeidsmøte",
    ]
    leader.get_by_role("navigation", name="Sider").get_by_role(
        "link", name="Egenvurdering", exact=True
    ).click()
    settle(leader)
    assert [o.inner_text() for o in leader.get_by_role("combobox", name="Enhet").locator("option").all()] == [
        "Post A"
    ]
    no_trouble(leader)

    manager = sign_in(browser, oidc_app, MANAGER)
    manager.get_by_text("Innlogget: Mona Ledelse").wait_for()
    assert menu(manager) == [
        "Start",
        "Oversikt",
        "Utvikling over tid",
        "Enhetsprofil",
        "Veikart",
        "Delta i arbeidsmøte",
    ]
    manager.get_by_role("navigation", name="Sider").get_by_role("link", name="Oversikt", exact=True).click()
    settle(manager)
    manager.get_by_role("navigation", name="Plassering i organisasjonen").get_by_text("Seksjon 1").wait_for()
    no_trouble(manager)


def test_someone_the_app_does_not_know_sees_only_that_they_have_no_access_yet(oidc_app, browser) -> None:
    page = sign_in(browser, oidc_app, STRANGER)
    page.get_by_text(
        re.compile(r"logget inn som ny\.person@\u2060?sykehus\.no, men har ingen tilgang")
    ).wait_for()
    assert menu(page) == ["Start", "Delta i arbeidsmøte"]
    assert page.get_by_text("Innlogget").count() == 0
    no_trouble(page)
