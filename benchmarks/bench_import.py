"""Benchmark: a bulk answers import beside a working app, and a fresh clone's first page.

Import: 10^6 answer rows (2,000 units of the region tier x 18 respondents x 28 items, a new
cycle) previewed and applied by `python -m storage import --apply` in a process of its own on
the region tier's SQLite database, while another process saves one answer every 50 ms
through the service the form uses, as a unit leader clicking would. Prints the preview's
and the apply's time, the importing process's peak memory (VmHWM), and the saves' times
during the import against the same saves' median with no import running (the floor, in
the same run): the longest is the longest a leader waited. The floor of the apply is the
least an import of these rows must do: the same rows written by the driver's bulk path into
an empty table of the same database. Goals: apply well under a minute; the longest save
during the import under 2 s.

First render: `streamlit run app.py` on a fresh clone (no database yet: the demo is built
during the first page load) against a one-line app (`st.write`), each timed from the
launch of `streamlit run` until Chromium shows the page drawn and idle; three runs each, in
turn. Goal: the fresh clone's median within 2x the one-line app's.

    python benchmarks/bench_import.py [--data-dir /work/benchdata] [--rows-per-unit 18]
                                      [--skip-import] [--skip-render] [--port 8641]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import browser_common as bc
import numpy as np
import pandas as pd
from sqlalchemy import select

from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.assessments import start_assessment
from storage.db import make_engine, reading
from storage.definitions import create_cycle, current_questionnaire_version, questionnaire_of
from storage.tables import org_unit

ROOT = bc.ROOT
CYCLE = "2027/2028"

SAVER = """
import json, sys, time
from storage.access import actor_for
from storage.assessments import get_assessment, save_answer
from storage.db import make_engine
engine = make_engine(sys.argv[1])
leader = actor_for(engine, "bench-leader")
assessment_id, item = int(sys.argv[2]), sys.argv[3]
version = get_assessment(engine, leader, assessment_id).row_version
level = 1
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() == "stop":
        break
    level = level % 5 + 1
    start = time.perf_counter()
    version = save_answer(engine, leader, assessment_id, item, version, level=level)
    print(json.dumps([time.time(), (time.perf_counter() - start) * 1000]), flush=True)
"""

IMPORTER = """
import json, sys, time
from storage.actors import SYSTEM
from storage.db import make_engine
from storage.importing import apply_import, plan_import
engine = make_engine(sys.argv[1])
start = time.perf_counter()
plan = plan_import(engine, SYSTEM, sys.argv[2])
planned = time.perf_counter()
summary = apply_import(engine, SYSTEM, plan)
applied = time.perf_counter()
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"plan": planned - start, "apply": applied - planned, "peak_mb": peak / 1024,
                  "summary": summary, "began": time.time() - (applied - planned)}), flush=True)
"""

FLOOR = """
import sys, time
import pandas as pd
from sqlalchemy import text
from storage.db import make_engine, writing
engine = make_engine(sys.argv[1])
rows = list(pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False).itertuples(index=False, name=None))
start = time.perf_counter()
with writing(engine) as connection:
    connection.exec_driver_sql("CREATE TABLE floor_rows (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT)")
    marks = ", ".join("?" * 6)
    connection.connection.driver_connection.executemany(f"INSERT INTO floor_rows VALUES ({marks})", rows)
    connection.exec_driver_sql("DROP TABLE floor_rows")
print(time.perf_counter() - start, flush=True)
"""


def prepare(data_dir: Path, folder: Path, per_unit: int) -> tuple[str, Path, int, str]:
    """A copy of the region tier with a new cycle, a leader's assessment in it, and the CSV."""
    source = bc.tier_url("region", data_dir).removeprefix("sqlite:///")
    database = folder / "region.db"
    shutil.copy(source, database)
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    start, end = dt.date(2027, 9, 1), dt.date(2028, 9, 1)
    cycle_id = create_cycle(engine, SYSTEM, CYCLE, start, end)
    with reading(engine) as connection:
        units = list(
            connection.execute(
                select(org_unit.c.id).where(org_unit.c.kind == "enhet").order_by(org_unit.c.id)
            ).scalars()
        )
        questionnaire = questionnaire_of(connection, current_questionnaire_version(connection))
    upsert_user(engine, SYSTEM, "bench-leader", "Bench Leader", [Grant("leader", units[0])])
    from storage.access import actor_for

    leader = actor_for(engine, "bench-leader")
    assessment_id = start_assessment(engine, leader, units[0], cycle_id, "consensus", role="enhetsleder")
    engine.dispose()
    items = questionnaire.items()
    rng = np.random.default_rng(2026)
    count = len(units) * per_unit * len(items)
    scored = np.tile([i.scored for i in items], len(units) * per_unit)
    levels = rng.integers(1, 6, count).astype(str)
    yes_no = np.where(rng.random(count) < 0.5, "ja", "nei")
    answer = np.where(scored, levels, yes_no)
    answer[rng.random(count) < 0.03] = "vet ikke"
    frame = pd.DataFrame(
        {
            "unit": np.repeat(units, per_unit * len(items)),
            "cycle": CYCLE,
            "respondent": np.tile(np.repeat([f"r{n:02d}" for n in range(per_unit)], len(items)), len(units)),
            "item": np.tile([i.id for i in items], len(units) * per_unit),
            "answer": answer,
            "comment": np.where(rng.random(count) < 0.05, "Vi har en rutine for dette", ""),
        }
    )
    csv = folder / "answers.csv"
    frame.to_csv(csv, index=False)
    return url, csv, assessment_id, items[0].id


