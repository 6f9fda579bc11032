"""Benchmark: storage on SQLite and PostgreSQL.

Prints, per database: median and p95 time to save one answer and to submit one
assessment; submissions per second with 8 concurrent writers; and at the national tier
(20,000 units x 6 cycles) the time to load the current cycle's score table through the
service the dashboards use, against a bare SELECT of the same rows on the driver's
cursor (the floor), as a ratio. Goals: saving an answer <= 20 ms median on SQLite; load
ratio <= 2.

    python benchmarks/bench_storage.py [--databases sqlite,postgresql] [--tier national]

PostgreSQL: MATURITY_BENCH_POSTGRES (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
each run works in a schema of its own and drops it afterwards.
"""

# ruff: noqa: E402 - imports follow the sys.path line that finds the project
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy

from storage import assessments as svc
from storage.access import actor_for, upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import make_engine, migrate, reading
from storage.definitions import (
    create_cycle,
    current_questionnaire_version,
    load_definitions,
    questionnaire_of,
)
from storage.demo import ORG_YAML, TIERS, load_tier
from storage.org import load_org_yaml
from storage.results import cycle_results
from storage.tables import cycle, unit_result

POSTGRES = os.environ.get("MATURITY_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(ordered)})"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_writes(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    load_definitions(engine, SYSTEM)
    load_org_yaml(engine, SYSTEM, ORG_YAML, on=dt.date(2020, 1, 1))
    cycle_id = create_cycle(engine, SYSTEM, "2025/2026", dt.date(2025, 9, 1), dt.date(2026, 9, 1))
    upsert_user(engine, SYSTEM, "leader", "Leader", [Grant("leader", "medisinsk-klinikk")])
    leader = actor_for(engine, "leader")
    with reading(engine) as connection:
        questionnaire = questionnaire_of(connection, current_questionnaire_version(connection))
    items = questionnaire.items()
    units = ["post-gastro", "post-hjerte", "post-lunge", "akuttmottak", "fysioterapi", "slagenheten"]

    def answers_for(level: int) -> list[svc.Answer]:
        return [svc.Answer(i.id, level=level) if i.scored else svc.Answer(i.id, yes=True) for i in items]

    # one answer at a time, as the form saves it
    assessment_id = svc.start_assessment(engine, leader, units[0], cycle_id)
    version, saves = 1, []
    for n in range(300):
        item = items[n % len(items)]
        kwargs = {"level": 1 + n % 5} if item.scored else {"yes": n % 2 == 0}
        start = time.perf_counter()
        version = svc.save_answer(engine, leader, assessment_id, item.id, version, **kwargs)
        saves.append(time.perf_counter() - start)
    print(f"  save one answer:        {percentiles(saves)}")

    submits = []
    for n in range(60):
        aid = svc.start_assessment(engine, leader, units[n % len(units)], cycle_id, "consensus", f"s{n}")
        version = svc.save_answers(engine, leader, aid, 1, answers_for(1 + n % 5))
        submits.append(
            timed(lambda aid=aid, version=version: svc.submit_assessment(engine, leader, aid, version))
        )
    print(f"  submit one assessment:  {percentiles(submits)}")

    errors: list[BaseException] = []

    def writer(thread: int) -> None:
        try:
            for n in range(25):
                aid = svc.start_assessment(
                    engine, leader, units[(thread + n) % len(units)], cycle_id, "consensus", f"w{thread}-{n}"
                )
                version = svc.save_answers(engine, leader, aid, 1, answers_for(3))
                svc.submit_assessment(engine, leader, aid, version)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    print(
        f"  8 concurrent writers:   {200 / elapsed:.1f} submissions/s (each: {len(items)} answers + submit), "
        f"{len(errors)} error(s)"
    )
    engine.dispose()


def bench_load(url: str, tier: str) -> None:
    engine = make_engine(url)
    start = time.perf_counter()
    load_tier(engine, TIERS[tier])
    print(f"  {tier} tier loaded in {time.perf_counter() - start:.0f} s")
    with reading(engine) as connection:
        cycle_id = connection.execute(
            sqlalchemy.select(cycle.c.id).order_by(cycle.c.starts_on.desc())
        ).scalar()
        rows = connection.execute(
            sqlalchemy.select(sqlalchemy.func.count())
            .select_from(unit_result)
            .where(unit_result.c.cycle_id == cycle_id)
        ).scalar()
    sql = (
        "SELECT unit_id, dimension_id, score, level, respondents, spread, stage, journey, status "
        f"FROM unit_result WHERE cycle_id = {int(cycle_id)}"
    )

    def floor() -> None:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(sql)
            cursor.fetchall()
            cursor.close()
        finally:
            raw.close()

    def service() -> None:
        cycle_results(engine, SYSTEM, cycle_id)

    floor(), service()  # warm the pool and the page cache
    floor_times = [timed(floor) for _ in range(7)]
    service_times = [timed(service) for _ in range(7)]
    f, s = statistics.median(floor_times), statistics.median(service_times)
    print(
        f"  load current cycle ({rows:,} rows): service median {s * 1000:.0f} ms, "
        f"bare SELECT {f * 1000:.0f} ms, ratio {s / f:.2f} (goal <= 2)"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--tier", choices=list(TIERS), default="national")
    args = parser.parse_args()
    for kind in args.databases.split(","):
        print(f"{kind}:")
        with database(kind) as url:
            bench_writes(url)
        with database(kind) as url:
            bench_load(url, args.tier)


if __name__ == "__main__":
    main()
