"""Benchmark: sign-in of each role and each dashboard page in Chromium at the national tier,
cold and warm, against a two-page one-line app measured the same way in the same run.

The app runs under `streamlit run` on the national tier's SQLite database (20,000 units,
six cycles), with four users made in the set-up, each at the widest scope of their role:
`bench-admin` (admin), `bench-manager` (management of the root: the whole country),
`bench-advisor` (advisor of everything) and `bench-leader` (leader of the first unit by id).

- Sign-in: a new session opens the app (the Start page, no one signed in), then a user is
  picked in the sidebar's "Logg inn som"; timed from the click on the user until the Start
  page has finished drawing for them. Cold: the first sign-in after the server started (a
  server per role); warm: the median of up to --signin-repeats more in the same server,
  each in a new session, stopping once they have taken --signin-budget seconds (at least
  one).
- Page switch: signed in as `bench-manager` (the dashboards at the top of the tree, as an
  admin sees them, without the admin's Start page that lists all 20,000 units), a click on
  the page's navigation link until the page has finished drawing. Cold: the first visit to
  the page after the server started (a server per page; signed in on Start, or for Start on
  "Delta i arbeidsmøte", the menu's one other page before sign-in); warm: the pages are
  visited in turn, once unmeasured and then --page-repeats times, each figure a switch from
  the page before in the list.
- Floor: a two-page app (`st.navigation` of two `st.Page` stubs with one `st.write` each,
  and a selectbox in the sidebar), served by its own `streamlit run`: its page switch, and
  its selectbox change; the floor of a sign-in is a selectbox change plus a page switch
  (the same number of interactions: a sign-in both changes a selectbox and draws a page).
  Its cold figures are its first selectbox change and first page switch after its start.
  Warm floor figures are taken one by one between the app's, so a change in the machine's
  load falls on both.

A figure is the time from the pointer going down on what is clicked until the app is idle
and usable again, measured in the page with performance.now(); see
benchmarks/browser_common.py. Goals: warm sign-in of any role <= 2x its floor; warm page
switch <= 3x the floor's warm page switch. The national database is kept in --data-dir
(built with `python -m storage load-demo national` if missing, ~5 minutes).

Run time: before issue 9's fixes, an admin's sign-in at the national tier took ~35 s on an
idle machine and a unit leader's ~2 minutes (their Start pages), and a whole run 16 minutes
on a busy 2-core machine. With sign-in at 0.1-0.2 s a whole run takes 65-85 s.

    python benchmarks/bench_browser.py [--tier national] [--data-dir /work/benchdata]
                                       [--signin-repeats 3] [--page-repeats 9] [--port 8631]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import browser_common as bc
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import make_engine, reading
from storage.tables import org_unit

# What the benchmark looks for in the app: navigation titles (see also browser_common).
START = "Start"
DASHBOARDS = ["Oversikt", "Utvikling over tid", "Enhetsprofil", "Veikart"]
JOIN_PAGE = "Delta i arbeidsmøte"  # in the menu before sign-in, as Start is
PAGES = [*DASHBOARDS, START]  # the order of the warm rounds: each is reached from the one before
PAGE_USER = "manager"


@dataclass(frozen=True)
class Role:
    user: str
    name: str
    grants: tuple[Grant, ...]


def roles(first_unit: str) -> dict[str, Role]:
    return {
        "admin": Role("bench-admin", "Benchmark Administrator", (Grant("admin"),)),
        "manager": Role("bench-manager", "Benchmark Direktør", (Grant("management", "root"),)),
        "leader": Role("bench-leader", "Benchmark Enhetsleder", (Grant("leader", first_unit),)),
        "advisor": Role("bench-advisor", "Benchmark Rådgiver", (Grant("advisor"),)),
    }


# The floor: a selectbox in the sidebar and two one-line pages.
FLOOR_PICKER = "Bruker"
FLOOR_CHOICES = ["Anna", "Bjørn"]
FLOOR_PAGES = ["Side A", "Side B"]
FLOOR = f"""# file: app.py
import streamlit as st
st.sidebar.selectbox({FLOOR_PICKER!r}, {FLOOR_CHOICES!r}, index=None)
st.navigation([st.Page("a.py", title={FLOOR_PAGES[0]!r}), st.Page("b.py", title={FLOOR_PAGES[1]!r})]).run()
# file: a.py
import streamlit as st
st.write("Side A")
# file: b.py
import streamlit as st
st.write("Side B")
"""

# The page shows a text (arg): the sidebar's "Innlogget: …", the floor's chosen option.
TEXT_CHECK = (
    "return document.body.textContent.includes(arg)"
    " || [...document.querySelectorAll('input')].some(i => i.value === arg);"
)


def prepare(data_dir: Path, tier: str) -> tuple[str, dict[str, Role]]:
    """The tier's database with the benchmark's users; its URL and the roles."""
    url = bc.tier_url(tier, data_dir)
    engine = make_engine(url)
    try:
        with reading(engine) as connection:
            unit = connection.execute(
                select(org_unit.c.id).where(org_unit.c.kind == "enhet").order_by(org_unit.c.id).limit(1)
            ).scalar_one()
        made = roles(unit)
        for role in made.values():
            upsert_user(engine, SYSTEM, role.user, role.name, list(role.grants))
    finally:
        engine.dispose()
    return url, made


class Floor:
    """A session on the floor app that alternates its selectbox and its page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.choice = 0
        self.current = 0

    def select(self) -> float:
        self.choice = 1 - self.choice
        text = FLOOR_CHOICES[self.choice]
        return bc.timed_select(self.page, FLOOR_PICKER, text, TEXT_CHECK, text)

    def switch(self) -> float:
        self.current = 1 - self.current
        return bc.timed_page_switch(self.page, FLOOR_PAGES[self.current])


