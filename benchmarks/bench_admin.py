"""Benchmark: administration at the national tier without stopping the app (issue 11).

On a copy of the national tier's SQLite database (20,000 units, six cycles of results):

- Tree changes: renaming and moving one unit through the services (`storage.org`), each
  against its floor, the same rows written bare in one transaction (the unit's version
  ended and a new one added, the audit entry, the derived rows the change touches: for a
  rename the unit's node; for a move its node and result rows and the result rows of the
  nodes above it on the old and new path, deleted and written back). Goal: <= 2x the floor.
  For comparison, the full rebuild that every change of the tree did before.
- Import: 100,000 answers into the current cycle, which already has results: the preview
  and the apply, in a process of their own. Goal: the apply <= 5x the preview.
- Beside both, another process saves one answer every 50 ms through the service the form
  uses, as a leader clicking would: the longest save is the longest a leader waited.
  Goal: no save waits more than 2 s.

    python benchmarks/bench_admin.py [--data-dir /work/benchdata] [--answers 100000]
                                     [--changes 10] [--skip-rebuild] [--skip-import]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import bench_import as bi
import browser_common as bc
import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from storage import audit, rollup
from storage.access import actor_for, upsert_user
from storage.actors import SYSTEM, Grant
from storage.assessments import start_assessment
from storage.db import make_engine, reading, writing
from storage.definitions import current_questionnaire_version, cycle_id_of, questionnaire_of
from storage.demo import CURRENT_CYCLE
from storage.org import move_unit, rename_unit
from storage.tables import audit_log, node_result, org_node, org_unit_version

CHANGER = """
import json, sys, time
from storage.actors import SYSTEM
from storage.db import make_engine
from storage.org import move_unit, rename_unit
engine = make_engine(sys.argv[1])
moves = json.loads(sys.argv[2])
start = time.time()
for n, (unit, parent) in enumerate(moves):
    rename_unit(engine, SYSTEM, unit, f"Omdøpt {n}", f"Renamed {n}")
    move_unit(engine, SYSTEM, unit, parent)
print(json.dumps({"began": start, "changes": 2 * len(moves), "seconds": time.time() - start}))
"""


def prepare(data_dir: Path, folder: Path) -> tuple[str, int, str, list[str], dict[str, str]]:
    """A copy of the national tier with a leader's draft in the current cycle; the leaves and
    each leaf's parent."""
    source = bc.tier_url("national", data_dir).removeprefix("sqlite:///")
    database = folder / "national.db"
    shutil.copy(source, database)
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    with reading(engine) as connection:
        tree = connection.execute(select(org_node.c.unit_id, org_node.c.parent_id, org_node.c.leaf)).all()
    leaves = sorted(r.unit_id for r in tree if r.leaf)
    parents = {r.unit_id: r.parent_id for r in tree}
    upsert_user(engine, SYSTEM, "bench-leader", "Bench Leader", [Grant("leader", leaves[0])])
    leader = actor_for(engine, "bench-leader")
    cycle_id = cycle_id_of(engine, CURRENT_CYCLE)
    assessment_id = start_assessment(engine, leader, leaves[0], cycle_id, "consensus", role="enhetsleder")
    with reading(engine) as connection:
        item = questionnaire_of(connection, current_questionnaire_version(connection)).items()[0].id
    engine.dispose()
    return url, assessment_id, item, leaves, parents


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def bare_rename(engine: Engine, unit: str, n: int) -> None:
    """The rows a rename writes (the unit's version ended and a new one added, the audit
    entry, its node), without reading anything first."""
    with writing(engine) as connection:
        connection.execute(
            update(org_unit_version)
            .where(org_unit_version.c.unit_id == unit, org_unit_version.c.valid_to.is_(None))
            .values(valid_to=dt.date.today())
        )
        connection.execute(
            insert(org_unit_version).values(
                unit_id=unit,
                parent_id=None,
                name_nb=f"Bar {n}",
                name_en=f"Bare {n}",
                valid_from=dt.date.today(),
                valid_to=dt.date.today() + dt.timedelta(days=1),
                change="renamed",
            )
        )
        connection.execute(insert(audit_log).values(**_audit_entry(unit)))
        connection.execute(
            update(org_node).where(org_node.c.unit_id == unit).values(name_nb=f"Bar {n}", name_en=f"Bare {n}")
        )


