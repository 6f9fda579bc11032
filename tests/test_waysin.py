"""Who may reach the app without a sign-in configured (views/waysin.py, DESIGN.md section 9):
local mode listens on this machine only; there the person at the machine is the
administrator, and demo data adds the "sign in as" picker; opened to a network, only workshop
participation is open until the console's token is shown."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from streamlit import config
from streamlit.testing.v1 import AppTest

from storage.db import make_engine, migrate, writing
from storage.tables import setting
from views import waysin

from .browserkit import chromium, playwright_api, serve, settle
from .conftest import APP, make_clinic, menu_titles

ROOT = Path(__file__).resolve().parent.parent
PICKER = "Logg inn som"
LOCKED = "Appen er åpnet for nettverket uten innlogging"


@contextlib.contextmanager
def server_address(address: str | None) -> Iterator[None]:
    """The app under test as if started with --server.address `address`."""
    before = config.get_option("server.address")
    config.set_option("server.address", address)
    waysin._token.clear()
    try:
        yield
    finally:
        config.set_option("server.address", before)
        waysin._token.clear()


def without_demo_data() -> None:
    """The test clinic as a real organisation: no demo marker, so no "sign in as" picker."""
    engine = make_engine(os.environ["MATURITY_DATABASE_URL"])
    with writing(engine) as connection:
        connection.execute(delete(setting).where(setting.c.key == "demo"))
    engine.dispose()


def labels(at: AppTest) -> list[str]:
    return [box.label for box in at.selectbox]


def sidebar_text(at: AppTest) -> str:
    return "\n".join(caption.value for caption in at.sidebar.caption).replace("\\", "")  # as shown


@pytest.mark.parametrize(
    ("address", "expected"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.1.1", True)]
    + [("0.0.0.0", False), ("", False), (None, False), ("10.2.3.4", False), ("::", False)],
)
def test_only_a_loopback_address_is_this_machine_only(address: str | None, expected: bool) -> None:
    assert waysin.this_machine_only(address if address is not None else "") is expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [(None, "local"), ("", "local"), ("demo", "local"), ("local", "local")]
    + [("header", "header"), ("oidc", "oidc"), ("OIDC", "oidc"), ("bogus", "local")],
)
def test_the_sign_in_mode_comes_from_maturity_auth(monkeypatch, env: str | None, expected: str) -> None:
    if env is None:
        monkeypatch.delenv("MATURITY_AUTH", raising=False)
    else:
        monkeypatch.setenv("MATURITY_AUTH", env)
    assert waysin.mode() == expected


def test_the_shipped_configuration_listens_on_this_machine_only() -> None:
    assert config.get_option("server.address") == "127.0.0.1"


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.add(address)
    return found


def test_streamlit_run_as_the_readme_says_listens_on_loopback_only(tmp_path: Path) -> None:
    """`streamlit run app.py` with the shipped configuration and no address given: the only
    listening socket is 127.0.0.1's."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "MATURITY_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "MATURITY_START_EMPTY": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            f"--server.port={port}",
            "--server.headless=true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                if (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                    == b"ok"
                ):
                    break
            time.sleep(0.3)
        else:
            pytest.fail("the app did not start")
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and nothing else
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_on_this_machine_without_demo_data_the_person_there_is_the_administrator(app_clinic) -> None:
    without_demo_data()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert PICKER not in labels(at)
    assert "Innlogget: Admin" in sidebar_text(at)
    assert "Lokal modus: appen nås bare fra denne maskinen." in sidebar_text(at)
    assert "Validering" in menu_titles(at)


def test_on_this_machine_with_demo_data_the_picker_offers_the_roles(app_clinic) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert PICKER in labels(at)
    assert "Innlogget" not in sidebar_text(at)  # nobody until someone is picked
    at.selectbox(key="_user_select").set_value("leader-a").run()
    assert "Innlogget: Leader-A" in sidebar_text(at)


