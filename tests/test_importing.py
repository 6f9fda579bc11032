"""The bulk answers import stores exactly what the one-at-a-time path stores (scores of each
assessment, each unit's result over its counted assessments, the dashboards' sums), on
SQLite and PostgreSQL, while other assessments of the same units are counted or not by the
usual rule; and it refuses, changing nothing, when the database changed since the preview."""

from __future__ import annotations

import datetime as dt
import io
import math
import threading

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from scoring.models import Questionnaire
from storage import assessments as svc
from storage import importing, rollup
from storage.db import make_engine, reading, writing
from storage.definitions import current_questionnaire_version, questionnaire_of
from storage.demo import ensure_database
from storage.errors import ServiceError
from storage.importing import apply_import, plan_import
from storage.tables import (
    answer,
    assessment,
    assessment_score,
    audit_log,
    cycle,
    import_stage,
    node_result,
    setting,
    staged_answer,
    unit_result,
)

from .conftest import Clinic, full_answers


def answers_csv(clinic: Clinic, units: str, respondents: int, seed: int) -> str:
    """Answers of every item by a few respondents per unit: levels, yes/no, some "vet ikke",
    and a comment now and then."""
    rng = np.random.default_rng(seed)
    lines = ["unit,cycle,respondent,item,answer,comment,role"]
    for unit in units:
        for respondent in range(respondents):
            for item in clinic.questionnaire.items():
                if rng.random() < 0.08:
                    given = "vet ikke"
                elif item.scored:
                    given = str(int(rng.integers(1, 6)))
                else:
                    given = "ja" if rng.random() < 0.5 else "nei"
                comment = "Se rutinen" if rng.random() < 0.1 else ""
                lines.append(f"{unit},2024/2025,r{respondent},{item.id},{given},{comment},sykepleier")
    return "\n".join(lines) + "\n"


def stored(clinic: Clinic | Engine) -> dict[str, list[tuple]]:
    """What the bulk paths and the one-at-a-time path must agree on."""
    engine = clinic if isinstance(clinic, Engine) else clinic.engine
    with reading(engine) as connection:
        scores = connection.execute(
            select(
                assessment.c.unit_id,
                assessment.c.cycle_id,
                assessment.c.respondent,
                assessment_score.c.dimension_id,
                assessment_score.c.score,
                assessment_score.c.level,
                assessment_score.c.coverage,
            )
            .join(assessment, assessment.c.id == assessment_score.c.assessment_id)
            .order_by(
                assessment.c.unit_id,
                assessment.c.cycle_id,
                assessment.c.respondent,
                assessment_score.c.dimension_id,
            )
        ).all()
        results = connection.execute(
            select(*(c for c in unit_result.columns if c.name != "computed_at")).order_by(
                unit_result.c.unit_id, unit_result.c.cycle_id, unit_result.c.dimension_id
            )
        ).all()
        sums = connection.execute(
            select(node_result).order_by(node_result.c.node_id, node_result.c.dimension_id)
        ).all()
    return {
        "scores": [tuple(r) for r in scores],
        "results": [tuple(r) for r in results],
        "sums": [tuple(r) for r in sums],
    }


def same(left: list[tuple], right: list[tuple]) -> bool:
    def close(a: object, b: object) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        return a == b

    return len(left) == len(right) and all(
        len(x) == len(y) and all(close(a, b) for a, b in zip(x, y, strict=True))
        for x, y in zip(left, right, strict=True)
    )


def recompute_one_at_a_time(engine: Engine, questionnaire: Questionnaire) -> None:
    """Score every submitted assessment and every unit again as submitting does, unit by unit."""
    with writing(engine) as connection:
        rows = connection.execute(
            select(assessment, cycle.c.label.label("cycle_label"))
            .join(cycle, cycle.c.id == assessment.c.cycle_id)
            .where(assessment.c.status.in_(("submitted", "validated")))
        ).all()
        for row in rows:
            svc.store_assessment_scores(connection, row, questionnaire)
        for unit_id, cycle_id in sorted({(r.unit_id, r.cycle_id) for r in rows}):
            svc.refresh_unit_result(connection, unit_id, cycle_id)
        rollup.rebuild(connection)


