"""The dashboards in a real browser (Debian's Chromium through Playwright) on the demo
clinic, clicking as a manager would: breadcrumbs and drill-down in several orders, the
heatmap's legend, and the chart's download menu in the user's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .browserkit import browser, no_trouble, serve, settle  # noqa: F401 (fixtures)
from .test_dash_storage import WIDE, build_wide

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CLINIC, AKUTT, INDRE, REHAB = (
    "Medisinsk klinikk",
    "Seksjon for akuttmedisin",
    "Seksjon for indremedisin",
    "Seksjon for rehabilitering",
)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by `streamlit run` on the demo clinic (built on its first start)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'demo.db'}"
    with serve(url, tmp_path_factory.mktemp("dash-log") / "server.log") as base:
        yield base


@pytest.fixture(scope="module")
def wide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on an organisation whose trust has WIDE units (more than a heatmap page)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('wide') / 'wide.db'}"
    build_wide(url)
    with serve(url, tmp_path_factory.mktemp("wide-log") / "server.log") as base:
        yield base


def open_overview(browser, base: str, viewport: dict[str, int] | None = None, user: str = "klinikksjef"):  # noqa: F811
    """A new browser session signed in as `user` (the clinic manager), on the overview."""
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(base + "/")
    page.locator("[data-testid=stSidebar]").wait_for(state="attached", timeout=180_000)  # the demo is built
    settle(page)
    phone = page.viewport_size["width"] < 600
    if phone:  # the sidebar opens by its button
        page.locator("[data-testid=stExpandSidebarButton]").click()
        page.wait_for_timeout(800)
    page.get_by_role("combobox", name="Logg inn som").click()
    page.get_by_role("option", name=re.compile(rf"\({user}\)")).click()
    settle(page)
    if phone and not page.locator("a[href$='/overview']").first.is_visible():
        page.locator("[data-testid=stExpandSidebarButton]").click()
        page.wait_for_timeout(800)
    page.locator("a[href$='/overview']").first.click()
    settle(page)
    if phone and page.locator("[data-testid=stSidebarCollapseButton]").is_visible():
        page.locator("[data-testid=stSidebarCollapseButton] button").click()
        page.wait_for_timeout(800)
    heatmap(page).first.wait_for()
    return page


TABLE = "table[aria-label='Modenhet per enhet og dimensjon']"  # the heatmap (views/assets)


def heatmap(page):
    """The heatmap's cells (a table drawn by views/assets/heatmap.js)."""
    return page.locator(f"{TABLE} td")


PLACE = "Plassering i organisasjonen"  # the breadcrumbs' navigation (views/assets/pickers.js)
DRILL = "Gå ned til"  # the list of the node's children beside them


def crumbs(page):
    return page.get_by_role("navigation", name=PLACE)


def here(page) -> str:
    """The chosen node: the breadcrumb that marks where the page stands."""
    drawn(page)
    return crumbs(page).locator("[aria-current=location]").inner_text()


def drawn(page) -> None:
    """Wait until the run is over: one breadcrumb bar and at most one drill-down list
    (Streamlit leaves the last run's elements on the page until the new run is done)."""
    settle(page)
    expect(crumbs(page)).to_have_count(1, timeout=30_000)
    assert page.get_by_label(DRILL, exact=True).count() <= 1


def drill_shows(page) -> str:
    drawn(page)
    return page.get_by_label(DRILL, exact=True).evaluate("list => list.options[list.selectedIndex].text")


def drill(page, name: str) -> None:
    drawn(page)
    page.get_by_label(DRILL, exact=True).select_option(label=name)
    drawn(page)


def up(page, name: str) -> None:
    drawn(page)
    crumbs(page).get_by_role("button", name=name, exact=True).click()
    drawn(page)


def click_row(page, name: str) -> None:
    """Click the heatmap's row of `name` (on its overall score, the last cell)."""
    heatmap(page).first.wait_for()
    table = page.locator("table[aria-label='Modenhet per enhet og dimensjon']")
    table.locator("tr", has=page.get_by_role("button", name=name, exact=True)).locator("td").last.click()
    drawn(page)