def bare_move(engine: Engine, unit: str, above: list[str]) -> None:
    """The rows a move writes: the version, the audit entry, the unit's node and result rows,
    and the result rows of the nodes above it, deleted and written back as they were."""
    with reading(engine) as connection:
        kept = [
            r._asdict()
            for r in connection.execute(select(node_result).where(node_result.c.node_id.in_(above)))
        ]
    with writing(engine) as connection:
        connection.execute(
            update(org_unit_version)
            .where(org_unit_version.c.unit_id == unit, org_unit_version.c.valid_to.is_(None))
            .values(name_nb="Flyttet")
        )
        connection.execute(insert(audit_log).values(**_audit_entry(unit)))
        connection.execute(update(org_node).where(org_node.c.unit_id == unit).values(depth=org_node.c.depth))
        connection.execute(
            update(node_result).where(node_result.c.node_id == unit).values(path=node_result.c.path)
        )
        connection.execute(
            update(org_node).where(org_node.c.unit_id.in_(above)).values(leaves=org_node.c.leaves)
        )
        connection.execute(delete(node_result).where(node_result.c.node_id.in_(above)))
        if kept:
            connection.execute(insert(node_result), kept)


def _audit_entry(unit: str) -> dict[str, object]:
    return {"at": audit.now(), "actor": "bench", "action": "bare", "entity": "org_unit", "entity_id": unit}


def path_above(engine: Engine, unit: str) -> list[str]:
    with reading(engine) as connection:
        path = connection.execute(select(org_node.c.path).where(org_node.c.unit_id == unit)).scalar_one()
    return [p for p in path.split("/") if p][:-1]


