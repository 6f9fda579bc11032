"""Administrasjon → Utsending in Chromium: the administrator sends the cycle's invitations, the
message arrives at a local SMTP server, and its link opens the app's self-assessment page."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import make_engine, migrate
from storage.definitions import create_cycle

from . import smtpkit
from .browserkit import browser, evidence, free_port, no_trouble, serve, settle, sign_in  # noqa: F401
from .conftest import make_clinic
from .smtpkit import Inbox, text_of

inbox = smtpkit.inbox  # the local SMTP server, a fixture
KARI = "kari@sykehus.test"


def test_invitations_go_out_and_their_link_opens_the_self_assessment(
    tmp_path: Path,
    browser,  # noqa: F811
    inbox: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    migrate(engine)
    make_clinic(engine)
    today = dt.date.today()
    create_cycle(
        engine,
        SYSTEM,
        f"{today.year}/{today.year + 1}",
        today - dt.timedelta(days=10),
        today + dt.timedelta(days=300),
        deadline=today + dt.timedelta(days=30),
    )
    upsert_user(engine, SYSTEM, KARI, "Kari Nordmann", [Grant("leader", "a"), Grant("leader", "b")])
    engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    for name, value in {
        "MATURITY_SMTP_HOST": "127.0.0.1",
        "MATURITY_SMTP_PORT": str(inbox.port),
        "MATURITY_SMTP_SECURITY": "none",
        "MATURITY_SMTP_FROM": "Forbedringsmodenhet <modenhet@sykehus.test>",
        "MATURITY_PUBLIC_URL": base,
    }.items():
        monkeypatch.setenv(name, value)

    with serve(url, tmp_path / "server.log", port=port), evidence(browser, "campaign"):
        admin = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        sign_in(admin, base, "admin", "admin")
        admin.get_by_role("tab", name="Utsending").click()
        send = admin.get_by_role("button", name="Send invitasjon til 1 leder")
        send.click()
        admin.get_by_text("Invitasjonen er sendt til 1 leder.").wait_for()
        settle(admin)
        no_trouble(admin)
        if folder := os.environ.get("MATURITY_SCREENSHOTS"):
            admin.screenshot(path=str(Path(folder) / "utsending.png"), full_page=True)

        (message,) = inbox.wait_for(1)
        assert message["To"].addresses[0].addr_spec == KARI
        links = re.findall(r"^https?://\S+$", text_of(message), re.MULTILINE)
        assert links == [f"{base}/assess"]

        leader = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        leader.goto(links[0])
        leader.get_by_role("heading", name="Egenvurdering").wait_for()
        settle(leader)
        no_trouble(leader)