def test_a_leader_who_sends_in_while_the_sums_are_made_is_not_overwritten(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cycle's sums are made from a snapshot outside the write lock; a unit sent in while
    they are made keeps its own sums, not the snapshot's."""
    monkeypatch.setattr(importing, "FEW_UNITS", 0)
    engine, admin, leader = clinic.engine, clinic.actor("admin"), clinic.actor("leader-a")
    consensus = svc.start_assessment(engine, leader, "a", clinic.cycle_id)
    version = svc.save_answers(engine, leader, consensus, 1, full_answers(clinic.questionnaire, 5))
    made_for = rollup._made_for

    def sent_in_meanwhile(*args, **kwargs):
        rows = made_for(*args, **kwargs)
        if svc.get_assessment(engine, leader, consensus).status != "submitted":
            svc.submit_assessment(engine, leader, consensus, version)
        return rows

    monkeypatch.setattr(rollup, "_made_for", sent_in_meanwhile)
    plan = plan_import(engine, admin, io.StringIO(answers_csv(clinic, "bc", 3, seed=9)), file="svar.csv")
    apply_import(engine, admin, plan, batch_rows=100)
    kept = stored(clinic)["sums"]
    with writing(engine) as connection:
        rollup.rebuild(connection)
    assert same(kept, stored(clinic)["sums"])
    names = [c.name for c in node_result.columns]
    a = [dict(zip(names, row, strict=True)) for row in kept]
    assert [r["submitted"] for r in a if r["node_id"] == "a" and r["dimension_id"] == "overall"] == [1]


@pytest.mark.parametrize("sums", ["unit by unit", "cycle at once"])
def test_import_stores_what_submitting_would(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch, sums: str
) -> None:
    if sums == "cycle at once":
        monkeypatch.setattr(importing, "FEW_UNITS", 0)
    engine, admin = clinic.engine, clinic.actor("admin")
    # unit a: its leader's consensus assessment is what counts, not the imported ones;
    # unit c: an individual assessment entered in the app counts beside the imported ones
    leader = clinic.actor("leader-a")
    consensus = svc.start_assessment(engine, leader, "a", clinic.cycle_id)
    svc.submit_assessment(
        engine,
        leader,
        consensus,
        svc.save_answers(engine, leader, consensus, 1, full_answers(clinic.questionnaire, 2)),
    )
    own = svc.start_assessment(engine, admin, "c", clinic.cycle_id, "individual", "r-app")
    svc.submit_assessment(
        engine, admin, own, svc.save_answers(engine, admin, own, 1, full_answers(clinic.questionnaire, 4))
    )

    plan = plan_import(engine, admin, io.StringIO(answers_csv(clinic, "abc", 4, seed=7)), file="svar.csv")
    apply_import(engine, admin, plan, batch_rows=100)
    again = plan_import(engine, admin, io.StringIO(answers_csv(clinic, "bc", 3, seed=8)), file="svar2.csv")
    assert (len(again.creates), len(again.updates)) == (0, 6)
    apply_import(engine, admin, again, batch_rows=100)
    by_import = stored(clinic)
    with reading(engine) as connection:
        mark = connection.execute(select(setting.c.value).where(setting.c.key == rollup.SETTING)).scalar()
    assert mark is not None and mark != rollup.STALE  # the sums caught up after the swap

    recompute_one_at_a_time(engine, clinic.questionnaire)
    one_at_a_time = stored(clinic)
    for part in ("scores", "results", "sums"):
        assert same(by_import[part], one_at_a_time[part]), part
    with reading(engine) as connection:
        respondents = dict(
            connection.execute(
                select(unit_result.c.unit_id, unit_result.c.respondents).where(
                    unit_result.c.dimension_id == "overall"
                )
            ).all()
        )
        roles = set(
            connection.execute(
                select(assessment.c.role).where(
                    assessment.c.mode == "individual", assessment.c.respondent != "r-app"
                )
            ).scalars()
        )
        staged = connection.execute(select(func.count()).select_from(staged_answer)).scalar_one()
        stages = connection.execute(select(func.count()).select_from(import_stage)).scalar_one()
        entries = connection.execute(
            select(func.count())
            .select_from(audit_log)
            .where(audit_log.c.action == "import", audit_log.c.entity == "assessment")
        ).scalar_one()
    assert respondents == {"a": 1, "b": 4, "c": 5}  # a: consensus; c: four imported and one of the app's
    assert roles == {"sykepleier"}
    assert (staged, stages) == (0, 0)
    assert entries == 12 + 6


def test_import_refused_when_an_assessment_was_validated_after_the_preview(clinic: Clinic) -> None:
    engine, admin = clinic.engine, clinic.actor("admin")
    first = plan_import(engine, admin, io.StringIO(answers_csv(clinic, "a", 1, seed=1)))
    apply_import(engine, admin, first)
    plan = plan_import(engine, admin, io.StringIO(answers_csv(clinic, "ab", 1, seed=2)))
    with reading(engine) as connection:
        row = connection.execute(select(assessment).where(assessment.c.unit_id == "a")).one()
    svc.validate_assessment(engine, clinic.actor("advisor"), row.id, row.row_version)
    before = stored(clinic)
    with pytest.raises(ServiceError) as refused:
        apply_import(engine, admin, plan)
    assert refused.value.code == "import_outdated"
    assert stored(clinic) == before
    with reading(engine) as connection:
        assert connection.execute(select(func.count()).select_from(assessment)).scalar_one() == 1
        assert connection.execute(select(func.count()).select_from(staged_answer)).scalar_one() == 0


def test_a_stale_stage_is_removed_by_the_next_import(clinic: Clinic) -> None:
    """An import that died left its staged rows; one more than six hours old goes with the next."""
    engine, admin = clinic.engine, clinic.actor("admin")
    with writing(engine) as connection:
        connection.execute(
            import_stage.insert().values(
                id="dead", file="x.csv", created_by="admin", created_at=dt.datetime(2020, 1, 1)
            )
        )
        connection.execute(
            staged_answer.insert(),
            [
                {
                    "stage_id": "dead",
                    "assessment_id": 900 + n,
                    "item_id": "LA1",
                    "level": 3,
                    "yes": None,
                    "dont_know": False,
                    "comment": None,
                }
                for n in range(5)
            ],
        )
    apply_import(engine, admin, plan_import(engine, admin, io.StringIO(answers_csv(clinic, "a", 1, seed=3))))
    with reading(engine) as connection:
        assert connection.execute(select(func.count()).select_from(staged_answer)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(import_stage)).scalar_one() == 0


def test_the_demo_stores_what_submitting_would(tmp_path) -> None:
    """The demo clinic's years are written by the bulk loaders; scored one assessment and one
    unit at a time, as the form would have, they come out the same."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    ensure_database(engine)
    with reading(engine) as connection:
        questionnaire = questionnaire_of(connection, current_questionnaire_version(connection))
        statuses = dict(
            connection.execute(select(assessment.c.status, func.count()).group_by(assessment.c.status)).all()
        )
    by_loader = stored(engine)
    recompute_one_at_a_time(engine, questionnaire)
    one_at_a_time = stored(engine)
    for part in ("scores", "results", "sums"):
        assert same(by_loader[part], one_at_a_time[part]), part
    assert len(by_loader["results"]) > 100
    assert set(statuses) == {"draft", "submitted", "validated"}
    engine.dispose()


def test_an_assessment_started_while_an_import_is_staged_keeps_its_own(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import reserves its new assessments' ids before it stages their answers; a leader
    who starts an assessment meanwhile gets an id of their own, and each answer lands in
    the assessment it was imported for."""
    engine, admin, leader = clinic.engine, clinic.actor("admin"), clinic.actor("leader-c")
    started: list[int] = []
    original = importing._unit_results

    def meanwhile(*args, **kwargs):
        started.append(svc.start_assessment(engine, leader, "c", clinic.cycle_id))
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "_unit_results", meanwhile)
    apply_import(
        engine, admin, plan_import(engine, admin, io.StringIO(answers_csv(clinic, "abc", 2, seed=4)))
    )
    with reading(engine) as connection:
        counts = dict(
            connection.execute(
                select(assessment.c.respondent + "@" + assessment.c.unit_id, func.count(answer.c.item_id))
                .join(answer, answer.c.assessment_id == assessment.c.id, isouter=True)
                .group_by(assessment.c.id)
            ).all()
        )
    items = len(clinic.questionnaire.items())
    assert counts == {f"r{n}@{u}": items for n in range(2) for u in "abc"} | {"leader-c@c": 0}
    assert len(started) == 1


