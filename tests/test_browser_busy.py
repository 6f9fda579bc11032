"""A busy database in a real browser: another process holds SQLite's write lock for longer
than the app's busy timeout while a leader answers. The answer stays as given with a calm
notice, and is saved by itself once the lock is gone, without another click."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.db import make_engine, migrate

from .browserkit import QUESTIONS, browser, evidence, no_trouble, saved_level, serve, settle, sign_in
from .conftest import make_clinic

__all__ = ["browser"]  # fixtures

BUSY_TIMEOUT_MS = 1000
HOLD = BUSY_TIMEOUT_MS / 1000 + 3  # seconds: the lock outlasts the busy timeout by three seconds
HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


def test_an_answer_given_while_another_process_holds_the_lock_is_saved_without_another_click(
    tmp_path: Path, browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATURITY_BUSY_TIMEOUT_MS", str(BUSY_TIMEOUT_MS))  # the served app's
    path = tmp_path / "busy.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    clinic = make_clinic(engine)
    with serve(f"sqlite:///{path}", tmp_path / "server.log") as base, evidence(browser, "busy"):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, "leader-a", "assess")
        page.get_by_role("button", name="Start eller fortsett vurderingen").click()
        settle(page)
        first = page.locator(QUESTIONS).first
        first.wait_for()
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path), str(HOLD)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            started = time.monotonic()
            option = first.get_by_role("radio", name=re.compile(r"^3 – "))
            option.click()
            notice = page.get_by_text("Databasen er opptatt et øyeblikk")
            notice.wait_for(timeout=10_000)
            stored = saved_level(clinic, "LA1", 3, wait=0)
            still_held = holder.poll() is None  # after the read: the read was made under the lock
            assert option.is_checked()
            assert page.get_by_text("0 av 28 spørsmål besvart").count() == 1
            no_trouble(page)
            assert page.locator("[data-testid='stAlertContentError']").count() == 0
        finally:
            holder.wait(timeout=30)
        assert still_held and stored is None, (still_held, stored)
        assert saved_level(clinic, "LA1", 3, wait=15) == 3  # no click since the answer
        notice.wait_for(state="detached", timeout=10_000)
        page.get_by_text("1 av 28 spørsmål besvart").wait_for(timeout=10_000)
        assert time.monotonic() - started >= HOLD - 1
        assert option.is_checked()
        no_trouble(page)
    engine.dispose()
