"""Text that users typed or imported, made to attack: HTML with a script and an image,
Markdown images and links, a spreadsheet formula. Put into every kind of field a user fills
(units' names from org.yaml, a user's name, answers' comments and evidence, an action's
"what" and "who", an advisor's return comment, a workshop's agreed rationale) or imports
(an answers CSV's respondent, role and comments), then every page is opened in Chromium as
the people who see those fields. Nothing may run, load or link: no request to the attacker's
host, no script, no link or image of theirs in the page; the text shows as written. The
exports and every table the pages offer to download keep it as text too, with the formula
neutralised."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine

from storage import assessments as svc
from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import make_engine, migrate
from storage.definitions import create_cycle, set_cycle_status
from storage.importing import apply_import, plan_import
from storage.org import parse_org_yaml, sync_org
from storage.planning import add_action_item
from storage.transfer import FORMULA_START, csv_bytes, export_results, xlsx_bytes
from storage.workshops import join, reveal, save_ratings, start_workshop, submit_rating

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
FORMULA = f'=HYPERLINK("http://{EVIL}/x";"x")'
# Units' names, at most 200 characters as a unit's name must be: HTML, Markdown, a formula.
UNIT_NAME = "Post A <script>x</script> **fet**"
UNIT_B_NAME = FORMULA  # every download that names units must neutralise it
UNIT_C_NAME = f'Post C <img src="http://{EVIL}/c.png" onerror="window.__pwned=1"> ![c](http://{EVIL}/c.png)'
RATIONALE = f"rationale: {PAYLOAD}"  # what the workshop on unit c agreed, item by item
IMPORTED = f"{FORMULA} imported: {PAYLOAD}"  # the comment of every answer in the imported CSV
RESPONDENT = f"respondent: {PAYLOAD}"[:100]  # the imported assessment's respondent (100 at most)


def hostile(field: str) -> str:
    return f"{field}: {PAYLOAD}"


@dataclasses.dataclass
class Hostile:
    """The hostile clinic: its units and people, and the workshop on unit c, revealed and
    with its rationale recorded: its participants' link token and one participant's secret."""

    clinic: Clinic
    token: str
    secret: str


def hostile_clinic(url: str) -> Hostile:
    """The small clinic in a new database at `url`, with hostile text in every field: unit a
    and c sent in (c sent back by the advisor, then rated in a workshop whose agreed
    rationale is hostile), unit b imported from an answers CSV with hostile respondent, role
    and comments, and unit a's action plan with hostile text (one action starts with a
    formula). Units a and b have results in the closed cycle before too, so that the pages
    compare cycles and list the units that moved."""
    engine = make_engine(url)
    migrate(engine)
    clinic = make_clinic(engine)
    org = SMALL_ORG
    for plain_name, name in (("Post A, en: Ward A", UNIT_NAME), ("Post B, en: Ward B", UNIT_B_NAME)):
        org = org.replace("{nb: " + plain_name + "}", "{nb: '" + name + "', en: '" + name + "'}")
    org = org.replace("{nb: Post C, en: Ward C}", "{nb: '" + UNIT_C_NAME + "', en: '" + UNIT_C_NAME + "'}")
    sync_org(engine, SYSTEM, parse_org_yaml(org), on=dt.date(2020, 6, 1))
    upsert_user(engine, SYSTEM, "leader-a", hostile("name")[:200], [Grant("leader", "a")])
    leader_a, leader_c, advisor = (clinic.actor(n) for n in ("leader-a", "leader-c", "advisor"))
    answers = [
        dataclasses.replace(a, comment=hostile("comment"), evidence=hostile("evidence"))
        for a in full_answers(clinic.questionnaire, level=3)
    ]
    earlier = create_cycle(engine, SYSTEM, "2023/2024", dt.date(2023, 9, 1), dt.date(2024, 9, 1))
    before = svc.start_assessment(engine, leader_a, "a", earlier)
    version = svc.save_answers(engine, leader_a, before, 1, full_answers(clinic.questionnaire, level=2))
    svc.submit_assessment(engine, leader_a, before, version)
    import_answers(engine, clinic)
    set_cycle_status(engine, SYSTEM, earlier, "closed")
    ids = {}
    for leader, unit in ((leader_a, "a"), (leader_c, "c")):
        ids[unit] = svc.start_assessment(engine, leader, unit, clinic.cycle_id)
        version = svc.save_answers(engine, leader, ids[unit], 1, answers)
        version = svc.submit_assessment(engine, leader, ids[unit], version)
        if unit == "c":
            svc.return_assessment(engine, advisor, ids[unit], version, hostile("returned"))
    add_action_item(engine, leader_a, "a", clinic.cycle_id, hostile("what"), who=hostile("who")[:200])
    add_action_item(engine, leader_a, "a", clinic.cycle_id, f"{FORMULA} what", who=FORMULA)
    token, secret = agree_in_workshop(engine, clinic, ids["c"])
    return Hostile(clinic, token, secret)


def import_answers(engine: Engine, clinic: Clinic) -> None:
    """Unit b's answers in two cycles (level 2, then 3), imported by the administrator from
    a CSV as the import reads it: one respondent named with hostile text, and a hostile role
    and comment on every answer."""
    rows = [
        {
            "unit": "b",
            "cycle": label,
            "respondent": RESPONDENT,
            "item": item.id,
            "answer": str(level) if item.scored else "ja",
            "comment": IMPORTED,
            "role": hostile("role")[:50],
        }
        for label, level in (("2023/2024", 2), ("2024/2025", 3))
        for item in clinic.questionnaire.items()
    ]
    source = io.BytesIO(pd.DataFrame(rows).to_csv(index=False).encode("utf-8"))
    admin = clinic.actor("admin")
    plan = plan_import(engine, admin, source, "hostile.csv")
    assert plan.summary["assessments_created"] == 2
    apply_import(engine, admin, plan)


def agree_in_workshop(engine: Engine, clinic: Clinic, consensus_id: int) -> tuple[str, str]:
    """Unit c's leader holds a workshop on the assessment sent back: three phones rate and
    send in, the leader reveals, and records the agreed answers with a hostile rationale.
    The workshop stays open on the agreement. Returns its token and one participant's secret."""
    leader = clinic.actor("leader-c")
    opened = start_workshop(engine, leader, "c", clinic.cycle_id, expected=3)
    assert opened.consensus_assessment_id == consensus_id
    token, secrets = opened.token or "", []
    for level in (2, 3, 4):
        secret, _ = join(engine, token)
        save_ratings(engine, token, secret, full_answers(clinic.questionnaire, level=level))
        submit_rating(engine, token, secret)
        secrets.append(secret)
    reveal(engine, leader, opened.id)
    view = svc.get_assessment(engine, leader, consensus_id)
    agreed = [
        dataclasses.replace(a, comment=RATIONALE, evidence=hostile("evidence"))
        for a in full_answers(clinic.questionnaire, level=3)
    ]
    svc.save_answers(engine, leader, consensus_id, view.row_version, agreed)
    return token, secrets[0]