def test_answers_saved_during_an_import_are_all_kept(clinic: Clinic) -> None:
    """A leader answers while an import is applied (in batches, in another thread): every
    save goes through, in order, and the import arrives whole."""
    engine, admin, leader = clinic.engine, clinic.actor("admin"), clinic.actor("leader-c")
    assessment_id = svc.start_assessment(engine, leader, "c", clinic.cycle_id)
    plan = plan_import(engine, admin, io.StringIO(answers_csv(clinic, "ab", 60, seed=5)))
    done: list[dict] = []
    worker = threading.Thread(target=lambda: done.append(apply_import(engine, admin, plan, batch_rows=300)))
    worker.start()
    version, saved = 1, []
    while worker.is_alive() or len(saved) < 5:
        level = len(saved) % 5 + 1
        version = svc.save_answer(engine, leader, assessment_id, "LA1", version, level=level)
        saved.append(level)
    worker.join()
    with reading(engine) as connection:
        stored_level = connection.execute(
            select(answer.c.level).where(answer.c.assessment_id == assessment_id, answer.c.item_id == "LA1")
        ).scalar_one()
        imported = connection.execute(
            select(func.count()).select_from(answer).where(answer.c.assessment_id != assessment_id)
        ).scalar_one()
    assert done and done[0]["assessments_created"] == 120
    assert version == 1 + len(saved) and stored_level == saved[-1]
    assert imported == len(plan.answers)
