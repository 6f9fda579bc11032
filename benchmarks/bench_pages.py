"""Benchmark: every dashboard page through AppTest on the clinic, region and national tiers.

For each page: the time of a cold run (caches emptied) and of a warm run (median of 5),
against a one-line Streamlit page run the same way in the same run (the floor), and the
process's peak memory. Goals at the national tier: warm ratio <= 5, cold <= 3x warm, peak
memory <= 2 GiB. The tiers are SQLite databases made by storage.demo.

    python benchmarks/bench_pages.py [--tiers clinic,region,national]
"""

# ruff: noqa: E402 - imports follow the sys.path line that finds the project
from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st
from streamlit.testing.v1 import AppTest

from storage.access import SYSTEM, Grant, upsert_user
from storage.db import make_engine
from storage.demo import TIERS, ensure_database, load_tier

PAGES = ["app_pages/overview.py", "app_pages/progress.py", "app_pages/profile.py", "app_pages/roadmap.py"]
APP = str(ROOT / "app.py")
USER = "bench-admin"


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


def floor_time() -> tuple[float, float]:
    """Cold and warm (median of 5) runs of a one-line page, measured like the pages."""
    at = AppTest.from_string("import streamlit as st\nst.write('hello')")
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    return cold, statistics.median(warm)


def page_times(page: str, user: str | None = USER) -> tuple[float, float]:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=600)
    if user is not None:
        at.session_state["user_id"] = user
    at.switch_page(page)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    assert not at.exception, at.exception
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    return cold, statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tiers", default="clinic,region,national")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        for tier in args.tiers.split(","):
            os.environ["MATURITY_DATABASE_URL"] = prepare(tier, Path(folder))
            floor_cold, floor = floor_time()
            print(f"  one-line page (floor): cold {floor_cold * 1000:.0f} ms, warm {floor * 1000:.0f} ms")
            _, shell = page_times("app_pages/overview.py", user=None)
            print(f"  the app's shell alone (no one signed in), for comparison: warm {shell * 1000:.0f} ms")
            for page in PAGES:
                cold, warm = page_times(page)
                print(
                    f"  {Path(page).stem:9s} cold {cold * 1000:6.0f} ms  warm {warm * 1000:5.0f} ms  "
                    f"warm/floor {warm / floor:5.1f}  cold/warm {cold / warm:4.1f}"
                )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
            print(f"  peak memory of the process so far: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