@pytest.fixture
def hostile_server(tmp_path: Path) -> Iterator[tuple[str, Hostile]]:
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    made = hostile_clinic(url)
    with serve(url, tmp_path / "server.log") as base:
        yield base, made
    made.clinic.engine.dispose()


def inert(page, visited: list[str]) -> None:
    """Nothing of the payload runs, loads or links on the page as it is now, and Streamlit's
    own table toolbar offers no CSV of its own (it would write formulas as they are)."""
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
    assert page.get_by_role("button", name="Download as CSV").count() == 0, visited[-1]


DOWNLOAD_MENUS = re.compile(r"(Last ned tabell|Last ned figur eller tabell)$")


def download_tables(page) -> dict[str, bytes]:
    """Every table the page as it is now offers to download, in CSV and in Excel, and the
    figure as SVG where a menu offers figure and table: file name -> the file's bytes."""
    files = {}
    menus = page.get_by_role("button", name=DOWNLOAD_MENUS)
    for index in range(menus.count()):
        if not menus.nth(index).is_visible():
            continue
        with_figure = "figur eller tabell" in menus.nth(index).inner_text()
        menus.nth(index).click()
        for label in ("Last ned CSV", "Last ned Excel", *(["Som vektorgrafikk (SVG)"] * with_figure)):
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name=label).filter(visible=True).first.click()
            files[download.value.suggested_filename] = Path(download.value.path()).read_bytes()
        page.keyboard.press("Escape")
        settle(page)
    return files


