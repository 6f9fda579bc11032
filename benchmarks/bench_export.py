"""Benchmark: the results export, `python -m storage export`, as CSV and as XLSX.

Both run the same path the command runs (`stream_results` into `write_csv` or
`write_xlsx`), each in a process of its own on a tier's SQLite database: every unit's
results in every cycle (20,000 units x 6 cycles x 7 dimensions = 840,000 rows at the
national tier). Prints, per format, the median time of `--runs` runs (CSV and XLSX in turn),
the process's peak memory (VmHWM) and what a process that only imports the code holds, the
rows and the sheets written; the XLSX time against the CSV time of the same rows in the
same run (goal: ratio <= 3), and the floor: the same rows only read, by the driver's
cursor. With `--cycles 8` the tier gets two more cycles (copies of the last one's results)
in a copy of its database: 1,120,000 rows at the national tier, past Excel's 1,048,576 rows
in a sheet, so the workbook is split. With `--old` it also times the export as it was (the
whole DataFrame, then pandas and openpyxl writing the workbook in memory); slow and large at
the national tier (measured before: 120 s, 4.0 GiB).

    python benchmarks/bench_export.py [--units 20000] [--cycles 6] [--runs 3] [--old]
                                      [--data-dir /work/benchdata]

A quick run: `--units 2000` (the region tier; built in about 15 s the first time, the
national tier in 2-3 minutes, in --data-dir, and reused after).
"""

# ruff: noqa: E402 - imports follow the sys.path line that finds the project
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, literal, select

from storage.actors import SYSTEM
from storage.db import make_engine, reading, writing
from storage.definitions import create_next_cycle
from storage.demo import TIERS, demo_marker, load_tier
from storage.tables import cycle, unit_result

PEAK = 'next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024'

EXPORT = f"""
import json, sys, time
from storage.actors import SYSTEM
from storage.db import make_engine
from storage.transfer import RESULT_COLUMNS, stream_results, write_csv, write_xlsx
url, out = sys.argv[1], sys.argv[2]
engine = make_engine(url)
start = time.perf_counter()
rows = stream_results(engine, SYSTEM)
if out.endswith(".xlsx"):
    written = write_xlsx(rows, RESULT_COLUMNS, out, "Resultater")
else:
    written = write_csv(rows, RESULT_COLUMNS, out)
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "rows": written.rows, "sheets": written.sheets, "peak_mb": {PEAK}}}))
"""

OLD = f"""
import io, json, sys, time
import pandas as pd
from storage.actors import SYSTEM
from storage.db import make_engine
from storage.transfer import export_results, neutralise
engine = make_engine(sys.argv[1])
start = time.perf_counter()
frame = export_results(engine, SYSTEM)
for column in frame.columns:
    if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
        frame[column] = frame[column].map(neutralise)
buffer = io.BytesIO()
with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
    frame.to_excel(writer, index=False, sheet_name="Resultater")
open(sys.argv[2], "wb").write(buffer.getvalue())
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "rows": len(frame), "sheets": ["Resultater"], "peak_mb": {PEAK}}}))
"""

FLOOR = f"""
import json, sys, time
from storage.db import make_engine, reading
from storage.transfer import results_query
engine = make_engine(sys.argv[1])
query = results_query()
start = time.perf_counter()
with reading(engine) as connection:
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={{"literal_binds": True}}))
    cursor = connection.connection.cursor()
    cursor.execute(sql)
    rows = 0
    while chunk := cursor.fetchmany(10_000):
        rows += len(chunk)
print(json.dumps({{"seconds": time.perf_counter() - start, "rows": rows, "peak_mb": {PEAK}}}))
"""

IDLE = f"""
import json
import storage.transfer, storage.db
print(json.dumps({{"peak_mb": {PEAK}}}))
"""


