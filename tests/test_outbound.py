"""No request leaves the machine that the app did not ask for, from the server or from the
browser. The server runs as `streamlit run app.py` with the repository's own
.streamlit/config.toml, its Python watched by a sitecustomize that logs (and refuses) every
name look-up and connection to an address outside this machine; the browser's every
request is recorded while people sign in and open every page, a participant on a phone
included. The database is the hostile clinic's (tests/test_browser_hostile.py): every page
has something to show."""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from storage.access import actor_for, upsert_user
from storage.actors import SYSTEM, Grant
from storage.workshops import start_workshop

from .browserkit import SERVER_LOGS, answer_dimension, browser, free_port, settle
from .conftest import ROOT
from .test_browser_hostile import Hostile, hostile_clinic, inert, visit_every_page

__all__ = ["browser"]

# Loaded by the server's Python at start (PYTHONPATH): every look-up of a name and every
# connection to an address that is not this machine is written to OUTBOUND_LOG and refused.
WATCH = """
import ipaddress, os, socket, traceback

LOG = os.environ["OUTBOUND_LOG"]


def _outside(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in (None, "", "localhost"):
        return False
    try:
        address = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return True  # a name to look up
    return not (address.is_loopback or address.is_unspecified)


def _refuse(what, host, port):
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{what} {host} {port}\\n{''.join(traceback.format_stack(limit=10))}\\n")
    raise OSError(f"outbound {what} to {host}:{port} refused by the test")


_getaddrinfo, _create_connection = socket.getaddrinfo, socket.create_connection
_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto


def getaddrinfo(host, port, *args, **kwargs):
    if _outside(host):
        _refuse("getaddrinfo", host, port)
    return _getaddrinfo(host, port, *args, **kwargs)


def create_connection(address, *args, **kwargs):
    if _outside(address[0]):
        _refuse("create_connection", *address[:2])
    return _create_connection(address, *args, **kwargs)


def _checked(sock, address):
    inet = sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
    if inet and _outside(address[0]):
        _refuse("connect", *address[:2])


def connect(self, address):
    _checked(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _checked(self, address)
    return _connect_ex(self, address)


def sendto(self, data, *rest):
    _checked(self, rest[-1])
    return _sendto(self, data, *rest)


socket.getaddrinfo, socket.create_connection = getaddrinfo, create_connection
socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
"""
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@contextlib.contextmanager
def watched(url: str, folder: Path, *options: str) -> Iterator[tuple[str, Path, Path]]:
    """`streamlit run app.py` as a user starts it (in the repository, with its config; only
    the port and headless given, headless being where Streamlit looks the most up), with
    Streamlit's `options`, its Python watched; yields the app's address, the log of what
    left the machine and the server's output, once the health check answers."""
    site = folder / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(WATCH, encoding="utf-8")
    outbound, output = folder / "outbound.log", folder / "server.log"
    outbound.touch()
    SERVER_LOGS.append(output)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env |= {
        "MATURITY_DATABASE_URL": url,
        "OUTBOUND_LOG": str(outbound),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")])),
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
        ]
        + list(options),
        cwd=ROOT,
        env=env,
        stdout=output.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the app did not start: " + output.read_text(errors="replace"))
            time.sleep(0.3)
    try:
        yield base, outbound, output
    finally:
        process.terminate()
        process.wait(timeout=20)


def clinic_with_a_rating_workshop(url: str) -> tuple[Hostile, str]:
    """The hostile clinic, and a workshop on unit b (named as a formula) still in its private
    rating: its participants' token."""
    made = hostile_clinic(url)
    engine = made.clinic.engine
    upsert_user(engine, SYSTEM, "leader-b", "Leader-B", [Grant("leader", "b")])
    opened = start_workshop(engine, actor_for(engine, "leader-b"), "b", made.clinic.cycle_id, expected=4)
    return made, opened.token or ""


@pytest.fixture
def watched_server(tmp_path: Path) -> Iterator[tuple[str, Path, Hostile, str]]:
    url = f"sqlite:///{tmp_path / 'outbound.db'}"
    made, rating = clinic_with_a_rating_workshop(url)
    with watched(url, tmp_path) as (base, outbound, _):
        yield base, outbound, made, rating
    made.clinic.engine.dispose()


def recorded(context) -> list[str]:
    """Every request and websocket of the browser context's pages from now on, by address."""
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    context.on("page", lambda page: page.on("websocket", lambda socket: seen.append(socket.url)))
    return seen


def elsewhere(seen: list[str], base: str) -> list[str]:
    """The addresses that are not the app's own origin (its websocket included), data: or blob:."""
    own = urlsplit(base).netloc
    return [
        url for url in seen if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own
    ]


def foreign_handshake(base: str) -> int:
    """Ask for the app's websocket as a page of another origin would; the HTTP status."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            (
                "GET /_stcore/stream HTTP/1.1\r\n"
                f"Host: {address.netloc}\r\n"
                "Origin: http://elsewhere.invalid\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        return int(connection.recv(200).split(b" ")[1])


@pytest.mark.parametrize("user", ["admin", "leader-a", "leader-b"])
def test_signing_in_and_every_page_ask_nothing_outside(watched_server, browser, user: str) -> None:
    """The start page, the sign-in and every page in the menu (every tab too) reach only the
    app's own address; the server asks nothing outside, even when a page of another origin
    asks for its websocket. Unit a's leader has results and an action plan, unit b's a
    workshop in its rating, with the participants' QR code."""
    base, outbound, _, _ = watched_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    seen = recorded(context)
    visited, _ = visit_every_page(context.new_page(), base, user)
    assert len(visited) >= 8, visited
    assert len(seen) > 50 and any("/_stcore/stream" in url for url in seen), seen  # it watched
    assert elsewhere(seen, base) == []
    assert foreign_handshake(base) == 403
    assert outbound.read_text() == ""
    context.close()


