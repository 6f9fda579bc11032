"""What the browser tests share: the app served by `streamlit run` on a small clinic, Debian's
Chromium through Playwright, and helpers that act as a user would (click, wait for the app)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import make_engine, migrate, reading
from storage.tables import answer, assessment

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


SERVER_LOGS: list[Path] = []  # the app's output, for the evidence of a failure


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Clinic]]:
    """The app served by `streamlit run` on a small clinic in a SQLite file."""
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    migrate(engine)
    clinic = make_clinic(engine)
    with serve(url, tmp_path / "server.log") as base:
        yield base, clinic
    engine.dispose()


@contextlib.contextmanager
def serve(url: str, log: Path, *options: str, port: int | None = None) -> Iterator[str]:
    """`streamlit run app.py` on `url` at `port` (default a free one) with Streamlit's
    `options`, its output in `log`, until the block ends; yields the app's address once its
    health check answers."""
    port = port or free_port()
    SERVER_LOGS.append(log)
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
            *options,
        ],
        env={**os.environ, "MATURITY_DATABASE_URL": url},
        stdout=log.open("wb"),
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
        pytest.fail("the app did not start: " + log.read_text(errors="replace"))
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


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
    """Wait until the app has finished its rerun (Streamlit marks the app root while a script
    runs). Callers still wait for what they expect to see: a rerun may not have begun yet."""
    page.wait_for_timeout(150)
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') !== 'running'; }",
        timeout=30_000,
    )
    page.wait_for_timeout(100)


def no_trouble(page) -> None:
    """Nothing a user should never see: Streamlit's "page not found" dialog, an exception box."""
    assert page.get_by_text("Page not found").count() == 0, "a 'Page not found' dialog"
    assert page.locator("[data-testid='stException']").count() == 0, "an exception on the page"
    assert page.get_by_text("Traceback").count() == 0


def sign_in(page, base: str, user: str, path: str) -> None:
    page.goto(base + "/")
    page.get_by_role("combobox", name="Logg inn som").click()
    page.get_by_role("option", name=re.compile(rf"\({re.escape(user)}\)")).click()
    settle(page)
    page.locator(f"a[href$='/{path}']").first.click()
    settle(page)


QUESTIONS = "section.item"  # one question of the form's step (views/assets/sheet.js)


def answer_dimension(page, dimension, level: int) -> None:
    """Pick `level` (or yes) in every question of `dimension`, by clicking the option's text."""
    page.get_by_role("heading", name=dimension.label.get("nb")).wait_for()
    questions = page.locator(QUESTIONS)
    questions.nth(len(dimension.items) - 1).wait_for()
    settle(page)
    assert questions.count() == len(dimension.items)
    for index in range(questions.count()):
        option = questions.nth(index).get_by_role("radio", name=re.compile(rf"^({level} – |Ja$)"))
        option.first.click()
        settle(page)
        assert option.first.is_checked()


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


@contextlib.contextmanager
def evidence(browser, name: str) -> Iterator[None]:
    """On a failure, a screenshot of every open page (in MATURITY_SCREENSHOTS, else the
    temporary folder), named in the failure's message."""
    try:
        yield
    except BaseException as failure:
        folder = Path(os.environ.get("MATURITY_SCREENSHOTS") or tempfile.gettempdir()) / f"failed-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        for c, context in enumerate(browser.contexts):
            for p, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(folder / f"context{c}-page{p}.png"))
                    text = page.locator("[data-testid='stMain']").inner_text(timeout=2000)
                    (folder / f"context{c}-page{p}.txt").write_text(text, encoding="utf-8")
        if SERVER_LOGS and SERVER_LOGS[-1].exists():
            shutil.copy(SERVER_LOGS[-1], folder / "server.log")
        failure.add_note(f"screenshots of every page and the app's log: {folder}")
        raise