def test_breadcrumbs_and_drill_down_in_every_order(demo_server, browser) -> None:  # noqa: F811
    page = open_overview(browser, demo_server)
    assert here(page) == CLINIC and drill_shows(page) == "–"

    # down by the picker, up by the breadcrumb, and down by the picker again to the same child
    drill(page, AKUTT)
    assert here(page) == AKUTT
    up(page, CLINIC)
    assert here(page) == CLINIC
    assert drill_shows(page) == "–"  # not the child just left
    drill(page, AKUTT)
    assert here(page) == AKUTT

    # down by a heatmap row, up by the breadcrumb: the row's selection does not drill again
    up(page, CLINIC)
    click_row(page, INDRE)
    assert here(page) == INDRE
    up(page, CLINIC)
    assert here(page) == CLINIC
    assert drill_shows(page) == "–"
    click_row(page, AKUTT)  # another row goes to that row's section
    assert here(page) == AKUTT

    # down by the picker, up, then by a row; down to a unit and back up two levels
    up(page, CLINIC)
    drill(page, REHAB)
    up(page, CLINIC)
    click_row(page, INDRE)
    assert here(page) == INDRE
    drill(page, "Gastromedisinsk sengepost")
    assert here(page) == "Gastromedisinsk sengepost"
    up(page, INDRE)
    assert here(page) == INDRE and drill_shows(page) == "–"
    up(page, CLINIC)
    assert here(page) == CLINIC and drill_shows(page) == "–"
    drill(page, INDRE)
    assert here(page) == INDRE

    # two levels down by heatmap rows, and back up by the breadcrumbs one level at a time
    up(page, CLINIC)
    click_row(page, INDRE)
    click_row(page, "Hjertemedisinsk sengepost")
    assert here(page) == "Hjertemedisinsk sengepost"
    up(page, INDRE)
    assert here(page) == INDRE and drill_shows(page) == "–"
    up(page, CLINIC)
    assert here(page) == CLINIC and drill_shows(page) == "–"
    page.context.close()


def test_a_tab_draws_its_section_and_stays_open_on_the_way_down(demo_server, browser) -> None:  # noqa: F811
    """Only the open tab is drawn; a click on another draws it, and moving in the tree keeps it."""
    page = open_overview(browser, demo_server)
    heatmap(page).first.wait_for()
    assert page.locator("[data-testid=stDataFrame]").count() == 0
    page.get_by_role("tab", name="Innsending").click()
    drawn(page)
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    assert heatmap(page).count() == 0
    drill(page, AKUTT)
    assert here(page) == AKUTT
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    assert page.get_by_role("tab", name="Innsending").get_attribute("aria-selected") == "true"
    page.get_by_role("button", name="Last ned tabell").click()
    with page.expect_download() as made:
        page.get_by_role("button", name="Last ned CSV").click()
    csv = Path(made.value.path()).read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("Syklus,Enhet,Sendt inn") and "Akuttmottaket" in csv
    no_trouble(page)
    page.context.close()


@pytest.mark.parametrize("viewport", [{"width": 1400, "height": 1000}, {"width": 390, "height": 844}])
def test_the_heatmap_legend_shows_whole_at_unit_level(demo_server, browser, viewport, tmp_path: Path) -> None:  # noqa: F811
    page = open_overview(browser, demo_server, viewport)
    drill(page, AKUTT)
    drill(page, "Akuttmottaket")
    assert here(page) == "Akuttmottaket"
    assert heatmap(page).count() == 7  # one row: the unit itself
    assert page.get_by_role("button", name="Akuttmottaket").count() == 0  # nothing below it to open
    legend = page.get_by_role("list", name="Nivå")
    labels = [item.inner_text().strip() for item in legend.get_by_role("listitem").all()]
    assert labels == ["1 Tilfeldig", "2 Organisert", "3 Formalisert", "4 Forebyggende", "5 Integrert"]
    for item in legend.get_by_role("listitem").all():  # each whole on the screen, none cut
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    table = page.locator("table[aria-label='Modenhet per enhet og dimensjon']").bounding_box()
    assert table is not None and table["x"] + table["width"] <= viewport["width"]
    page.locator("table[aria-label='Modenhet per enhet og dimensjon']").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / f"heatmap-{viewport['width']}.png"))
    page.context.close()


def test_chart_menus_are_in_the_users_language(demo_server, browser, tmp_path: Path) -> None:  # noqa: F811
    page = open_overview(browser, demo_server)
    page.get_by_role("button", name="Last ned figur").first.click()
    png = page.get_by_role("button", name="Som bilde (PNG)")
    svg = page.get_by_role("button", name="Som vektorgrafikk (SVG)")
    png.wait_for()
    assert svg.is_visible()
    page.screenshot(path=str(tmp_path / "figure-menu.png"))
    with page.expect_download() as saved:
        png.click()
    assert saved.value.suggested_filename == "modenhet-medisinsk-klinikk-2026-2027.png"
    assert Path(saved.value.path()).read_bytes().startswith(b"\x89PNG")
    page.keyboard.press("Escape")
    page.get_by_role("tab", name="Fordeling").click()  # a Vega-Lite chart: Streamlit's toolbar hidden
    drawn(page)
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    chart.wait_for()
    chart.hover()
    page.wait_for_timeout(500)
    for english in ("Show data", "Download as PNG", "Copy Vega-Lite spec"):
        assert not page.get_by_role("button", name=english).first.is_visible()
    page.context.close()