def visit_every_page(
    page, base: str, user: str, downloads: bool = False
) -> tuple[list[str], dict[str, bytes]]:
    """Sign in as `user` through the sidebar and open every page in their menu, and every
    tab of a dashboard (the list of units showing all of them); returns the pages visited
    and, with `downloads`, every table file the pages offered (see `download_tables`)."""
    page.goto(base + "/")
    page.get_by_role("combobox", name="Logg inn som").click()
    page.get_by_role("option", name=re.compile(rf"\({re.escape(user)}\)")).click()
    visited = ["Start"]
    inert(page, visited)
    files: dict[str, bytes] = {}
    menu = page.get_by_role("navigation", name="Sider")
    titles = [text.split("\n")[-1] for text in menu.get_by_role("link").all_inner_texts()]
    for title in titles:
        menu.get_by_role("link", name=title, exact=True).click()
        visited.append(title)
        inert(page, visited)
        tabs = page.get_by_role("tab")
        for index in range(max(tabs.count(), 1)):
            if tabs.count():
                tabs.nth(index).click()
                visited.append(f"{title} / {tabs.nth(index).inner_text()}")
                inert(page, visited)
            every_unit = page.get_by_role("radiogroup", name="Vis enhetene som").get_by_role(
                "radio", name="alle"
            )
            if every_unit.count():  # with its help, which names the node, open
                page.get_by_role("button", name="Help for Vis enhetene som").hover()
                every_unit.click()
                visited.append(f"{visited[-1]} / alle")
                inert(page, visited)
            if downloads:
                files |= download_tables(page)
    return visited, files


def cells(name: str, data: bytes) -> list[str]:
    """Every cell of a downloaded table, its header too, as text."""
    if name.endswith(".csv"):
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, header=None)
    else:
        frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, header=None)
    return [str(v) for v in frame.to_numpy().ravel()]


def runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet would take the text of a cell as a formula: it starts with
    = + - @ (or a tab or a carriage return) and is not a number."""
    try:
        float(cell)
        return False
    except ValueError:
        return cell.startswith(FORMULA_START)


def excel_formulas(data: bytes) -> list[str]:
    """The cells an Excel file holds as formulas (openpyxl writes a text with "=" first as one)."""
    sheets = openpyxl.load_workbook(io.BytesIO(data))
    return [c.coordinate for sheet in sheets for row in sheet.iter_rows() for c in row if c.data_type == "f"]


# The tables each user is offered (file names up to their first "-"), each in CSV and in
# Excel, and the heatmap's figure ("modenhet") in SVG.
TABLES = {
    "oversikt",
    "innsending",
    "enheter",
    "utvikling",
    "endring",
    "enhetsprofil",
    "kommentarer",
    "veikart",
}
FILES = {(kind, ext) for kind in TABLES for ext in ("csv", "xlsx")} | {("modenhet", "svg")}
DOWNLOADS = {"manager-s1": FILES, "leader-a": FILES | {("tiltak", "csv"), ("tiltak", "xlsx")}}
# The units' names in every table of units: both of s1's for its manager (b's neutralised),
# unit a's for its leader. The comments of the profile's first unit: b's imported ones
# (neutralised) for the manager, a's typed ones for its leader.
UNIT_NAMES = {"manager-s1": {"'" + FORMULA, UNIT_NAME}, "leader-a": {UNIT_NAME}}
COMMENTS = {"manager-s1": {"'" + IMPORTED}, "leader-a": {hostile("comment"), hostile("evidence")}}


@pytest.mark.parametrize("user", ["admin", "manager-s1", "leader-a", "leader-c", "advisor"])
def test_typed_and_imported_text_is_inert_on_every_page(hostile_server, browser, user: str) -> None:
    """Every page `user` may open, inert; and for a manager and a leader every table the
    pages offer to download, with the text as written and no formula that would run."""
    base, _ = hostile_server
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    visited, files = visit_every_page(page, base, user, downloads=user in DOWNLOADS)
    assert len(visited) >= 3
    assert [url for url in requests if EVIL in url] == []
    menu = page.get_by_role("navigation", name="Sider")
    if user == "leader-c":  # the advisor's return comment, on the form, as written
        menu.get_by_role("link", name="Egenvurdering", exact=True).click()
        settle(page)
        assert page.get_by_text("returned: <img src=", exact=False).count() >= 1
        # the workshop's agreed rationale, in its fields as written, and the confirmation
        menu.get_by_role("link", name="Arbeidsmøte", exact=True).click()
        settle(page)
        fields = page.locator("section.item textarea")
        fields.first.wait_for()
        assert RATIONALE in [fields.nth(i).input_value() for i in range(fields.count())]
        page.get_by_role("button", name="Se over og send inn").click()
        inert(page, [*visited, "Arbeidsmøte / Se over og send inn"])
        assert page.get_by_text("Post C <img src=", exact=False).count() >= 1
    if user == "advisor":  # validating unit a's assessment: the message names it as written
        menu.get_by_role("link", name="Validering", exact=True).click()
        settle(page)
        page.locator("[data-testid='stExpander'] summary").filter(has_text=UNIT_NAME).click()
        page.get_by_role("button", name="Valider", exact=True).click()
        page.get_by_text("er validert.", exact=False).wait_for()
        inert(page, [*visited, "Validering / Valider"])
        assert page.get_by_text(f"Vurderingen for {UNIT_NAME} er validert.").count() == 1
    if user == "leader-a":  # the action's text and the unit's name, as written
        menu.get_by_role("link", name="Resultat og tiltak", exact=True).click()
        settle(page)
        assert page.get_by_text("what: <img src=", exact=False).count() >= 1
        assert page.get_by_text(UNIT_NAME, exact=False).count() >= 1
    if user not in DOWNLOADS:
        return
    offered = {(name.split("-")[0], name.rsplit(".", 1)[-1]) for name in files}
    assert offered == DOWNLOADS[user], sorted(files)
    tables = {name: cells(name, data) for name, data in files.items() if not name.endswith(".svg")}
    for name, table in tables.items():
        assert [c for c in table if runs_as_formula(c)] == [], name
        if name.endswith(".xlsx"):
            assert excel_formulas(files[name]) == [], name
    for name, table in tables.items():
        kind = name.split("-")[0]
        if kind in ("oversikt", "enheter", "endring"):
            assert UNIT_NAMES[user] <= set(table), (name, table)
        if kind == "tiltak":
            assert {hostile("what"), f"'{FORMULA} what", "'" + FORMULA} <= set(table), name
        if kind == "kommentarer":
            assert COMMENTS[user] <= set(table), name
    (svg,) = [data.decode("utf-8") for name, data in files.items() if name.endswith(".svg")]
    assert "<script" not in svg and f'href="http://{EVIL}' not in svg
    assert "Post A &lt;script&gt;x&lt;/script&gt;" in svg


def test_a_participant_sees_the_unit_name_as_written(hostile_server, browser) -> None:
    """On a phone, a participant of unit c's workshop sees the revealed distribution under
    the unit's name, as written."""
    base, made = hostile_server
    page = browser.new_page(viewport={"width": 390, "height": 844})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/delta?ws={made.token}&p={made.secret}")
    page.get_by_text("3 deltakere har svart", exact=False).wait_for()
    inert(page, ["participant"])
    assert page.get_by_text("Vurdering av Post C <img src=", exact=False).count() == 1
    assert [url for url in requests if EVIL in url] == []


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
