"""The main flows in a real browser (Debian's Chromium through Playwright), clicking as a
user would: a whole consensus assessment with a reload half-way, and a workshop with
three participants in three browser contexts."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import make_engine, migrate, reading
from storage.tables import answer, assessment, workshop

from .conftest import APP, Clinic, make_clinic

playwright_api = pytest.importorskip("playwright.sync_api")


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Clinic]]:
    """The app served by `streamlit run` on a small clinic in a SQLite file."""
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    migrate(engine)
    clinic = make_clinic(engine)
    port = free_port()
    env = {**os.environ, "MATURITY_DATABASE_URL": url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            APP,
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the app did not start: " + process.stdout.read().decode())  # type: ignore[union-attr]
    try:
        yield base, clinic
    finally:
        process.terminate()
        process.wait(timeout=20)
        engine.dispose()


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def settle(page) -> None:
    """Wait until the app has finished its rerun."""
    page.wait_for_timeout(150)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.trim() === ''",
        timeout=30_000,
    )
    page.wait_for_timeout(100)


def sign_in(page, base: str, user: str, path: str) -> None:
    page.goto(base + "/")
    page.get_by_role("combobox", name="Logg inn som").click()
    page.get_by_role("option", name=re.compile(rf"\({re.escape(user)}\)")).click()
    settle(page)
    page.locator(f"a[href$='/{path}']").first.click()
    settle(page)


def answer_dimension(page, dimension, level: int) -> None:
    """Pick `level` (or yes) in every question of `dimension`, by clicking the option's text."""
    page.get_by_role("heading", name=dimension.label.get("nb")).wait_for()
    groups = page.locator("[data-testid='stRadio']")
    groups.nth(len(dimension.items) - 1).wait_for()
    settle(page)
    assert groups.count() == len(dimension.items)
    for index in range(groups.count()):
        option = groups.nth(index).locator("label").filter(has_text=re.compile(rf"^({level} – |Ja$)"))
        option.first.click()
        settle(page)
        assert option.first.locator("input").is_checked()


def saved_level(clinic: Clinic, item_id: str, expected: int, wait: float = 10.0) -> int | None:
    """The level stored for an item: the expected one as soon as the app's last save has
    landed, or what is there after `wait` seconds."""
    deadline = time.time() + wait
    while True:
        with reading(clinic.engine) as connection:
            level = connection.execute(select(answer.c.level).where(answer.c.item_id == item_id)).scalar()
        if level == expected or time.time() > deadline:
            return level
        time.sleep(0.1)


def answered(clinic: Clinic, respondent: str) -> int:
    with reading(clinic.engine) as connection:
        return connection.execute(
            select(func.count())
            .select_from(answer)
            .join(assessment, assessment.c.id == answer.c.assessment_id)
            .where(assessment.c.respondent == respondent)
        ).scalar_one()


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
    checked = page.locator("[data-testid='stRadio'] input[type='radio']:checked")
    assert checked.count() == len(dimensions[2].items)
    page.get_by_role("button", name="Neste dimensjon →").click()
    settle(page)
    for step in range(3, 6):
        answer_dimension(page, dimensions[step], level=4)
        if step < 5:
            page.get_by_role("button", name="Neste dimensjon →").click()
            settle(page)
    page.get_by_role("button", name="Send inn vurderingen").click()
    settle(page)
    page.get_by_role("heading", name="Resultat og tiltak").wait_for()
    page.get_by_text("Profil per dimensjon").wait_for()
    assert answered(clinic, "leader-a") == len(clinic.questionnaire.items())
    with reading(clinic.engine) as connection:
        assert connection.execute(select(assessment.c.status)).scalar_one() == "submitted"


def test_workshop_with_three_participants(server, browser) -> None:
    base, clinic = server
    leader_context = browser.new_context(viewport={"width": 1280, "height": 900})
    leader = leader_context.new_page()
    sign_in(leader, base, "leader-a", "workshop")
    leader.get_by_role("button", name="Start et arbeidsmøte").click()
    settle(leader)
    with reading(clinic.engine) as connection:
        code = connection.execute(select(workshop.c.code)).scalar_one()
    leader.get_by_text(f"Kode: {code}").wait_for()

    for n, level in enumerate((2, 3, 5)):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)  # a phone
        phone = context.new_page()
        phone.goto(f"{base}/?ws={code}")
        settle(phone)
        phone.get_by_text("Svar for deg selv").wait_for()
        for step, dimension in enumerate(clinic.questionnaire.dimensions):
            answer_dimension(phone, dimension, level)
            if step < len(clinic.questionnaire.dimensions) - 1:
                phone.get_by_role("button", name="Neste dimensjon →").click()
                settle(phone)
        phone.get_by_role("button", name="Send inn vurderingen").click()
        settle(phone)
        phone.get_by_text("Takk! Svarene dine er sendt inn.").wait_for()
        context.close()
        if n == 1:
            leader.reload()
            sign_in(leader, base, "leader-a", "workshop")
            leader.get_by_text("minst 3 deltakere har sendt inn (nå 2)").wait_for()

    leader.reload()
    sign_in(leader, base, "leader-a", "workshop")
    leader.get_by_text("Deltakernes vurderinger (3 deltakere): 2: 1, 3: 1, 5: 1").first.wait_for()
    leader.get_by_role("button", name="Avslutt arbeidsmøtet").click()
    settle(leader)
    late = browser.new_page()
    late.goto(f"{base}/?ws={code}")
    late.get_by_text("Koden eller lenken virker ikke").wait_for()
    with reading(clinic.engine) as connection:
        statuses = (
            connection.execute(select(assessment.c.status).where(assessment.c.mode == "individual"))
            .scalars()
            .all()
        )
        status = connection.execute(select(workshop.c.status)).scalar_one()
    assert sorted(statuses) == ["submitted"] * 3 and status == "closed"


def test_the_form_works_by_keyboard(server, browser) -> None:
    """A radio group takes focus with Tab and changes with the arrow keys; each change is saved."""
    base, clinic = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "leader-a", "assess")
    page.get_by_role("button", name="Start eller fortsett vurderingen").click()
    settle(page)
    first = page.locator("[data-testid='stRadio']").first
    first.wait_for()
    first.locator("input[type='radio']").first.focus()
    page.keyboard.press("Space")
    settle(page)
    page.keyboard.press("ArrowDown")
    settle(page)
    page.keyboard.press("ArrowDown")
    settle(page)
    assert saved_level(clinic, "LA1", expected=3) == 3
    assert first.locator("input[type='radio']").nth(2).is_checked()