def test_a_participant_on_a_phone_asks_nothing_outside(watched_server, browser) -> None:
    """On a phone, a participant opens the page to join by code, joins by a link, rates every
    question and sends in, and sees another workshop's revealed distribution: only the app's
    own address, and nothing outside from the server."""
    base, outbound, made, rating = watched_server
    context = browser.new_context(**PHONE)
    seen = recorded(context)
    phone = context.new_page()
    phone.goto(f"{base}/delta")
    phone.get_by_role("textbox", name="Kode fra møteleder").wait_for()
    inert(phone, ["join by code"])
    phone.goto(f"{base}/delta?ws={rating}")
    phone.get_by_role("button", name="Begynn").click()
    settle(phone)
    dimensions = made.clinic.questionnaire.dimensions
    for step, dimension in enumerate(dimensions):
        answer_dimension(phone, dimension, 3)
        if step < len(dimensions) - 1:
            phone.get_by_role("button", name="Neste dimensjon →").click()
            settle(phone)
    phone.get_by_role("button", name="Se over og send inn").click()
    dialog = phone.get_by_role("dialog")
    dialog.wait_for()
    inert(phone, ["rating, the confirmation"])
    phone.screenshot(path=str(outbound.parent / "phone-confirmation.png"))
    dialog.get_by_role("button", name="Send inn", exact=True).click()
    phone.get_by_text("Takk! Svarene dine er sendt inn.").wait_for()
    phone.goto(f"{base}/delta?ws={made.token}&p={made.secret}")
    phone.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    inert(phone, ["revealed"])
    assert elsewhere(seen, base) == []
    assert sum("/_stcore/stream" in url for url in seen) >= 3, seen
    assert outbound.read_text() == ""
    context.close()


def test_open_to_the_network_the_server_asks_nothing_outside(tmp_path: Path, browser) -> None:
    """Opened to the network (--server.address 0.0.0.0), where Streamlit's start banner would
    look the machine's addresses up on the internet: nothing leaves the machine at start, as
    the administrator comes in with the console's link and opens pages, or when a page of
    another origin knocks."""
    url = f"sqlite:///{tmp_path / 'network.db'}"
    made, _ = clinic_with_a_rating_workshop(url)
    with watched(url, tmp_path, "--server.address=0.0.0.0") as (base, outbound, output):
        assert "0.0.0.0" in output.read_text()  # listening on every address
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        seen = recorded(context)
        page = context.new_page()
        page.goto(base + "/")
        settle(page)
        token = re.search(r"\?token=(\S+)", wait_for_text(output, "?token="))
        assert token, output.read_text()
        page.goto(f"{base}/?token={token[1]}")
        page.get_by_role("combobox", name="Logg inn som").click()
        page.get_by_role("option", name=re.compile(r"\(admin\)")).click()
        settle(page)
        menu = page.get_by_role("navigation", name="Sider")
        for title in ("Oversikt", "Enhetsprofil", "Validering"):
            menu.get_by_role("link", name=title, exact=True).click()
            inert(page, [title])
        assert elsewhere(seen, base) == []
        assert foreign_handshake(base) == 403
        assert outbound.read_text() == ""
        context.close()
    made.clinic.engine.dispose()


def wait_for_text(path: Path, text: str, seconds: float = 20) -> str:
    """The file's text once it holds `text` (or after `seconds`)."""
    deadline = time.time() + seconds
    while text not in (found := path.read_text(errors="replace")) and time.time() < deadline:
        time.sleep(0.2)
    return found


def test_the_watch_sees_streamlits_own_lookups(tmp_path: Path) -> None:
    """The watch works: with Streamlit's start banner on again, opened to the network, the
    server looks up checkip.amazonaws.com (and a route to 8.8.8.8), and the log shows it."""
    url = f"sqlite:///{tmp_path / 'banner.db'}"
    with watched(url, tmp_path, "--server.address=0.0.0.0", "--logger.hideWelcomeMessage=false") as (
        _,
        outbound,
        _,
    ):
        logged = wait_for_text(outbound, "checkip.amazonaws.com")
    assert "getaddrinfo checkip.amazonaws.com" in logged
    assert "connect 8.8.8.8" in logged


def test_figures_fetch_nothing_a_spec_names(tmp_path: Path) -> None:
    """A figure to download is made from the spec's own data: a spec naming an address on
    this machine is refused, and the address is never asked."""
    from views.dash import figure_png, figure_svg

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"a\n1\n")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spec = {
        "data": {"url": f"http://127.0.0.1:{server.server_port}/data.csv"},
        "mark": "point",
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    try:
        for make in (figure_svg, figure_png):
            with pytest.raises(Exception, match="not allowed"):
                make(spec)
    finally:
        server.shutdown()
    assert asked == []
