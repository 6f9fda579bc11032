"""Benchmark: click-to-usable time of answering one item of the self-assessment in Chromium,
at the clinic, region and national tiers, against a one-line app with one st.radio.

The app runs under `streamlit run` on the tier's SQLite database; a unit leader signs in
through the sidebar's "Logg inn som" picker, opens "Egenvurdering", starts the assessment if
asked, and clicks level options of the first question, alternating between two levels so
every click changes the answer. The floor is a one-line app (`st.radio` with five levels),
served by its own `streamlit run` and clicked the same way in the same run. The clicks on
the floor and on the form alternate one by one, so a change in the machine's load in the
middle of a run falls on both. Each tier opens the floor in a new session (browser context)
as it opens the form, with the same unmeasured clicks first, so both pages have the same
history: a floor page kept from tier to tier had grown 10-15 % quicker than a new one by the
region and national tiers (27-32 ms against 31-37 ms, clicked in turn in the same runs).

A figure is the time from the pointer going down on the option's label until the app is
idle and usable again (the server has run the script and said so, the page has drawn it,
nothing is stale, the clicked option shows checked), measured in the page with
performance.now(); see benchmarks/browser_common.py. Median of 20 clicks after 3 unmeasured
ones. Goal: form <= 2x the floor at every tier.

Set-up of each tier's database (kept between runs in --data-dir; a missing tier is built
with `python -m storage load-demo <tier>`, the national one in ~5 minutes): a user
`bench-leader` leading the first unit (by id) whose assessment in the newest open cycle is
not sent in is created or updated (the region and national tiers have every unit sent in, in
every cycle: the set-up then opens the next cycle), and the newest cycle is opened if no
cycle is open (the tiers are built with every cycle open; the demo clinic has
its current cycle open). The leader's assessment stays a draft between runs.

Run time: 8.5 minutes on a busy 2-core machine before issue 9's fixes, 3.5 of them the
leader's sign-in at the national tier (set-up, not a figure); 35 s since.

    python benchmarks/bench_form.py [--tiers clinic,region,national] [--data-dir /work/benchdata]
                                    [--clicks 20] [--port 8621]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import browser_common as bc
from playwright.sync_api import Locator, Page
from sqlalchemy import Engine, func, select

from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import make_engine, reading
from storage.definitions import create_cycle, list_cycles, set_cycle_status
from storage.demo import cycle_dates
from storage.results import open_cycles
from storage.tables import assessment, audit_log, org_unit

# What the benchmark looks for in the app: roles and visible texts (see also browser_common).
ASSESS_PAGE = "Egenvurdering"  # navigation link to the self-assessment
START_BUTTON = "Start eller fortsett vurderingen"  # shown before the assessment exists
QUESTION = "radiogroup"  # role of one question's options; the first one is clicked
LEVELS = (2, 3)  # the clicks alternate between these levels
OPTION_TEXT = "^{level} – "  # an option's label starts with its level, e.g. "2 – Organisert: …"
USER = "bench-leader"
USER_NAME = "Benchmark Enhetsleder"
WARM_UP = 3

FLOOR = """import streamlit as st
st.radio("Nivå", [1, 2, 3, 4, 5], format_func=lambda n: f"{n} – Nivå {n}")
"""


# JavaScript: in the first question (the first radio group with an option for arg.first), the
# option for arg.level shows checked. The form's questions are drawn in a component's shadow
# root, so the groups are looked for in the document and in every open shadow root.
OPTION_CHECK = """
const starts = (label, level) => label.innerText.trim().startsWith(level + ' – ');
const roots = [document, ...[...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(Boolean)];
const question = roots.flatMap(r => [...r.querySelectorAll('[role="' + arg.role + '"]')])
  .find(g => [...g.querySelectorAll('label')].some(l => starts(l, arg.first)));
return !!question && [...question.querySelectorAll('label')]
  .some(l => starts(l, arg.level) && l.querySelector('input').checked);
"""


def option(page: Page, level: int) -> Locator:
    """The label of `level`'s option in the first question."""
    question = page.get_by_role(QUESTION).filter(
        has=page.get_by_role("radio", name=re.compile(OPTION_TEXT.format(level=LEVELS[0])))
    )
    found = bc.find(question, f"a question (role {QUESTION} with an option «{LEVELS[0]} – …»)")
    return bc.find(
        found.locator("label").filter(has_text=re.compile(OPTION_TEXT.format(level=level))),
        f"option «{level} – …» of the first question",
    )


def click_level(page: Page) -> float:
    """Click the first question's level of LEVELS that is not chosen now (so the answer changes)."""
    first = {"role": QUESTION, "first": LEVELS[0], "level": LEVELS[0]}
    level = LEVELS[1] if page.evaluate(f"arg => {{ {OPTION_CHECK} }}", first) else LEVELS[0]
    return bc.timed_click(page, option(page, level), OPTION_CHECK, {**first, "level": level})


def prepare(tier: str, data_dir: Path) -> str:
    """The tier's database with the benchmark's leader and an open cycle; its URL."""
    url = bc.tier_url(tier, data_dir)
    engine = make_engine(url)
    try:
        if not open_cycles(engine):
            newest = list_cycles(engine)[-1]
            set_cycle_status(engine, SYSTEM, int(newest["id"]), "open")
            print(f"  no cycle was open: opened {newest['label']}")
        unit = unit_to_answer(engine)
        if unit is None:  # the tiers have every unit sent in, in every cycle: a new cycle opens
            newest = str(list_cycles(engine)[-1]["label"])
            label = f"{int(newest[:4]) + 1}/{int(newest[:4]) + 2}"
            create_cycle(engine, SYSTEM, label, *cycle_dates(label))
            print(f"  every unit had sent in: opened {label}")
            unit = unit_to_answer(engine)
        upsert_user(engine, SYSTEM, USER, USER_NAME, [Grant("leader", unit)])
        print(f"  {USER} leads {unit}; open cycle {open_cycles(engine)[0]['label']}")
    finally:
        engine.dispose()
    return url


def unit_to_answer(engine: Engine) -> str | None:
    """The first unit (by id) whose assessment in the newest open cycle is not sent in."""
    current = int(open_cycles(engine)[0]["id"])
    with reading(engine) as connection:
        sent_in = select(assessment.c.unit_id).where(
            assessment.c.cycle_id == current, assessment.c.status.in_(("submitted", "validated"))
        )
        return connection.execute(
            select(org_unit.c.id)
            .where(org_unit.c.kind == "enhet", org_unit.c.id.not_in(sent_in))
            .order_by(org_unit.c.id)
            .limit(1)
        ).scalar()


def saves(url: str) -> int:
    """How many answers the benchmark's leader has saved so far (from the audit log)."""
    engine = make_engine(url)
    try:
        with reading(engine) as connection:
            return int(
                connection.execute(
                    select(func.count())
                    .select_from(audit_log)
                    .where(audit_log.c.actor == USER, audit_log.c.action == "answer")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def open_form(page: Page) -> None:
    """Sign in as the leader, open the self-assessment, start it if asked."""
    bc.find(page.get_by_role("combobox", name=bc.USER_PICKER), f"selectbox «{bc.USER_PICKER}»").click()
    bc.find(page.get_by_role("option", name=re.compile(rf"\({USER}\)")), f"user {USER} in the picker").click()
    bc.wait_idle(page)
    bc.find(page.get_by_text(bc.SIGNED_IN.format(name=USER_NAME)), "the signed-in caption")
    bc.nav_link(page, ASSESS_PAGE).click()
    bc.wait_idle(page)
    start = page.get_by_role("button", name=START_BUTTON)
    if start.count():
        start.first.click()
        bc.wait_idle(page)
    option(page, LEVELS[0])


def bench_tier(tier: str, data_dir: Path, browser, floor_base: str, port: int, clicks: int) -> None:
    print(f"{tier}:", flush=True)
    url = prepare(tier, data_dir)
    before = saves(url)
    with bc.serve(bc.ROOT / "app.py", port, bc.ROOT, {"MATURITY_DATABASE_URL": url}) as server:
        floor_page = bc.open_page(browser, floor_base)
        page = bc.open_page(browser, server.base)
        started = time.perf_counter()
        open_form(page)
        print(f"  sign-in and opening the form (set-up, not a figure): {time.perf_counter() - started:.1f} s")
        floor_times: list[float] = []
        form_times: list[float] = []
        for n in range(WARM_UP + clicks):
            floor_ms = click_level(floor_page)
            form_ms = click_level(page)
            if n >= WARM_UP:
                floor_times.append(floor_ms)
                form_times.append(form_ms)
        bc.close(page)
        bc.close(floor_page)
    saved = saves(url) - before
    if saved != WARM_UP + clicks:
        print(f"  WARNING: {WARM_UP + clicks} clicks but {saved} answers saved")
    floor, form = bc.median(floor_times), bc.median(form_times)
    print(f"  floor (one radio):  median {floor:6.0f} ms  ({bc.spread(floor_times)})")
    print(f"  form, one answer:   median {form:6.0f} ms  ({bc.spread(form_times)})")
    print(f"  ratio form/floor:   {form / floor:.2f}  (goal <= 2)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tiers", default="clinic,region,national")
    parser.add_argument("--data-dir", type=Path, default=Path("/work/benchdata"))
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--port", type=int, default=8621, help="the floor's port; the app uses the next")
    args = parser.parse_args()
    began = time.perf_counter()
    with (
        bc.floor_app(FLOOR) as script,
        bc.serve(script, args.port, script.parent) as floor,
        bc.chromium() as browser,
    ):
        for tier in args.tiers.split(","):
            bench_tier(tier, args.data_dir, browser, floor.base, args.port + 1, args.clicks)
    print(f"whole run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