def bench_tree(url: str, leaves: list[str], parents: dict[str, str], changes: int, rebuild: bool) -> None:
    engine = make_engine(url)
    sections = sorted({parents[leaf] for leaf in leaves})
    picked = leaves[1 :: max(1, len(leaves) // (4 * changes))][: 2 * changes]
    renames = [
        timed(lambda u=u, n=n: rename_unit(engine, SYSTEM, u, f"Ny {n}", f"New {n}"))
        for n, u in enumerate(picked)
    ]
    others = leaves[2 :: max(1, len(leaves) // (4 * changes))][: 2 * changes]  # the bare writes' own units
    bare_renames = [timed(lambda u=u, n=n: bare_rename(engine, u, n)) for n, u in enumerate(others)]
    moves, bare_moves = [], []
    for n, unit in enumerate(picked):
        target = sections[(sections.index(parents[unit]) + len(sections) // 2 + n) % len(sections)]
        above = sorted(set(path_above(engine, unit)) | set(path_above(engine, target)) | {target})
        moves.append(timed(lambda u=unit, p=target: move_unit(engine, SYSTEM, u, p)))
        bare_moves.append(timed(lambda u=unit, a=above: bare_move(engine, u, a)))
    rename, bare_r = statistics.median(renames), statistics.median(bare_renames)
    move, bare_m = statistics.median(moves), statistics.median(bare_moves)
    print(f"tree changes ({len(picked)} each, medians):")
    print(
        f"  rename {rename * 1000:.1f} ms, floor {bare_r * 1000:.1f} ms, "
        f"ratio {rename / bare_r:.2f} (goal <= 2)"
    )
    print(
        f"  move   {move * 1000:.1f} ms, floor {bare_m * 1000:.1f} ms, ratio {move / bare_m:.2f} (goal <= 2)"
    )
    if rebuild:
        with writing(engine) as connection:
            took = timed(lambda: rollup.rebuild(connection))
        print(f"  a full rebuild of the rollups (what each change did before): {took:.1f} s")
    engine.dispose()


def answers_csv(url: str, folder: Path, answers: int) -> Path:
    """`answers` answer rows in the current cycle, two respondents per unit, for the leaves
    after the first thousand (whose stored results the import leaves alone)."""
    engine = make_engine(url)
    with reading(engine) as connection:
        items = questionnaire_of(connection, current_questionnaire_version(connection)).items()
        units = sorted(
            connection.execute(select(org_node.c.unit_id).where(org_node.c.leaf.is_(True))).scalars()
        )
    engine.dispose()
    per_unit = 2
    count_units = max(1, answers // (per_unit * len(items)))
    chosen = units[1_000 : 1_000 + count_units]
    rng = np.random.default_rng(11)
    count = len(chosen) * per_unit * len(items)
    scored = np.tile([i.scored for i in items], len(chosen) * per_unit)
    answer = np.where(
        scored, rng.integers(1, 6, count).astype(str), np.where(rng.random(count) < 0.5, "ja", "nei")
    )
    frame = pd.DataFrame(
        {
            "unit": np.repeat(chosen, per_unit * len(items)),
            "cycle": CURRENT_CYCLE,
            "respondent": np.tile(np.repeat(["import-1", "import-2"], len(items)), len(chosen)),
            "item": np.tile([i.id for i in items], len(chosen) * per_unit),
            "answer": answer,
        }
    )
    path = folder / "answers.csv"
    frame.to_csv(path, index=False)
    return path


def beside_saves(
    url: str, assessment_id: int, item: str, script: str, *args: str
) -> tuple[dict, list[float]]:
    """Run `script` in a process of its own while another saves an answer every 50 ms;
    its report and the saves' times (ms) while it ran."""
    saver = bi.run_python(bi.SAVER, url, str(assessment_id), item, stdin=subprocess.PIPE)
    assert saver.stdout.readline().strip() == "ready"  # type: ignore[union-attr]
    alone = [ms for _, ms in bi.saves(saver, 3)]
    worker = bi.run_python(script, url, *args)
    during: list[tuple[float, float]] = []
    while worker.poll() is None:
        during += bi.saves(saver, 0.5)
    report = json.loads(worker.stdout.read())  # type: ignore[union-attr]
    saver.stdin.write("stop\n")  # type: ignore[union-attr]
    saver.stdin.close()  # type: ignore[union-attr]
    saver.wait()
    report["alone_median_ms"] = statistics.median(alone)
    return report, [ms for at, ms in during if at >= report["began"]]


def print_saves(label: str, report: dict, saves: list[float]) -> None:
    if not saves:
        print(f"  {label}: no save fell in the window")
        return
    ordered = sorted(saves)
    print(
        f"  saves during {label}: median {statistics.median(ordered):.1f} ms (alone "
        f"{report['alone_median_ms']:.1f}), p95 {ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms, "
        f"longest {ordered[-1]:.0f} ms (goal <= 2000; n={len(ordered)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/work/benchdata"))
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-admin-") as name:
        folder = Path(name)
        url, assessment_id, item, leaves, parents = prepare(args.data_dir, folder)
        bench_tree(url, leaves, parents, args.changes, not args.skip_rebuild)
        sections = sorted({parents[leaf] for leaf in leaves})
        moving = [
            [leaf, sections[(sections.index(parents[leaf]) + 7) % len(sections)]] for leaf in leaves[-10:]
        ]
        report, during = beside_saves(url, assessment_id, item, CHANGER, json.dumps(moving))
        print(f"  {report['changes']} renames and moves in another process: {report['seconds']:.1f} s")
        print_saves("the changes", report, during)
        if not args.skip_import:
            csv = answers_csv(url, folder, args.answers)
            rows = sum(1 for _ in csv.open()) - 1
            report, during = beside_saves(url, assessment_id, item, bi.IMPORTER, str(csv))
            created = report["summary"]["assessments_created"]
            print(
                f"import of {rows:,} answers ({created:,} assessments) into {CURRENT_CYCLE}, "
                "which has results:"
            )
            print(
                f"  preview {report['plan']:.1f} s, apply {report['apply']:.1f} s, "
                f"ratio {report['apply'] / report['plan']:.1f} (goal <= 5)"
            )
            print_saves("the import", report, during)


if __name__ == "__main__":
    main()
