"""The main flows in a real browser (Debian's Chromium through Playwright), clicking as a
user would: a whole consensus assessment with a reload half-way and the confirmation before
sending in, and the form answered by keyboard alone. (The workshop: test_browser_workshop.py.)"""

from __future__ import annotations

from sqlalchemy import select

from storage.db import reading
from storage.tables import assessment

from .browserkit import (
    QUESTIONS,
    answer_dimension,
    answered,
    browser,
    no_trouble,
    saved_level,
    server,
    settle,
    sign_in,
)

__all__ = ["browser", "server"]  # fixtures


def test_consensus_assessment_with_a_reload(server, browser) -> None:
    base, clinic = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "leader-a", "assess")
    page.get_by_role("button", name="Start eller fortsett vurderingen").click()
    settle(page)
    dimensions = clinic.questionnaire.dimensions
    for step in range(3):
        answer_dimension(page, dimensions[step], level=2 + step)
        page.get_by_role("button", name="Neste dimensjon →").click()
        settle(page)
    half = sum(len(d.items) for d in dimensions[:3])
    assert answered(clinic, "leader-a") == half

    page.reload()  # the tab is reloaded: sign in again and find every answer kept
    sign_in(page, base, "leader-a", "assess")
    page.get_by_text("Dimensjon 4 av 6").wait_for()
    page.get_by_role("button", name="← Forrige dimensjon").click()
    settle(page)
    checked = page.locator(f"{QUESTIONS} input[type='radio']:checked")
    checked.nth(len(dimensions[2].items) - 1).wait_for()
    assert checked.count() == len(dimensions[2].items)
    page.get_by_role("button", name="Neste dimensjon →").click()
    settle(page)
    for step in range(3, 6):
        answer_dimension(page, dimensions[step], level=4)
        if step < 5:
            page.get_by_role("button", name="Neste dimensjon →").click()
            settle(page)
    page.get_by_role("button", name="Se over og send inn").click()
    settle(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Post A, 2024/2025").wait_for()  # the confirmation says what will be sent
    assert "Lederansvar og styring: 4 av 4 besvart" in dialog.inner_text()
    with reading(clinic.engine) as connection:
        assert connection.execute(select(assessment.c.status)).scalar_one() == "draft"  # not yet
    dialog.get_by_role("button", name="Send inn", exact=True).click()
    settle(page)
    page.get_by_role("heading", name="Resultat og tiltak").wait_for()
    page.get_by_text("Profil per dimensjon").wait_for()
    assert answered(clinic, "leader-a") == len(clinic.questionnaire.items())
    with reading(clinic.engine) as connection:
        assert connection.execute(select(assessment.c.status)).scalar_one() == "submitted"


def test_on_a_phone_the_next_dimension_opens_at_its_top(server, browser) -> None:
    """ "Neste dimensjon" sits at the bottom of a long step; the next step's heading must be in
    view after the tap, not some 2,000 px above it with the next "Neste" under the thumb."""
    base, clinic = server
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(base + "/")
    settle(page)
    page.locator(
        "[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button"
    ).first.click()
    page.get_by_role("combobox", name="Logg inn som").click()
    page.get_by_role("option", name="Leader-A (leader-a)").click()
    settle(page)
    menu_link(page, "Egenvurdering").tap()
    settle(page)
    page.get_by_role("button", name="Start eller fortsett vurderingen").tap()
    settle(page)
    dimensions = clinic.questionnaire.dimensions
    for step in range(2):
        answer_dimension(page, dimensions[step], level=3)
        page.get_by_role("button", name="Neste dimensjon →").tap()
        settle(page)
        heading = page.get_by_role("heading", name=dimensions[step + 1].label.get("nb"))
        heading.wait_for()
        # the scroll may take a moment on a busy machine: what counts is where it comes to rest
        heading.evaluate(
            "e => new Promise(done => { const t0 = Date.now(); (function look() {"
            " const top = e.getBoundingClientRect().top;"
            " if ((top >= 0 && top < innerHeight / 2) || Date.now() - t0 > 3000) done();"
            " else requestAnimationFrame(look); })(); })"
        )
        top = heading.evaluate("e => e.getBoundingClientRect().top")
        assert 0 <= top < 844 / 2, (step, top)
    no_trouble(page)


def test_the_form_works_by_keyboard(server, browser) -> None:
    """A radio group takes focus with Tab and changes with the arrow keys; each change is saved."""
    base, clinic = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "leader-a", "assess")
    page.get_by_role("button", name="Start eller fortsett vurderingen").click()
    page.get_by_text("Dimensjon 1 av 6 · 0 av 28 spørsmål besvart").wait_for()  # the form, drawn
    settle(page)
    first = page.locator(QUESTIONS).first
    first.locator("input[type='radio']").first.focus()
    page.keyboard.press("Space")
    assert saved_level(clinic, "LA1", expected=1) == 1
    settle(page)
    page.keyboard.press("ArrowDown")
    settle(page)
    page.keyboard.press("ArrowDown")
    settle(page)
    assert saved_level(clinic, "LA1", expected=3) == 3
    assert first.locator("input[type='radio']").nth(2).is_checked()
    # the answer reran only its step, which redrew the progress bar above the questions
    page.get_by_text("Dimensjon 1 av 6 · 1 av 28 spørsmål besvart").wait_for(timeout=5_000)