def row_names(page) -> list[str]:
    return [name.inner_text() for name in page.locator(f"{TABLE} th.name").all()]


def test_a_wide_heatmap_pages_and_orders_in_the_browser(wide_server, browser, tmp_path: Path) -> None:  # noqa: F811
    """More rows than a page: the rows are paged and ordered in the table itself, without a
    run of the page; the figure download has the rows on screen; a row still drills down."""
    page = open_overview(browser, wide_server, user="wide-manager")
    assert row_names(page) == [f"Enhet {n:02d}" for n in range(30)]
    assert page.get_by_text(f"Figuren viser 30 av {WIDE} rader om gangen").is_visible()
    rows = page.get_by_role("combobox", name="Rader")
    assert rows.locator("option").all_inner_texts() == [
        f"1–30 av {WIDE}: Enhet 00 – Enhet 29",
        f"31–{WIDE} av {WIDE}: Enhet 30 – Enhet 34",
    ]
    rows.select_option(label=f"31–{WIDE} av {WIDE}: Enhet 30 – Enhet 34")
    assert row_names(page) == [f"Enhet {n}" for n in range(30, WIDE)]  # at once, in the browser
    lowest = page.get_by_role("button", name="Lavest samlet skår først")
    lowest.click()
    assert lowest.get_attribute("aria-pressed") == "true"
    assert row_names(page)[:7] == [f"Enhet {n:02d}" for n in range(0, WIDE, 5)]  # level 1 first
    settle(page)  # the server hears of the rows on screen: the figure download has them
    page.get_by_role("combobox", name="Rader").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "wide-heatmap.png"))
    page.get_by_role("button", name="Last ned figur").first.click()
    with page.expect_download() as saved:
        page.get_by_role("button", name="Som vektorgrafikk (SVG)").click()
    svg = Path(saved.value.path()).read_text(encoding="utf-8")
    assert "Enhet 04" in svg and "Enhet 34" not in svg  # 30 lowest: the last level-5 units left out
    page.keyboard.press("Escape")
    page.locator(TABLE).get_by_role("button", name="Enhet 10", exact=True).click()
    drawn(page)
    assert here(page) == "Enhet 10"
    no_trouble(page)
    page.context.close()


@pytest.mark.parametrize("viewport", [{"width": 1400, "height": 1000}, {"width": 390, "height": 844}])
def test_the_first_tabs_draw_light_charts_that_fit(demo_server, browser, viewport, tmp_path: Path) -> None:  # noqa: F811
    """Progress over time opens on its lines and the roadmap on its bars (views/plots): each
    mark has a tooltip, the legend names every colour, and the chart fits the screen."""
    page = open_overview(browser, demo_server, viewport)
    for link, caption, legend, marks, expected in (
        ("progress", "Skår per dimensjon over tid", "Dimensjon", "circle", "Samlet"),
        ("roadmap", "Trinn nådd per syklus", "Trinn", "rect", "3.0 Forbedringseierskap"),
    ):
        if page.locator("[data-testid=stExpandSidebarButton]").is_visible():  # a phone: open the sidebar
            page.locator("[data-testid=stExpandSidebarButton]").click()
            page.wait_for_timeout(800)
        page.locator(f"a[href$='/{link}']").first.click()
        drawn(page)
        if viewport["width"] < 600 and page.locator("[data-testid=stSidebarCollapseButton]").is_visible():
            page.locator("[data-testid=stSidebarCollapseButton] button").click()
            page.wait_for_timeout(800)
        chart = page.get_by_role("img", name=re.compile(caption))
        chart.wait_for()
        assert chart.locator(marks).count() >= 5
        assert chart.locator(f"{marks} title").first.text_content()  # a tooltip on every mark
        entries = page.get_by_role("list", name=legend).get_by_role("listitem").all()
        assert expected in [entry.inner_text().strip() for entry in entries]
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        chart.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"{link}-{viewport['width']}.png"))
    no_trouble(page)
    page.context.close()
