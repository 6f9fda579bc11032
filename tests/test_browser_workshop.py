"""The team workshop in real browsers, by clicking only what the app shows: the leader starts
it on a laptop, a phone opens the link the page shows, another joins by typing the code in
the app (two more join through the services, for a crowd), and the leader closes the round,
looks at the distribution and records the agreement. Set MATURITY_SCREENSHOTS to a folder
to keep a screenshot of each phase."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage import workshops as ws
from storage.db import reading
from storage.tables import (
    assessment,
    unit_result,
    workshop,
    workshop_distribution,
    workshop_participant,
    workshop_rating,
)

from .browserkit import answer_dimension, browser, evidence, no_trouble, server, settle, sign_in
from .conftest import full_answers

__all__ = ["browser", "server"]  # fixtures

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DRAWN_CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
LEVELS = (2, 3, 5, 3)  # the four participants' answers on every scored question


def shot(page, name: str) -> None:
    folder = os.environ.get("MATURITY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def rate_everything(phone, clinic, level: int, name: str) -> None:
    """A participant answers every dimension at `level` (yes on the checklist) and sends in."""
    phone.get_by_role("button", name="Begynn").click()
    settle(phone)
    dimensions = clinic.questionnaire.dimensions
    for step, dimension in enumerate(dimensions):
        answer_dimension(phone, dimension, level)
        if step == 0:
            shot(phone, f"{name}-1-rating")
        if step < len(dimensions) - 1:
            phone.get_by_role("button", name="Neste dimensjon →").click()
            settle(phone)
    phone.get_by_role("button", name="Se over og send inn").click()
    settle(phone)
    dialog = phone.get_by_role("dialog")
    dialog.get_by_text("Vurdering av Post A, 2024/2025").wait_for()
    assert "mangler svar" not in dialog.inner_text(), dialog.inner_text()
    dialog.get_by_role("button", name="Send inn", exact=True).click()
    settle(phone)
    phone.get_by_text("Takk! Svarene dine er sendt inn.").wait_for()
    no_trouble(phone)


def joined(clinic) -> int:
    with reading(clinic.engine) as connection:
        return connection.execute(select(func.count()).select_from(workshop_participant)).scalar_one()


def test_a_workshop_with_four_phones(server, browser) -> None:
    with evidence(browser, "workshop"):
        respondents = a_workshop_with_four_phones(*server, browser)
    assert respondents == {1}  # the unit's result rests on the agreement alone


def a_workshop_with_four_phones(base, clinic, browser) -> set[int]:
    """The whole workshop as its people click it; the respondents the unit's results rest on."""
    laptop = browser.new_context(viewport={"width": 1400, "height": 1000})
    leader = laptop.new_page()
    sign_in(leader, base, "leader-a", "workshop")
    leader.get_by_role("spinbutton", name="Hvor mange deltakere venter du?").fill("5")
    leader.get_by_role("button", name="Start arbeidsmøtet").click()
    settle(leader)
    code_heading = leader.get_by_role("heading", name=re.compile(r"^Kode: "))
    code_heading.wait_for()
    code = code_heading.inner_text().removeprefix("Kode: ").strip()
    link = leader.locator("[data-testid='stCode'] code").first.inner_text().replace("\n", "")
    assert "/delta?ws=" in link
    shot(leader, "leader-1-share")

    # the leader reloads the page: the same link and code are there, nothing to make anew
    leader.reload()
    sign_in(leader, base, "leader-a", "workshop")
    leader.get_by_role("heading", name=f"Kode: {code}").wait_for()
    assert leader.locator("[data-testid='stCode'] code").first.inner_text().replace("\n", "") == link

    # one phone opens the link the leader's page shows (the QR code's); two more people join
    # the same way through the services, so the round has a crowd without clicking it all
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(link)
    settle(phone)
    phone.get_by_role("heading", name="Vurdering av Post A, 2024/2025").wait_for()  # which unit
    no_trouble(phone)
    shot(phone, "phone-0-invited")
    rate_everything(phone, clinic, LEVELS[0], "phone-0")
    token = link.split("ws=", 1)[1]
    for level in LEVELS[1:3]:
        secret, _ = ws.join(clinic.engine, token)
        ws.save_ratings(clinic.engine, token, secret, full_answers(clinic.questionnaire, level))
        ws.submit_rating(clinic.engine, token, secret)

    # the fourth types the code in the app's own "Delta i arbeidsmøte" page
    fourth = browser.new_context(**PHONE).new_page()
    fourth.goto(base + "/")
    settle(fourth)
    fourth.locator(
        "[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button"
    ).first.click()
    fourth.get_by_role("link", name="Delta i arbeidsmøte").click()
    settle(fourth)
    if fourth.locator("[data-testid='stSidebarCollapseButton'] button").is_visible():
        fourth.locator("[data-testid='stSidebarCollapseButton'] button").click()  # as on a phone
    fourth.get_by_label("Kode fra møteleder").fill(code.lower())
    fourth.get_by_role("button", name="Bli med").click()
    settle(fourth)
    fourth.get_by_role("heading", name="Vurdering av Post A, 2024/2025").wait_for()
    no_trouble(fourth)
    rate_everything(fourth, clinic, LEVELS[3], "phone-3")

    # the first phone opens the shared link again (a second tab, the QR code scanned again):
    # the same participant, already sent in, and no new one
    again = phone.context.new_page()
    again.goto(link)
    settle(again)
    again.get_by_text("Takk! Svarene dine er sendt inn.").wait_for()
    no_trouble(again)
    assert joined(clinic) == 4

    # the leader sees joins against the expected number, never answers; then closes the round
    leader.get_by_text("4 av 5").wait_for(timeout=15_000)
    shot(leader, "leader-2-rating")
    leader.get_by_role("button", name="Avslutt runden og vis fordelingen").click()
    settle(leader)
    leader.get_by_role("heading", name="Fordelingen: 4 deltakere har svart").wait_for()
    leader.locator(DRAWN_CHART).first.wait_for()
    shot(leader, "leader-3-distribution")

    # the phones now show the distribution too, for the discussion
    phone.get_by_text("Fordelingen: 4 deltakere har svart").wait_for(timeout=15_000)
    phone.locator(DRAWN_CHART).first.wait_for()
    no_trouble(phone)
    shot(phone, "phone-0-2-distribution")

    # what is kept of the participants: the distribution, nothing one by one
    with reading(clinic.engine) as connection:
        assert connection.execute(select(func.count()).select_from(workshop_rating)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(assessment)).scalar_one() == 1
        counts = dict(
            connection.execute(
                select(workshop_distribution.c.answer, workshop_distribution.c.count).where(
                    workshop_distribution.c.item_id == "LA1"
                )
            ).all()
        )
    assert counts == {"2": 1, "3": 2, "5": 1}

    # the leader records the agreement and sends it in after the confirmation
    dimensions = clinic.questionnaire.dimensions
    for step, dimension in enumerate(dimensions):
        answer_dimension(leader, dimension, 3)
        if step == 0:
            shot(leader, "leader-4-agreement")
        if step < len(dimensions) - 1:
            leader.get_by_role("button", name="Neste dimensjon →").click()
            settle(leader)
    leader.get_by_role("button", name="Se over og send inn").click()
    settle(leader)
    leader.get_by_role("dialog").get_by_role("button", name="Send inn", exact=True).click()
    settle(leader)
    leader.get_by_role("heading", name="Resultat og tiltak").wait_for()
    no_trouble(leader)

    # the workshop closed with the sending in: the link no longer works
    fourth.goto(link)
    settle(fourth)
    fourth.get_by_text("Arbeidsmøtet er avsluttet").wait_for()
    shot(fourth, "phone-3-3-closed")
    with reading(clinic.engine) as connection:
        assert connection.execute(select(workshop.c.status)).scalar_one() == "closed"
        respondents = set(
            connection.execute(
                select(unit_result.c.respondents).where(unit_result.c.unit_id == "a")
            ).scalars()
        )
    return respondents


@pytest.mark.parametrize("path", ["workshop", "participant", ""])
def test_an_old_or_edited_link_opens_the_participant_page(server, browser, path: str) -> None:
    """Links made before the participant page had its own address named the leader's page;
    a link edited by hand may name any address, or none."""
    base, clinic = server

    made = ws.start_workshop(clinic.engine, clinic.actor("leader-a"), "a", clinic.cycle_id, 4)
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{base}/{path}?ws={made.token}")
    settle(phone)
    phone.get_by_role("heading", name="Vurdering av Post A, 2024/2025").wait_for()
    begin = phone.get_by_role("button", name="Begynn")
    begin.wait_for()  # drawn in the same run as the heading, but not always in the same frame
    no_trouble(phone)
    assert phone.get_by_text("Page not found").count() == 0
    assert begin.is_visible()
