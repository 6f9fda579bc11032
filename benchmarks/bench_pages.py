"""Benchmark: every dashboard page through AppTest on the clinic, region and national tiers.

Each page runs in its own AppTest session, signed in as an admin, through the app (its
navigation and sidebar included), at the top of the organisation; the unit profile shows
the first unit at the bottom of the tree:

- cold: a run right after every Streamlit cache is emptied (st.cache_data and every
  st.cache_resource of the views) except the database engine, the connection pool a
  running server keeps; the median of 5 such runs;
- warm: the median of 7 runs after that.

The floor is a one-line Streamlit page (st.write) run the same way in the same process:
its own AppTest session, warm runs timed the same way. Before timing, the garbage left so
far is collected and frozen (gc.freeze) for the floor and the pages alike. Goals at the national tier: warm
page <= 5x the floor, cold page <= 3x its warm run, process peak memory <= 2 GiB. The tiers
are SQLite databases made by storage.demo.

    python benchmarks/bench_pages.py [--tiers clinic,region,national]
"""

# ruff: noqa: E402 - imports follow the sys.path line that finds the project
from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import pkgutil
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st
from sqlalchemy import select
from streamlit.runtime.caching.cache_utils import CachedFunc
from streamlit.testing.v1 import AppTest

import views
from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import make_engine, reading
from storage.demo import TIERS, ensure_database, load_tier
from storage.tables import org_node
from views import state

# Outside a script run Streamlit warns on every cache clear and session-state write: not news.
for _name in ("caching.cache_data_api", "scriptrunner_utils.script_run_context"):
    logging.getLogger(f"streamlit.runtime.{_name}").disabled = True

PAGES = ["app_pages/overview.py", "app_pages/progress.py", "app_pages/profile.py", "app_pages/roadmap.py"]
APP = str(ROOT / "app.py")
USER = "bench-admin"
WARM_RUNS = 7
COLD_RUNS = 5


def prepare(tier: str, folder: Path) -> str:
    url = f"sqlite:///{folder / f'{tier}.db'}"
    engine = make_engine(url)
    start = time.perf_counter()
    if tier == "clinic":
        ensure_database(engine)
    else:
        load_tier(engine, TIERS[tier])
    upsert_user(engine, SYSTEM, USER, "Benchmark", [Grant("admin")])
    engine.dispose()
    print(f"{tier}: database made in {time.perf_counter() - start:.0f} s")
    return url


def empty_caches() -> None:
    """Empty every Streamlit cache of the views but the engine (the connection pool)."""
    st.cache_data.clear()
    for module_info in pkgutil.iter_modules(views.__path__):
        module = importlib.import_module(f"views.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, CachedFunc) and value is not state._engine:
                value.clear()


def timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, at.exception
    return elapsed


def warm_median(at: AppTest) -> float:
    return statistics.median(timed(at) for _ in range(WARM_RUNS))


def settle() -> None:
    """Collect the garbage left so far and exempt what lives on from later collections, so
    a collection of the set-up's leftovers does not land in one timed run."""
    gc.collect()
    gc.freeze()


def floor_time() -> float:
    """Warm runs of a one-line page, measured like the pages."""
    at = AppTest.from_string("import streamlit as st\nst.write('hello')")
    at.run()
    settle()
    return warm_median(at)


def first_unit(url: str) -> str:
    """A unit at the bottom of the tree: the unit profile shows one unit."""
    engine = make_engine(url)
    with reading(engine) as connection:
        unit = connection.execute(
            select(org_node.c.unit_id).where(org_node.c.leaf.is_(True)).order_by(org_node.c.unit_id).limit(1)
        ).scalar_one()
    engine.dispose()
    return unit


def page_times(page: str, user: str | None = USER, node: str | None = None) -> tuple[float, float]:
    at = AppTest.from_file(APP, default_timeout=600)
    at.session_state["user_id"] = user
    if node is not None:
        at.session_state["dash_node"] = node
    at.switch_page(page)
    timed(at)  # the session's first run: the engine exists from here on
    colds = []
    for _ in range(COLD_RUNS):
        empty_caches()
        settle()
        colds.append(timed(at))
    return statistics.median(colds), warm_median(at)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tiers", default="clinic,region,national")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for tier in args.tiers.split(","):
            os.environ["MATURITY_DATABASE_URL"] = prepare(tier, Path(folder))
            st.cache_resource.clear()  # the engine of the tier before
            floor = floor_time()
            print(f"  one-line page (floor): warm {floor * 1000:.1f} ms")
            _, shell = page_times(PAGES[0], user=None)
            print(f"  the app's shell alone (no one signed in), for comparison: warm {shell * 1000:.1f} ms")
            unit = first_unit(os.environ["MATURITY_DATABASE_URL"])
            for page in PAGES:
                cold, warm = page_times(page, node=unit if page.endswith("profile.py") else None)
                print(
                    f"  {Path(page).stem:9s} cold {cold * 1000:6.0f} ms  warm {warm * 1000:5.1f} ms  "
                    f"warm/floor {warm / floor:5.1f}  cold/warm {cold / warm:4.1f}"
                )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
            print(f"  peak memory of the process so far: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