def test_the_chrome_belongs_to_the_product(server, browser) -> None:
    """No "Deploy" button or developer menu, and the page icon comes from the app itself."""
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, base, "leader-a", "assess")
    assert page.get_by_role("button", name="Deploy").count() == 0
    page.locator("[data-testid='stMainMenu'] button, [data-testid='stMainMenu']").first.click()
    page.wait_for_timeout(300)
    assert page.get_by_text("Clear cache").count() == 0 and page.get_by_text("Rerun").count() == 0
    icon = page.evaluate("() => document.querySelector(\"link[rel*='icon']\").href")
    assert icon.startswith(base), icon
    # the app's own components load their code from blob: URLs of the page's own origin
    assert [url for url in requests if not url.startswith((base, f"blob:{base}/"))] == []


def menu_link(page, title: str):
    """A page's link in the sidebar's menu (views/assets/menu.js), by its exact name."""
    return page.get_by_role("navigation", name="Sider").get_by_role("link", name=title, exact=True)


def test_the_menu_on_a_phone_opens_pages_closes_itself_and_follows_the_back_button(server, browser) -> None:
    """Tapped on a phone, a menu link opens its page in the same session (still signed in),
    the sidebar closes over it, the link is marked as the current page, and the browser's
    back button returns to the page before."""
    base, _ = server
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(base + "/")
    settle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    if sidebar.get_attribute("data-collapsed") == "true":
        page.locator(
            "[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button"
        ).first.click()
    assert [
        link.inner_text().split("\n")[-1]
        for link in page.get_by_role("navigation", name="Sider").get_by_role("link").all()
    ] == ["Start", "Delta i arbeidsmøte"]
    page.get_by_role("combobox", name="Logg inn som").click()
    page.get_by_role("option", name="Leader-A (leader-a)").click()
    settle(page)
    menu_link(page, "Egenvurdering").tap()
    page.get_by_role("heading", name="Egenvurdering").first.wait_for()
    settle(page)
    assert page.url == base + "/assess"
    assert sidebar.get_attribute("data-collapsed") == "true"  # the page is not covered
    assert menu_link(page, "Egenvurdering").get_attribute("aria-current") == "page"
    assert menu_link(page, "Start").get_attribute("aria-current") is None
    page.get_by_role("button", name="Start eller fortsett vurderingen").wait_for()  # still signed in
    no_trouble(page)

    page.go_back()
    page.get_by_role("heading", name="Forbedringsreisen").wait_for()
    settle(page)
    assert page.url == base + "/"
    assert menu_link(page, "Start").get_attribute("aria-current") == "page"
    no_trouble(page)


def test_the_menu_works_by_keyboard(server, browser) -> None:
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "manager-k", "overview")
    page.get_by_role("heading", name="Oversikt").first.wait_for()
    menu_link(page, "Veikart").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Veikart").first.wait_for()
    settle(page)
    assert page.url == base + "/roadmap"
    assert menu_link(page, "Veikart").get_attribute("aria-current") == "page"