def run_python(script: str, *args: str, **options: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        text=True,
        stdout=subprocess.PIPE,
        **options,  # type: ignore[arg-type]
    )


def saves(saver: subprocess.Popen[str], seconds: float) -> list[tuple[float, float]]:
    """Ask for a save every 50 ms for `seconds`; the (time, milliseconds) of each."""
    found = []
    until = time.time() + seconds
    while time.time() < until:
        saver.stdin.write("save\n")  # type: ignore[union-attr]
        saver.stdin.flush()  # type: ignore[union-attr]
        found.append(tuple(json.loads(saver.stdout.readline())))  # type: ignore[union-attr]
        time.sleep(0.05)
    return found  # type: ignore[return-value]


def bench_import(data_dir: Path, per_unit: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as name:
        folder = Path(name)
        url, csv, assessment_id, item = prepare(data_dir, folder, per_unit)
        rows = sum(1 for _ in csv.open()) - 1
        saver = run_python(SAVER, url, str(assessment_id), item, stdin=subprocess.PIPE)
        assert saver.stdout.readline().strip() == "ready"  # type: ignore[union-attr]
        alone = saves(saver, 5)
        importer = run_python(IMPORTER, url, str(csv))
        during: list[tuple[float, float]] = []
        while importer.poll() is None:
            during += saves(saver, 0.5)
        report = json.loads(importer.stdout.read())  # type: ignore[union-attr]
        saver.stdin.write("stop\n")  # type: ignore[union-attr]
        saver.stdin.close()  # type: ignore[union-attr]
        saver.wait()
        floor = float(run_python(FLOOR, url, str(csv)).communicate()[0])
    applying = [ms for at, ms in during if at >= report["began"]]
    floor_save = statistics.median(ms for _, ms in alone)
    print(f"import: {rows:,} rows, {report['summary']['assessments_created']:,} assessments")
    apply = report["apply"]
    print(f"  preview {report['plan']:.1f} s, apply {apply:.1f} s, peak memory {report['peak_mb']:.0f} MB")
    print(f"  floor (the rows written by the driver's bulk path): {floor:.1f} s; ratio {apply / floor:.1f}")
    longest = max(ms for _, ms in alone)
    print(f"  saves with no import: median {floor_save:.1f} ms, longest {longest:.1f} ms (n={len(alone)})")
    if applying:
        ordered = sorted(applying)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"  saves during the apply: median {statistics.median(ordered):.1f} ms, p95 {p95:.0f} ms, "
            f"longest {ordered[-1]:.0f} ms (n={len(ordered)}); "
            f"longest / floor median {ordered[-1] / floor_save:.0f}"
        )


def first_render(script: Path, cwd: Path, port: int) -> float:
    """Seconds from launching `streamlit run script` until Chromium shows its page drawn."""
    with bc.chromium() as browser:
        start = time.perf_counter()
        with bc.serve(script, port, cwd) as server:
            page = browser.new_page(viewport=bc.VIEWPORT)
            page.set_default_timeout(bc.TIMEOUT_MS)
            page.goto(server.base + "/")
            bc.wait_idle(page)
            seconds = time.perf_counter() - start - 0.2  # wait_idle's own pause
            page.close()
    return seconds


def bench_render(port: int, runs: int = 3) -> None:
    ours, floors = [], []
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-clone-") as name:
            clone = Path(name) / "clone"
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
            ours.append(first_render(clone / "app.py", clone, port))
        with bc.floor_app("import streamlit as st\nst.write('Hei')\n") as script:
            floors.append(first_render(script, script.parent, port + 1))
        print(f"  run {run + 1}: fresh clone {ours[-1]:.2f} s, one-line app {floors[-1]:.2f} s", flush=True)
    mine, floor = statistics.median(ours), statistics.median(floors)
    print(
        f"first render: fresh clone median {mine:.2f} s, one-line app median {floor:.2f} s; "
        f"ratio {mine / floor:.2f} (goal <= 2)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("/work/benchdata"))
    parser.add_argument("--rows-per-unit", type=int, default=18, help="respondents per unit")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-render", action="store_true")
    parser.add_argument("--port", type=int, default=8641)
    args = parser.parse_args()
    if not args.skip_import:
        bench_import(args.data_dir, args.rows_per_unit)
    if not args.skip_render:
        bench_render(args.port)


if __name__ == "__main__":
    main()
