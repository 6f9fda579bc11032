"""A process killed (SIGKILL) in the middle of a write leaves the database consistent,
holding all of that write or none of it. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from storage import assessments as svc
from storage.db import is_sqlite, reading
from storage.tables import assessment, assessment_score, audit_log, metadata, unit_result

from .conftest import ROOT, Clinic, full_answers

IMPORT = """
import sys
from storage.access import actor_for
from storage.db import make_engine
from storage.importing import apply_import, plan_import
engine = make_engine(sys.argv[1])
admin = actor_for(engine, "admin")
print(apply_import(engine, admin, plan_import(engine, admin, sys.argv[2]), batch_rows=500), flush=True)
"""

SUBMIT = """
import sys
from storage.access import actor_for
from storage.assessments import get_assessment, submit_assessment
from storage.db import make_engine
engine = make_engine(sys.argv[1])
leader = actor_for(engine, "leader-a")
assessment_id = int(sys.argv[2])
version = get_assessment(engine, leader, assessment_id).row_version
print(submit_assessment(engine, leader, assessment_id, version), flush=True)
"""


STAGING = ("import_stage", "staged_answer", "staged_score")


def run_child(script: str, args: list[str], pause_at: str | None) -> subprocess.CompletedProcess | None:
    """Run `script`; with `pause_at`, kill it with SIGKILL once it reports that point."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if pause_at is None:
        env.pop("MATURITY_FAULT_PAUSE", None)
        done = subprocess.run(
            [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done
    env["MATURITY_FAULT_PAUSE"] = pause_at
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == f"paused at {pause_at}", child.stderr.read()  # type: ignore[union-attr]
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
    return None


def snapshot(engine) -> dict[str, int]:
    with reading(engine) as connection:
        if is_sqlite(engine):
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).first() is None
        return {
            t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


@pytest.mark.parametrize("point", ["import:staging", "import:swap"])
def test_killed_in_the_middle_of_an_import(
    clinic: Clinic, database_url: str, tmp_path: Path, point: str
) -> None:
    """Killed while its rows are staged in batches, or inside the swap that moves them into
    place: none of the import is in the app's tables. A later import goes through whole and
    removes its own staging rows."""
    rows = ["unit,cycle,respondent,item,answer"]
    for unit in "abc":
        for respondent in range(20):
            rows += [
                f"{unit},2024/2025,r{respondent},{item.id},{3 if item.scored else 'ja'}"
                for item in clinic.questionnaire.items()
            ]
    file = tmp_path / "answers.csv"
    file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = snapshot(clinic.engine)

    run_child(IMPORT, [database_url, str(file)], pause_at=point)
    killed = snapshot(clinic.engine)
    assert {k: v for k, v in killed.items() if k not in STAGING} == {
        k: v for k, v in before.items() if k not in STAGING
    }  # none of it
    assert killed["import_stage"] == 1  # what the killed import staged stays until it is stale

    run_child(IMPORT, [database_url, str(file)], pause_at=None)
    after = snapshot(clinic.engine)
    assert after["assessment"] == before["assessment"] + 60  # all of it
    assert after["answer"] == before["answer"] + len(rows) - 1
    assert after["unit_result"] == 3 * 7
    assert {k: after[k] for k in STAGING} == {k: killed[k] for k in STAGING}


@pytest.mark.parametrize("kill", [True, False], ids=["killed", "completed"])
def test_killed_in_the_middle_of_a_submission(clinic: Clinic, database_url: str, kill: bool) -> None:
    leader = clinic.actor("leader-a")
    assessment_id = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    svc.save_answers(clinic.engine, leader, assessment_id, 1, full_answers(clinic.questionnaire, 4))
    before = snapshot(clinic.engine)

    run_child(SUBMIT, [database_url, str(assessment_id)], pause_at="submit:half" if kill else None)
    after = snapshot(clinic.engine)
    with reading(clinic.engine) as connection:
        status = connection.execute(select(assessment.c.status)).scalar_one()
        scores = connection.execute(select(func.count()).select_from(assessment_score)).scalar_one()
        results = connection.execute(select(func.count()).select_from(unit_result)).scalar_one()
        submits = connection.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "submit")
        ).scalar_one()
    if kill:
        assert after == before
        assert (status, scores, results, submits) == ("draft", 0, 0, 0)
    else:
        assert (status, scores, results, submits) == ("submitted", 7, 7, 1)
