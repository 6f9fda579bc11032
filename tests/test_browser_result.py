"""The result page and the validation page in Chromium, clicking as a user would: the profile
chart shows no English toolbar and downloads in Norwegian, a leader edits and deletes an
action, and an advisor's list is right after sending back and validating."""

from __future__ import annotations

import datetime as dt
import re

from storage import assessments as svc
from storage.planning import add_action_item, list_action_items

from .browserkit import browser, server, settle, sign_in  # noqa: F401  (fixtures)
from .conftest import Clinic, full_answers


def submitted(clinic: Clinic, unit: str) -> int:
    admin = clinic.actor("admin")
    aid = svc.start_assessment(clinic.engine, admin, unit, clinic.cycle_id)
    version = svc.save_answers(clinic.engine, admin, aid, 1, full_answers(clinic.questionnaire))
    svc.submit_assessment(clinic.engine, admin, aid, version)
    return aid


def test_result_page_chart_and_action_plan(server, browser) -> None:  # noqa: F811
    base, clinic = server
    submitted(clinic, "a")
    leader = clinic.actor("leader-a")
    kept, gone = (
        add_action_item(clinic.engine, leader, "a", clinic.cycle_id, what, "Kari", dt.date(2025, 3, 1))
        for what in ("Innføre tavlemøter", "Slettes")
    )
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "leader-a", "result")

    # the chart: hovering shows no toolbar (Streamlit's is English-only); the download is Norwegian
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    page.wait_for_timeout(300)
    assert not page.get_by_role("button", name="Download as PNG").is_visible()
    page.get_by_role("button", name="Last ned figur").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Som bilde (PNG)").click()
    assert download.value.suggested_filename == "profil-a-2024-2025.png"
    with open(download.value.path(), "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"

    # edit an action
    assert page.get_by_text("Ansvarlig: Kari · Frist: 01.03.2025").first.is_visible()
    card = page.locator(f".st-key-action_card_{kept}")
    card.get_by_role("button", name="Endre").click()
    settle(page)
    card.get_by_label("Hva skal gjøres").fill("Tavlemøte hver morgen")
    card.get_by_role("button", name="Lagre endringene").click()
    settle(page)
    page.get_by_text("Endringene er lagret.").wait_for()
    assert page.get_by_text("Tavlemøte hver morgen", exact=True).is_visible()

    # delete another, after confirming
    card = page.locator(f".st-key-action_card_{gone}")
    card.get_by_role("button", name="Slett").click()
    settle(page)
    page.get_by_text("Vil du slette dette tiltaket? Det kan ikke angres.").wait_for()
    card.get_by_role("button", name="Ja, slett tiltaket").click()
    settle(page)
    page.get_by_text("Tiltaket er slettet.").wait_for()
    assert page.get_by_text("Slettes", exact=True).count() == 0
    stored = list_action_items(clinic.engine, leader, "a")
    assert stored["what"].tolist() == ["Tavlemøte hver morgen"]
    context.close()


def test_validation_list_after_send_back_and_validate(server, browser) -> None:  # noqa: F811
    base, clinic = server
    for unit in ("a", "b", "c"):
        submitted(clinic, unit)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)  # a phone
    page = context.new_page()
    page.goto(base + "/")
    page.locator("[data-testid='stExpandSidebarButton']").click()
    page.get_by_role("combobox", name="Logg inn som").click()
    page.get_by_role("option", name=re.compile(r"\(advisor\)")).click()
    settle(page)
    link = page.locator("a[href$='/validate']").first
    if not link.is_visible():
        page.locator("[data-testid='stExpandSidebarButton']").click()
    link.click()
    settle(page)
    if page.locator("[data-testid='stSidebar'][data-collapsed='false']").count():
        page.locator("[data-testid='stSidebarCollapseButton'] button").click()
        settle(page)

    def listed() -> list[str]:
        settle(page)
        summaries = page.locator("[data-testid='stExpander'] summary")
        return [re.sub(r"^\S+\s+", "", s.inner_text().strip()) for s in summaries.all()]

    assert listed() == ["Post A – sendt inn", "Post B – sendt inn", "Post C – sendt inn"]
    entry = page.locator("[data-testid='stExpander']").nth(1)
    entry.locator("summary").click()
    entry.get_by_label("Hvorfor sendes vurderingen tilbake?").fill("Mangler dokumentasjon")
    entry.get_by_role("button", name="Send tilbake til enheten").click()
    page.get_by_text("Vurderingen for Post B er sendt tilbake til enheten.").wait_for()
    after = listed()
    assert len(after) == len(set(after))
    assert [e for e in after if "tilbake" not in e] == ["Post A – sendt inn", "Post C – sendt inn"]

    entry = page.locator("[data-testid='stExpander']").filter(has_text="Post C")
    entry.locator("summary").click()
    settle(page)  # opened: the button is where it will stay
    entry.get_by_role("button", name="Valider").click()
    page.get_by_text("Vurderingen for Post C er validert.").wait_for()
    after = listed()
    assert len(after) == len(set(after))
    assert [e for e in after if "tilbake" not in e] == ["Post A – sendt inn", "Post C – validert"]
    context.close()