def sign_in(page: Page, role: Role) -> float:
    """Pick the user in the sidebar; the milliseconds until their page has drawn."""
    ms = bc.timed_select(
        page, bc.USER_PICKER, re.compile(rf"\({re.escape(role.user)}\)"), TEXT_CHECK, signed_in(role)
    )
    bc.find(page.get_by_text(signed_in(role)), f"the caption «{signed_in(role)}»")
    return ms


def signed_in(role: Role) -> str:
    return bc.SIGNED_IN.format(name=role.name)


@contextlib.contextmanager
def app(url: str, port: int) -> Iterator[bc.Server]:
    with bc.serve(bc.ROOT / "app.py", port, bc.ROOT, {"MATURITY_DATABASE_URL": url}) as server:
        yield server


def sign_ins(
    browser: Browser, url: str, port: int, role: Role, floor: Floor, repeats: int, budget: float
) -> tuple[float, list[float], list[float]]:
    """In a new server: the first sign-in (cold), then up to `repeats` more in new sessions
    (warm) until they have taken `budget` seconds, each after one floor selectbox change."""
    warm: list[float] = []
    floor_selects: list[float] = []
    with app(url, port) as server:
        session = bc.open_page(browser, server.base)
        cold = sign_in(session, role)
        bc.close(session)
        while len(warm) < repeats and (not warm or sum(warm) < budget * 1000):
            floor_selects.append(floor.select())
            session = bc.open_page(browser, server.base)
            warm.append(sign_in(session, role))
            bc.close(session)
    return cold, warm, floor_selects


def cold_page(browser: Browser, url: str, port: int, role: Role, title: str) -> float:
    with app(url, port) as server:
        page = bc.open_page(browser, server.base)
        if title == START:  # sign in elsewhere, so that Start is drawn first by the timed click
            bc.nav_link(page, JOIN_PAGE).click()  # the menu's one other page before sign-in
            bc.wait_idle(page)
        sign_in(page, role)
        ms = bc.timed_page_switch(page, title)
        bc.close(page)
    return ms