def test_opened_to_the_network_only_participation_is_open_without_the_token(app_clinic, capsys) -> None:
    with server_address("0.0.0.0"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["user_id"] = "admin"  # as if a picker had been used: it counts for nothing
        at.run()
        assert not at.exception
        assert PICKER not in labels(at)
        assert menu_titles(at) == ["Start", "Delta i arbeidsmøte"]
        assert any(info.value.startswith(LOCKED) for info in at.main.info)
        at.query_params["token"] = "guessed"
        at.run()
        assert any(info.value.startswith(LOCKED) for info in at.main.info)
        assert "token" not in at.query_params
        at.switch_page("app_pages/participate.py").run()
        assert [box.label for box in at.text_input] == ["Kode fra møteleder"]  # joining stays open
        assert waysin.admin_token() in capsys.readouterr().out  # printed where the app was started


def test_the_console_s_token_lets_the_administrator_in_and_leaves_the_address(app_clinic, capsys) -> None:
    without_demo_data()
    with server_address("0.0.0.0"):
        at = AppTest.from_file(APP, default_timeout=60).run()
        token = waysin.admin_token()
        assert f"?token={token}" in capsys.readouterr().out
        assert "Innlogget" not in sidebar_text(at)
        at.query_params["token"] = token
        at.run()
        assert "token" not in at.query_params  # out of the address bar and the history
        assert "Innlogget: Admin" in sidebar_text(at)
        assert "Åpen i nettverket uten innlogging" in sidebar_text(at)
        at.switch_page("app_pages/validate.py").run()  # and it stays in the session
        assert not at.exception
        assert "Innlogget: Admin" in sidebar_text(at)
        assert not any(info.value.startswith(LOCKED) for info in at.main.info)


class Headers:
    """Request headers as Streamlit gives them: case-insensitive, repeatable."""

    def __init__(self, *pairs: tuple[str, str]) -> None:
        self.pairs = pairs

    def get_all(self, key: str) -> list[str]:
        return [value for name, value in self.pairs if name.lower() == key.lower()]


SECRET = "proxy-secret-0123456789"
PROOF = ("X-Maturity-Proxy-Secret", SECRET)


@pytest.mark.parametrize(
    ("configured", "headers", "expected"),
    [
        (SECRET, Headers(PROOF, ("X-Forwarded-User", "leader-a")), "leader-a"),
        (SECRET, Headers(PROOF, ("x-forwarded-user", " leader-a "), ("Other", "x")), "leader-a"),
        (SECRET, Headers(("X-Forwarded-User", "admin")), None),  # around the proxy
        (SECRET, Headers(("X-Maturity-Proxy-Secret", "guess"), ("X-Forwarded-User", "admin")), None),
        (SECRET, Headers(PROOF, PROOF, ("X-Forwarded-User", "admin")), None),
        (SECRET, Headers(PROOF, ("X-Forwarded-User", "admin"), ("X-Forwarded-User", "leader-a")), None),
        (SECRET, Headers(PROOF, ("X-Forwarded-User", "  ")), None),
        (SECRET, Headers(PROOF), None),
        ("", Headers(("X-Maturity-Proxy-Secret", ""), ("X-Forwarded-User", "admin")), None),
        ("short", Headers(("X-Maturity-Proxy-Secret", "short"), ("X-Forwarded-User", "admin")), None),
    ],
)
def test_header_mode_believes_only_the_proxy(
    monkeypatch, configured: str, headers: Headers, expected
) -> None:
    monkeypatch.setenv("MATURITY_PROXY_SECRET", configured)
    assert waysin.header_user(headers) == expected


def test_header_mode_without_a_proxy_secret_serves_nothing(app_clinic, monkeypatch) -> None:
    monkeypatch.setenv("MATURITY_AUTH", "header")
    monkeypatch.delenv("MATURITY_PROXY_SECRET", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    refusal = next(error.value for error in at.error)
    assert refusal.startswith("Appen er satt opp for innlogging gjennom en proxy")
    assert not at.get("bidi_component")  # no menu, no page
    assert not at.title


def test_header_mode_in_chromium_signs_in_through_the_proxy_only(tmp_path: Path, monkeypatch) -> None:
    """The real path: the headers arrive with the browser's connection. A browser that sends
    the proxy's secret and a user is that user; one that sends only a user header (as a
    request that went around the proxy would) is nobody."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate(engine)
    make_clinic(engine)
    engine.dispose()
    monkeypatch.setenv("MATURITY_AUTH", "header")  # for the server the test starts
    monkeypatch.setenv("MATURITY_PROXY_SECRET", SECRET)
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(serve(url, tmp_path / "server.log"))
        p = stack.enter_context(playwright_api.sync_playwright())
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        stack.callback(browser.close)
        seen = {}
        for who, headers in {
            "proxy": {"X-Maturity-Proxy-Secret": SECRET, "X-Forwarded-User": "manager-k"},
            "around": {"X-Forwarded-User": "admin"},
            "unknown": {"X-Maturity-Proxy-Secret": SECRET, "X-Forwarded-User": "ny.person@sykehus.no"},
        }.items():
            context = browser.new_context(extra_http_headers=headers)
            page = context.new_page()
            page.goto(base + "/")
            settle(page)
            page.get_by_role("heading", name="Forbedringsreisen").wait_for()
            settle(page)
            links = page.get_by_role("navigation", name="Sider").get_by_role("link")
            seen[who] = (page.locator("[data-testid='stSidebar']").inner_text(), links.all_inner_texts())
            if who == "around":
                page.get_by_text("Du er ikke logget inn.").wait_for()
            if who == "unknown":  # signed in by the proxy, not (yet) a user of the app
                note = re.compile("logget inn som ny\\.person@\u2060?sykehus\\.no, men har ingen tilgang")
                page.get_by_text(note).wait_for()  # (a word joiner after @: not a mailto link)
            context.close()
    (proxied, proxied_menu), (around, around_menu) = seen["proxy"], seen["around"]
    assert [link.split()[-1] for link in seen["unknown"][1]] == ["Start", "arbeidsmøte"]
    assert "Innlogget: Manager-K" in proxied and any(link.endswith("Oversikt") for link in proxied_menu)
    assert "Innlogget" not in around and PICKER not in around
    assert [link.split()[-1] for link in around_menu] == ["Start", "arbeidsmøte"]
