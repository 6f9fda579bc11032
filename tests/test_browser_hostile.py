"""Text that users typed or imported, made to attack: HTML with a script and an image,
Markdown images and links, a spreadsheet formula. Put into every kind of field a user fills
(a unit's name from org.yaml, a user's name, answers' comments and evidence, an action's
"what" and "who", an advisor's return comment), then every page is opened in Chromium as
the people who see those fields. Nothing may run, load or link: no request to the attacker's
host, no script, no link or image of theirs in the page; the text shows as written. The
exports keep it as text too, with the formula neutralised."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from storage import assessments as svc
from storage.access import SYSTEM, Grant, upsert_user
from storage.db import make_engine, migrate
from storage.org import parse_org_yaml, sync_org
from storage.planning import add_action_item
from storage.transfer import csv_bytes, export_results, xlsx_bytes

from .browserkit import browser, no_trouble, serve, settle
from .conftest import SMALL_ORG, Clinic, full_answers, make_clinic

__all__ = ["browser"]

EVIL = "evil.invalid"
PAYLOAD = (
    f'<img src="http://{EVIL}/img.png" onerror="window.__pwned=1">'
    "<script>window.__pwned=1</script>"
    f" ![bilde](http://{EVIL}/md.png) [klikk her](http://{EVIL}/link) **fet** "
    f'=HYPERLINK("http://{EVIL}/x";"x")'
)
UNIT_NAME = "Post A <script>x</script>"  # at most 200 characters, as a unit's name must be


def hostile(field: str) -> str:
    return f"{field}: {PAYLOAD}"


@pytest.fixture
def hostile_server(tmp_path: Path) -> Iterator[tuple[str, Clinic]]:
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    engine = make_engine(url)
    migrate(engine)
    clinic = make_clinic(engine)
    org = SMALL_ORG.replace("{nb: Post A, en: Ward A}", "{nb: '" + UNIT_NAME + "', en: '" + UNIT_NAME + "'}")
    sync_org(engine, SYSTEM, parse_org_yaml(org), on=dt.date(2020, 6, 1))
    upsert_user(engine, SYSTEM, "leader-a", hostile("name")[:200], [Grant("leader", "a")])
    leader_a, leader_c, advisor = (clinic.actor(n) for n in ("leader-a", "leader-c", "advisor"))
    answers = [
        dataclasses.replace(a, comment=hostile("comment"), evidence=hostile("evidence"))
        for a in full_answers(clinic.questionnaire, level=3)
    ]
    for leader, unit in ((leader_a, "a"), (leader_c, "c")):
        assessment_id = svc.start_assessment(engine, leader, unit, clinic.cycle_id)
        version = svc.save_answers(engine, leader, assessment_id, 1, answers)
        version = svc.submit_assessment(engine, leader, assessment_id, version)
        if unit == "c":
            svc.return_assessment(engine, advisor, assessment_id, version, hostile("returned"))
    add_action_item(engine, leader_a, "a", clinic.cycle_id, hostile("what"), who=hostile("who")[:200])
    with serve(url, tmp_path / "server.log") as base:
        yield base, clinic
    engine.dispose()


def inert(page, visited: list[str]) -> None:
    """Nothing of the payload runs, loads or links on the page as it is now."""
    settle(page)
    no_trouble(page)
    assert page.evaluate("() => window.__pwned") is None, visited[-1]
    found = page.evaluate(
        """evil => {
        const shadows = [...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(Boolean);
        const tags = 'a[href], img[src], script, iframe, [onerror]';
        const all = [document, ...shadows].flatMap(r => [...r.querySelectorAll(tags)]);
        const theirs = e => (e.getAttribute('href') || e.getAttribute('src') || '').includes(evil)
            || e.hasAttribute('onerror') || (e.tagName === 'SCRIPT' && e.textContent.includes('__pwned'));
        return all.filter(theirs).map(e => {
            const where = e.closest('[data-testid]');
            const context = where ? where.getAttribute('data-testid') + ': ' + where.innerText.slice(0, 80)
                                  : '';
            return context + ' | ' + e.outerHTML.slice(0, 100);
        });
    }""",
        EVIL,
    )
    assert found == [], (visited[-1], found)


def visit_every_page(page, base: str, user: str) -> list[str]:
    """Sign in as `user` through the sidebar and open every page in their menu, and every
    tab of a dashboard; returns the pages visited."""
    page.goto(base + "/")
    page.get_by_role("combobox", name="Logg inn som").click()
    page.get_by_role("option", name=re.compile(rf"\({re.escape(user)}\)")).click()
    visited = ["Start"]
    inert(page, visited)
    menu = page.get_by_role("navigation", name="Sider")
    titles = [text.split("\n")[-1] for text in menu.get_by_role("link").all_inner_texts()]
    for title in titles:
        menu.get_by_role("link", name=title, exact=True).click()
        visited.append(title)
        inert(page, visited)
        tabs = page.get_by_role("tab")
        for index in range(tabs.count()):
            tabs.nth(index).click()
            visited.append(f"{title} / {tabs.nth(index).inner_text()}")
            inert(page, visited)
    return visited


@pytest.mark.parametrize("user", ["admin", "leader-a", "leader-c", "advisor"])
def test_typed_and_imported_text_is_inert_on_every_page(hostile_server, browser, user: str) -> None:
    base, _ = hostile_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    visited = visit_every_page(page, base, user)
    assert len(visited) >= 3
    assert [url for url in requests if EVIL in url] == []
    if user == "leader-c":  # the advisor's return comment, on the form, as written
        page.get_by_role("navigation", name="Sider").get_by_role(
            "link", name="Egenvurdering", exact=True
        ).click()
        settle(page)
        assert page.get_by_text("returned: <img src=", exact=False).count() >= 1
    if user == "leader-a":  # the action's text and the unit's name, as written
        page.get_by_role("navigation", name="Sider").get_by_role(
            "link", name="Resultat og tiltak", exact=True
        ).click()
        settle(page)
        assert page.get_by_text("what: <img src=", exact=False).count() >= 1
        assert page.get_by_text(UNIT_NAME, exact=False).count() >= 1


def test_exports_keep_typed_text_as_text_with_formulas_neutralised(tmp_path: Path) -> None:
    """A unit named as a spreadsheet formula reaches the results export as text: in the CSV
    and the Excel file alike its cell starts with an apostrophe, not with "="."""
    engine = make_engine(f"sqlite:///{tmp_path / 'export.db'}")
    migrate(engine)
    clinic = make_clinic(engine)
    formula = f'=HYPERLINK("http://{EVIL}/x";"x")'
    org = SMALL_ORG.replace("{nb: Post A, en: Ward A}", "{nb: '" + formula + "', en: '" + formula + "'}")
    sync_org(engine, SYSTEM, parse_org_yaml(org), on=dt.date(2020, 6, 1))
    leader = clinic.actor("leader-a")
    assessment_id = svc.start_assessment(engine, leader, "a", clinic.cycle_id)
    version = svc.save_answers(engine, leader, assessment_id, 1, full_answers(clinic.questionnaire))
    svc.submit_assessment(engine, leader, assessment_id, version)
    frame = export_results(engine, SYSTEM, None)
    files = {
        "csv": pd.read_csv(io.BytesIO(csv_bytes(frame)), dtype=str, keep_default_na=False),
        "xlsx": pd.read_excel(io.BytesIO(xlsx_bytes(frame, "Resultater")), dtype=str, keep_default_na=False),
    }
    for kind, read in files.items():
        cells = [str(v) for v in read.to_numpy().ravel()]
        assert "'" + formula in cells, kind  # there, as text
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells), kind
    engine.dispose()