def ms(value: float) -> str:
    return f"{value:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tier", default="national")
    parser.add_argument("--data-dir", type=Path, default=Path("/work/benchdata"))
    parser.add_argument("--signin-repeats", type=int, default=3)
    parser.add_argument(
        "--signin-budget", type=float, default=60, help="seconds of warm sign-ins per role, at least one"
    )
    parser.add_argument("--page-repeats", type=int, default=9)
    parser.add_argument("--port", type=int, default=8631, help="the floor's port; the app uses the next")
    args = parser.parse_args()
    began = time.perf_counter()
    url, made = prepare(args.data_dir, args.tier)
    port = args.port + 1
    with (
        bc.floor_app(FLOOR) as script,
        bc.serve(script, args.port, script.parent) as floor_server,
        bc.chromium() as browser,
    ):
        floor = Floor(bc.open_page(browser, floor_server.base))
        floor_select_cold, floor_switch_cold = floor.select(), floor.switch()
        print(f"{args.tier} tier, Chromium; floor: a two-page one-line app", flush=True)
        print(f"  floor cold: selectbox change {ms(floor_select_cold)}, page switch {ms(floor_switch_cold)}")

        cold_signins: dict[str, float] = {}
        warm_signins: dict[str, list[float]] = {}
        floor_selects: list[float] = []
        for key, role in made.items():
            cold_signins[key], warm_signins[key], selects = sign_ins(
                browser, url, port, role, floor, args.signin_repeats, args.signin_budget
            )
            floor_selects.extend(selects)
            print(
                f"  sign-in {key:8s} cold {ms(cold_signins[key])}, warm {bc.spread(warm_signins[key])}",
                flush=True,
            )
        cold_pages: dict[str, float] = {}
        for title in PAGES:
            cold_pages[title] = cold_page(browser, url, port, made[PAGE_USER], title)
            print(f"  cold page {title:19s} {ms(cold_pages[title])}", flush=True)

        floor_switches: list[float] = []
        warm_pages: dict[str, list[float]] = {title: [] for title in PAGES}
        with app(url, port) as server:
            page = bc.open_page(browser, server.base)
            sign_in(page, made[PAGE_USER])
            for round_ in range(1 + args.page_repeats):
                for title in PAGES:
                    floor_ms, app_ms = floor.switch(), bc.timed_page_switch(page, title)
                    if round_:
                        floor_switches.append(floor_ms)
                        warm_pages[title].append(app_ms)
                print(f"  warm page round {round_} done", flush=True)
            bc.close(page)

    select_warm, switch_warm = bc.median(floor_selects), bc.median(floor_switches)
    signin_floor_warm = select_warm + switch_warm
    signin_floor_cold = floor_select_cold + floor_switch_cold
    print()
    print("floor (two-page one-line app)")
    for what, cold, warm, samples in (
        ("page switch", floor_switch_cold, switch_warm, floor_switches),
        ("selectbox change", floor_select_cold, select_warm, floor_selects),
    ):
        print(f"  {what:16s} cold {ms(cold)}  warm {ms(warm)}  ({bc.spread(samples)})")
    print(f"  sign-in floor = both: cold {ms(signin_floor_cold)}  warm {ms(signin_floor_warm)}")
    print("sign-in (pick the user until their Start page has drawn); goal warm <= 2x the floor")
    for key, role in made.items():
        warm = bc.median(warm_signins[key])
        print(
            f"  {key:8s} ({role.user:13s}) cold {ms(cold_signins[key])}  warm {ms(warm)}"
            f"  warm/floor {warm / signin_floor_warm:6.1f}"
            f"  cold/floor {cold_signins[key] / signin_floor_cold:6.1f}"
            f"  ({bc.spread(warm_signins[key])})"
        )
    print(f"page switch as {made[PAGE_USER].user} (click the navigation link); goal warm <= 3x the floor")
    for title in PAGES:
        warm = bc.median(warm_pages[title])
        print(
            f"  {title:19s} cold {ms(cold_pages[title])}  warm {ms(warm)}"
            f"  warm/floor {warm / switch_warm:6.1f}"
            f"  cold/floor {cold_pages[title] / floor_switch_cold:6.1f}  ({bc.spread(warm_pages[title])})"
        )
    print(f"whole run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