def tier_database(data_dir: Path, units: int) -> Path:
    """The tier of `units` units in `data_dir` (region.db, national.db or <units>.db), built
    first if missing: into a temporary name, renamed when complete."""
    name = next((tier for tier, size in TIERS.items() if size == units), str(units))
    path = data_dir / f"{name}.db"
    if path.exists():
        engine = make_engine(f"sqlite:///{path}")
        try:
            marker = demo_marker(engine)
        finally:
            engine.dispose()
        if marker != name:
            raise SystemExit(
                f"{path} exists but holds no complete tier of {units} units ({marker!r}); remove it"
            )
        return path
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = data_dir / f"{name}.db.building"
    partial.unlink(missing_ok=True)
    print(f"building {path} ({units:,} units; 20,000 take 2-3 minutes) …", flush=True)
    start = time.perf_counter()
    engine = make_engine(f"sqlite:///{partial}")
    try:
        load_tier(engine, units)
    finally:
        engine.dispose()
    partial.rename(path)
    print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def add_cycles(path: Path, cycles: int) -> None:
    """Cycles after the tier's own six up to `cycles`, each with the last one's results."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with reading(engine) as connection:
            have = connection.execute(select(func.count()).select_from(cycle)).scalar_one()
        for _ in range(cycles - have):
            with reading(engine) as connection:
                last = connection.execute(select(func.max(cycle.c.id))).scalar_one()
            _, new = create_next_cycle(engine, SYSTEM)
            kept = [c for c in unit_result.c if c.name != "cycle_id"]
            copied = select(*kept, literal(new)).where(unit_result.c.cycle_id == last)
            with writing(engine) as connection:
                connection.execute(insert(unit_result).from_select([*kept, unit_result.c.cycle_id], copied))
    finally:
        engine.dispose()


def run(script: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(url: str, folder: Path, runs: int, old: bool) -> None:
    idle = run(IDLE)["peak_mb"]
    times: dict[str, list[float]] = {"csv": [], "xlsx": []}
    report: dict[str, dict] = {}
    for number in range(runs):
        for kind in ("csv", "xlsx"):
            out = folder / f"results.{kind}"
            report[kind] = run(EXPORT, url, str(out))
            report[kind]["bytes"] = out.stat().st_size
            times[kind].append(report[kind]["seconds"])
            out.unlink()
        print(f"  run {number + 1}: CSV {times['csv'][-1]:.1f} s, XLSX {times['xlsx'][-1]:.1f} s", flush=True)
    floor = run(FLOOR, url)
    csv_s, xlsx_s = statistics.median(times["csv"]), statistics.median(times["xlsx"])
    rows = report["csv"]["rows"]
    assert report["xlsx"]["rows"] == rows == floor["rows"], (report, floor)
    print(
        f"export of {rows:,} rows (median of {runs} runs); "
        f"a process that only imports the code peaks at {idle:.0f} MB"
    )
    print(
        f"  read only (the floor, the driver's cursor): {floor['seconds']:.1f} s, "
        f"peak {floor['peak_mb']:.0f} MB"
    )
    print(
        f"  CSV:  {csv_s:.1f} s, peak {report['csv']['peak_mb']:.0f} MB, "
        f"{report['csv']['bytes'] / 2**20:.0f} MiB file"
    )
    sheets = report["xlsx"]["sheets"]
    print(
        f"  XLSX: {xlsx_s:.1f} s, peak {report['xlsx']['peak_mb']:.0f} MB, "
        f"{report['xlsx']['bytes'] / 2**20:.0f} MiB file, {len(sheets)} sheet(s): {', '.join(sheets)}"
    )
    print(
        f"  ratio XLSX / CSV {xlsx_s / csv_s:.2f} (goal <= 3); "
        f"XLSX / read only {xlsx_s / floor['seconds']:.1f}"
    )
    if old:
        before = run(OLD, url, str(folder / "old.xlsx"))
        print(
            f"  as it was (a DataFrame, pandas + openpyxl in memory): {before['seconds']:.1f} s, "
            f"peak {before['peak_mb']:.0f} MB; ratio to CSV {before['seconds'] / csv_s:.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--units", type=int, default=TIERS["national"], help="units of the tier (default 20,000)"
    )
    parser.add_argument(
        "--cycles", type=int, default=6, help="cycles; more than the tier's 6 are added to a copy"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old", action="store_true", help="also time the export as it was")
    parser.add_argument("--data-dir", type=Path, default=Path("/work/benchdata"))
    args = parser.parse_args()
    source = tier_database(args.data_dir, args.units)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as name:
        folder = Path(name)
        database = source
        if args.cycles > 6:
            database = folder / "tier.db"
            shutil.copy(source, database)
            add_cycles(database, args.cycles)
        print(f"tier: {args.units:,} units, {args.cycles} cycles ({database})", flush=True)
        bench(f"sqlite:///{database}", folder, args.runs, args.old)


if __name__ == "__main__":
    main()
