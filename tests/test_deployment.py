"""A deployment as a hospital would run it (deploy/nginx.conf, the README's deployment
section): Debian's nginx in front of two app processes on one PostgreSQL, with sticky
sessions and the websocket passed through, the app in header mode trusting only nginx. A
leader and a manager follow their paths in Chromium through nginx; a request that goes
around nginx to an app process is nobody, whatever user it names."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import make_engine, migrate, reading
from storage.tables import answer

from .browserkit import browser, free_port, no_trouble, serve, settle
from .conftest import ROOT, fresh_database, make_clinic

__all__ = ["browser"]

PASSWORDS = {"leader-a": "passord-for-leder", "manager-s1": "passord-for-ledelse"}


def nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is required in CI (apt-get install nginx)")
        pytest.skip("nginx is not installed")
    return found


def configuration(folder: Path, port: int, apps: tuple[int, int], secret: str) -> Path:
    """deploy/nginx.conf with this test's ports, files and secret, in a main configuration
    that keeps everything of nginx's inside `folder`."""
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for shipped, ours in {
        "server 127.0.0.1:8501;": f"server 127.0.0.1:{apps[0]};",
        "server 127.0.0.1:8502;": f"server 127.0.0.1:{apps[1]};",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "/etc/nginx/maturity.htpasswd": str(folder / "htpasswd"),
        "change-me-to-a-long-random-secret": secret,
    }.items():
        assert shipped in text, f"deploy/nginx.conf no longer has {shipped!r}"
        text = text.replace(shipped, ours)
    (folder / "htpasswd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in PASSWORDS.items()))
    temp = "".join(
        f"{kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        f"user root;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{}}\nhttp {{\naccess_log {folder / 'access.log'};\n{temp}{text}\n}}\n",
        encoding="utf-8",
    )
    return main


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str, str]]:
    """nginx's address, the first app process's own address, and the database URL."""
    binary = nginx()
    with fresh_database("postgresql", tmp_path) as url:
        engine = make_engine(url)
        migrate(engine)
        make_clinic(engine)
        engine.dispose()
        secret = secrets.token_urlsafe(24)
        monkeypatch.setenv("MATURITY_AUTH", "header")
        monkeypatch.setenv("MATURITY_PROXY_SECRET", secret)
        front, apps = free_port(), (free_port(), free_port())
        main = configuration(tmp_path, front, apps, secret)
        with contextlib.ExitStack() as stack:
            first = stack.enter_context(serve(url, tmp_path / "app-1.log", port=apps[0]))
            stack.enter_context(serve(url, tmp_path / "app-2.log", port=apps[1]))
            process = subprocess.Popen(
                [binary, "-c", str(main), "-p", str(tmp_path), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            stack.callback(lambda: (process.terminate(), process.wait(timeout=20)))
            base = f"http://127.0.0.1:{front}"
            _wait_for(base, tmp_path / "error.log")
            yield base, first, url


def _wait_for(base: str, log: Path) -> None:
    request = urllib.request.Request(f"{base}/_stcore/health")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"leader-a:passord-for-leder").decode())
    deadline = time.time() + 30
    while time.time() < deadline:
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(request, timeout=2).read() == b"ok":
                return
        time.sleep(0.3)
    pytest.fail("nginx did not answer: " + (log.read_text() if log.exists() else "no log"))


def through_nginx(browser, base: str, user: str):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        http_credentials={"username": user, "password": PASSWORDS[user]},
    )
    page = context.new_page()
    page.goto(base + "/")
    settle(page)
    return page


def menu_link(page, title: str):
    return page.get_by_role("navigation", name="Sider").get_by_role("link", name=title, exact=True)


def test_a_leader_assesses_through_nginx(deployment, browser) -> None:
    base, _, url = deployment
    page = through_nginx(browser, base, "leader-a")
    page.get_by_text("Innlogget: Leader-A").wait_for()
    menu_link(page, "Egenvurdering").click()
    page.get_by_role("button", name="Start eller fortsett vurderingen").click()
    page.get_by_text("Dimensjon 1 av 6 · 0 av 28 spørsmål besvart").wait_for()
    settle(page)
    page.locator("section.item").first.get_by_role("radio", name=re.compile(r"^2 – ")).click()
    page.get_by_text("Dimensjon 1 av 6 · 1 av 28 spørsmål besvart").wait_for()  # saved: the websocket works
    engine = make_engine(url)
    with reading(engine) as connection:
        assert connection.execute(select(func.count()).select_from(answer)).scalar_one() == 1
    engine.dispose()
    no_trouble(page)


def test_a_manager_follows_up_through_nginx(deployment, browser) -> None:
    base, _, _ = deployment
    page = through_nginx(browser, base, "manager-s1")
    page.get_by_text("Innlogget: Manager-S1").wait_for()
    menu_link(page, "Oversikt").click()
    settle(page)
    crumbs = page.get_by_role("navigation", name="Plassering i organisasjonen")
    crumbs.get_by_text("Seksjon 1").wait_for()
    assert page.url == base + "/overview"
    assert crumbs.inner_text().split("\n")[-1].strip() == "Seksjon 1"  # the top of the manager's own part
    assert menu_link(page, "Oversikt").get_attribute("aria-current") == "page"
    no_trouble(page)


def test_nginx_asks_who_you_are_and_a_request_around_it_is_nobody(deployment, browser) -> None:
    base, first_app, _ = deployment
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/_stcore/health", timeout=5)
    assert refused.value.code == 401
    context = browser.new_context(extra_http_headers={"X-Forwarded-User": "admin"})
    page = context.new_page()
    page.goto(first_app + "/")
    settle(page)
    page.get_by_text("Du er ikke logget inn.").wait_for()
    assert page.get_by_text("Innlogget").count() == 0
    links = page.get_by_role("navigation", name="Sider").get_by_role("link").all_inner_texts()
    assert [text.split("\n")[-1] for text in links] == ["Start", "Delta i arbeidsmøte"]
