"""Storage on SQLite and PostgreSQL: migrations, life cycle, locking, rights, import, backup."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from scoring.answers import parse_answers
from scoring.engine import score
from storage import assessments as svc
from storage.actors import SYSTEM, Actor, Grant
from storage.backup import backup, restore
from storage.db import alembic_config, make_engine, migrate, reading, writing
from storage.errors import AccessDenied, Conflict, ImportRejected, ServiceError
from storage.importing import apply_import, plan_import
from storage.org import merge_units, move_unit, rename_unit
from storage.planning import (
    add_action_item,
    list_action_items,
    progress_to_target,
    set_target,
    update_action_item,
)
from storage.tables import (
    assessment,
    assessment_score,
    audit_log,
    metadata,
    node_result,
    org_node,
    unit_result,
)
from storage.tree import tree_at, tree_during, unit_history

from .conftest import Clinic, fresh_database, full_answers, in_threads


def submitted(
    clinic: Clinic,
    actor_name: str,
    unit: str,
    level: int = 3,
    respondent: str | None = None,
    mode: str = "consensus",
) -> int:
    actor = clinic.actor(actor_name)
    assessment_id = svc.start_assessment(clinic.engine, actor, unit, clinic.cycle_id, mode, respondent)
    version = svc.save_answers(
        clinic.engine, actor, assessment_id, 1, full_answers(clinic.questionnaire, level)
    )
    svc.submit_assessment(clinic.engine, actor, assessment_id, version)
    return assessment_id


def table_counts(engine) -> dict[str, int]:
    with reading(engine) as connection:
        return {
            t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


# Migrations ---------------------------------------------------------------------------


def test_migrations_from_empty_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {t.name for t in metadata.sorted_tables} <= tables
    with writing(engine) as connection:
        command.downgrade(alembic_config(connection), "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    migrate(engine)  # a second start finds nothing to do
    engine.dispose()


REWRITES = {  # every way a statement can change or remove a row of the audit log, per engine
    "update": "UPDATE audit_log SET actor = 'someone else'",
    "delete": "DELETE FROM audit_log",
    "replace": "INSERT OR REPLACE INTO audit_log (id, at, actor, action, entity, entity_id) "
    "SELECT id, at, 'someone else', action, entity, entity_id FROM audit_log",
    "replace-keyword": "REPLACE INTO audit_log (id, at, actor, action, entity, entity_id) "
    "SELECT id, at, 'someone else', action, entity, entity_id FROM audit_log",
    "upsert": "INSERT INTO audit_log (id, at, actor, action, entity, entity_id) "
    "SELECT id, at, 'x', 'x', 'x', 'x' FROM audit_log WHERE true "
    "ON CONFLICT (id) DO UPDATE SET actor = 'someone else'",
    "truncate": "TRUNCATE audit_log",
}
ON_SQLITE = ("update", "delete", "replace", "replace-keyword", "upsert")  # no TRUNCATE there
ON_POSTGRES = ("update", "delete", "upsert", "truncate")  # no REPLACE there


@pytest.mark.parametrize(
    ("kind", "rewrite"),
    [("sqlite", rewrite) for rewrite in ON_SQLITE] + [("postgresql", rewrite) for rewrite in ON_POSTGRES],
)
def test_audit_log_is_append_only(kind: str, rewrite: str, tmp_path) -> None:
    from storage import audit

    with fresh_database(kind, tmp_path) as url:
        engine = make_engine(url)
        migrate(engine)
        try:
            with writing(engine) as connection:
                audit.record(connection, "tester", "test", "thing", 1, None, {"x": 1})
            with pytest.raises(Exception, match="append-only"), writing(engine) as connection:
                connection.execute(text(REWRITES[rewrite]))
            with reading(engine) as connection:
                assert connection.execute(select(audit_log.c.actor)).scalars().all() == ["tester"]
            with writing(engine) as connection:  # and new entries are still taken
                audit.record(connection, "tester", "test", "thing", 2, None, {"x": 2})
            with reading(engine) as connection:
                assert connection.execute(select(audit_log.c.actor)).scalars().all() == ["tester", "tester"]
        finally:
            engine.dispose()


# Life cycle ---------------------------------------------------------------------------


def test_full_assessment_life_cycle_with_audit_trail(clinic: Clinic) -> None:
    engine, leader, advisor = clinic.engine, clinic.actor("leader-a"), clinic.actor("advisor")
    assessment_id = svc.start_assessment(engine, leader, "a", clinic.cycle_id)
    assert svc.start_assessment(engine, leader, "a", clinic.cycle_id) == assessment_id  # resumes
    items = clinic.questionnaire.items()
    version = 1
    for position, item in enumerate(items):
        kwargs = {"level": 1 + position % 5} if item.scored else {"yes": position % 2 == 0}
        version = svc.save_answer(
            engine, leader, assessment_id, item.id, version, comment=f"c{position}", **kwargs
        )
    view = svc.get_assessment(engine, leader, assessment_id)
    assert view.status == "draft" and view.row_version == version == len(items) + 1
    assert view.answers[items[0].id].comment == "c0"

    version = svc.submit_assessment(engine, leader, assessment_id, version)
    version = svc.validate_assessment(engine, advisor, assessment_id, version)
    assert svc.get_assessment(engine, leader, assessment_id).status == "validated"

    # stored scores equal what scoring gives for the same answers
    raw = pd.DataFrame(
        [
            (
                "a",
                "2024/2025",
                "r",
                item.id,
                str(1 + p % 5) if item.scored else ("yes" if p % 2 == 0 else "no"),
            )
            for p, item in enumerate(items)
        ],
        columns=["unit", "cycle", "respondent", "item", "answer"],
    )
    expected = score(clinic.questionnaire, parse_answers(raw, clinic.questionnaire)).table()
    with reading(engine) as connection:
        stored = pd.DataFrame(
            connection.execute(
                select(
                    unit_result.c.dimension_id, unit_result.c.score, unit_result.c.level, unit_result.c.status
                ).where(unit_result.c.unit_id == "a")
            ).all()
        )
        trail = connection.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.entity_id)
            .where(audit_log.c.entity == "assessment")
            .order_by(audit_log.c.id)
        ).all()
    merged = expected.merge(stored, left_on=expected["dimension"].astype(str), right_on="dimension_id")
    assert len(merged) == 7
    assert (merged["score_x"].round(9) == merged["score_y"].round(9)).all()
    assert set(merged["status"]) == {"validated"}
    assert [t.action for t in trail] == ["create"] + ["answer"] * len(items) + ["submit", "validate"]
    assert {t.actor for t in trail} == {"leader-a", "advisor"}
    assert trail[1].entity_id == f"{assessment_id}/{items[0].id}"


def test_submit_says_exactly_what_is_missing(clinic: Clinic) -> None:
    leader = clinic.actor("leader-a")
    assessment_id = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    answers = [a for a in full_answers(clinic.questionnaire) if a.item_id not in ("LA2", "BM4")]
    version = svc.save_answers(clinic.engine, leader, assessment_id, 1, answers)
    with pytest.raises(ServiceError) as refused:
        svc.submit_assessment(clinic.engine, leader, assessment_id, version)
    assert refused.value.code == "incomplete"
    assert refused.value.params["missing"] == ["LA2", "BM4"]
    assert refused.value.message("nb") == "Ikke besvart ennå: LA2, BM4."
    assert svc.get_assessment(clinic.engine, leader, assessment_id).status == "draft"


def test_dont_know_counts_as_answered_and_comment_keeps_the_answer(clinic: Clinic) -> None:
    leader = clinic.actor("leader-a")
    assessment_id = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    version = svc.save_answer(clinic.engine, leader, assessment_id, "LA1", 1, level=4)
    version = svc.save_answer(
        clinic.engine, leader, assessment_id, "LA1", version, comment="tavlemøte", evidence="ref"
    )
    version = svc.save_answer(clinic.engine, leader, assessment_id, "LA2", version, dont_know=True)
    answers = svc.get_assessment(clinic.engine, leader, assessment_id).answers
    assert (answers["LA1"].level, answers["LA1"].comment, answers["LA1"].evidence) == (4, "tavlemøte", "ref")
    assert answers["LA2"].answered and answers["LA2"].level is None


@pytest.mark.parametrize(
    "kwargs",
    [{"level": 6}, {"yes": True}, {"level": 3, "dont_know": True}],
    ids=["outside-scale", "yes-on-scored", "two-answers"],
)
def test_bad_answer_values_are_refused_and_change_nothing(clinic: Clinic, kwargs: dict) -> None:
    leader = clinic.actor("leader-a")
    assessment_id = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    with pytest.raises(ServiceError):
        svc.save_answer(clinic.engine, leader, assessment_id, "LA1", 1, **kwargs)
    view = svc.get_assessment(clinic.engine, leader, assessment_id)
    assert view.row_version == 1 and view.answers == {}


def test_second_writer_gets_a_conflict_not_an_overwrite(clinic: Clinic) -> None:
    leader, admin = clinic.actor("leader-a"), clinic.actor("admin")
    assessment_id = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    svc.save_answer(clinic.engine, leader, assessment_id, "LA1", 1, level=2)
    with pytest.raises(Conflict) as refused:
        svc.save_answer(clinic.engine, admin, assessment_id, "LA1", 1, level=5)  # read version 1 too
    assert "nothing of yours was overwritten" in refused.value.message("en")
    assert svc.get_assessment(clinic.engine, leader, assessment_id).answers["LA1"].level == 2


def test_returned_assessment_leaves_the_results_and_comes_back(clinic: Clinic) -> None:
    engine, leader, advisor = clinic.engine, clinic.actor("leader-a"), clinic.actor("advisor")
    assessment_id = submitted(clinic, "leader-a", "a", level=4)
    view = svc.get_assessment(engine, leader, assessment_id)
    svc.return_assessment(engine, advisor, assessment_id, view.row_version, "Legg ved måleplanen.")
    with reading(engine) as connection:
        assert connection.execute(select(unit_result).where(unit_result.c.unit_id == "a")).first() is None
    view = svc.get_assessment(engine, leader, assessment_id)
    assert (view.status, view.status_comment) == ("returned", "Legg ved måleplanen.")
    version = svc.save_answer(
        engine, leader, assessment_id, "MO1", view.row_version, level=4, evidence="måleplan"
    )
    svc.submit_assessment(engine, leader, assessment_id, version)
    with reading(engine) as connection:
        overall = connection.execute(
            select(unit_result.c.score).where(
                unit_result.c.unit_id == "a", unit_result.c.dimension_id == "overall"
            )
        ).scalar_one()
    assert overall == 4.0


def test_a_unit_counts_its_consensus_over_individual_respondents(clinic: Clinic) -> None:
    for n, level in enumerate([1, 3, 5]):
        submitted(clinic, "admin", "a", level=level, respondent=f"p{n}", mode="individual")
    with reading(clinic.engine) as connection:
        individual = dict(
            connection.execute(
                select(unit_result.c.dimension_id, unit_result.c.respondents).where(
                    unit_result.c.unit_id == "a"
                )
            ).all()
        )
    assert individual["lederansvar"] == 3
    submitted(clinic, "leader-a", "a", level=4)
    with reading(clinic.engine) as connection:
        rows = connection.execute(
            select(unit_result.c.dimension_id, unit_result.c.score, unit_result.c.respondents).where(
                unit_result.c.unit_id == "a", unit_result.c.dimension_id == "overall"
            )
        ).one()
    assert (rows.score, rows.respondents) == (4.0, 1)


# Rights -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor_name, act",
    [
        ("leader-c", lambda c, aid: svc.get_assessment(c.engine, c.actor("leader-c"), aid)),
        ("leader-c", lambda c, aid: svc.save_answer(c.engine, c.actor("leader-c"), aid, "LA1", 1, level=3)),
        ("leader-c", lambda c, aid: svc.submit_assessment(c.engine, c.actor("leader-c"), aid, 1)),
        ("leader-c", lambda c, aid: svc.start_assessment(c.engine, c.actor("leader-c"), "a", c.cycle_id)),
        ("manager-s1", lambda c, aid: svc.get_assessment(c.engine, c.actor("manager-s1"), aid)),
        (
            "manager-s1",
            lambda c, aid: svc.save_answer(c.engine, c.actor("manager-s1"), aid, "LA1", 1, level=3),
        ),
        ("advisor", lambda c, aid: svc.get_assessment(c.engine, c.actor("advisor"), aid)),
        ("manager-k", lambda c, aid: svc.validate_assessment(c.engine, c.actor("manager-k"), aid, 1)),
        ("leader-a", lambda c, aid: svc.validate_assessment(c.engine, c.actor("leader-a"), aid, 1)),
        ("nobody", lambda c, aid: svc.get_assessment(c.engine, c.actor("nobody"), aid)),
        (
            "participant-elsewhere",
            lambda c, aid: svc.save_answer(
                c.engine,
                Actor("p", "", (Grant("participant", assessment_id=aid + 100),)),
                aid,
                "LA1",
                1,
                level=3,
            ),
        ),
        ("leader-a", lambda c, aid: plan_import(c.engine, c.actor("leader-a"), io.StringIO("unit\n"))),
        ("leader-c", lambda c, aid: set_target(c.engine, c.actor("leader-c"), "a", "overall", 4)),
        ("leader-c", lambda c, aid: add_action_item(c.engine, c.actor("leader-c"), "a", c.cycle_id, "x")),
        ("leader-c", lambda c, aid: list_action_items(c.engine, c.actor("leader-c"), "a")),
        ("manager-s1", lambda c, aid: rename_unit(c.engine, c.actor("manager-s1"), "a", "X", "X")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_refusals_on_a_draft(clinic: Clinic, actor_name: str, act) -> None:
    """Nobody but the unit's leader (and admin) reads or changes the unit's draft."""
    assessment_id = svc.start_assessment(clinic.engine, clinic.actor("leader-a"), "a", clinic.cycle_id)
    with pytest.raises(AccessDenied) as refused:
        act(clinic, assessment_id)
    assert refused.value.message("nb").startswith("Du har ikke rett til å ")
    assert svc.get_assessment(clinic.engine, clinic.actor("leader-a"), assessment_id).row_version == 1


def test_who_reads_a_submitted_assessment(clinic: Clinic) -> None:
    assessment_id = submitted(clinic, "leader-a", "a")
    for reader in ("leader-a", "manager-s1", "manager-k", "advisor", "admin"):
        assert svc.get_assessment(clinic.engine, clinic.actor(reader), assessment_id).status == "submitted"
    for outsider in ("leader-c", "nobody"):
        with pytest.raises(AccessDenied):
            svc.get_assessment(clinic.engine, clinic.actor(outsider), assessment_id)
    seen = svc.list_assessments(clinic.engine, clinic.actor("leader-c"), clinic.cycle_id)
    assert seen.empty


def test_a_participant_grant_opens_no_assessment(clinic: Clinic) -> None:
    """Workshop participants rate through their device's secret (storage.workshops), never as
    a respondent of the unit: a participant grant gives no right to any assessment."""
    admin = clinic.actor("admin")
    own = svc.start_assessment(clinic.engine, admin, "a", clinic.cycle_id, "individual", "p1")
    participant = Actor("p1-token", "", (Grant("participant", assessment_id=own),))
    with pytest.raises(AccessDenied):
        svc.save_answer(clinic.engine, participant, own, "LA1", 1, level=2)


# Planning -----------------------------------------------------------------------------


def test_targets_and_action_items(clinic: Clinic) -> None:
    leader = clinic.actor("leader-a")
    submitted(clinic, "leader-a", "a", level=2)
    set_target(clinic.engine, leader, "a", "overall", 4)
    item = add_action_item(
        clinic.engine,
        leader,
        "a",
        clinic.cycle_id,
        "Innføre tavlemøter",
        "Kari",
        dt.date(2025, 3, 1),
        "medvirkning",
    )
    assert update_action_item(clinic.engine, leader, item, 1, status="done") == 2
    with pytest.raises(Conflict):
        update_action_item(clinic.engine, clinic.actor("manager-s1"), item, 1, status="dropped")
    plan = list_action_items(clinic.engine, clinic.actor("manager-s1"), "a")
    assert plan[["what", "who", "status"]].values.tolist() == [["Innføre tavlemøter", "Kari", "done"]]
    assert progress_to_target(3.0, 2.0, 4.0) == 0.5


# Organisation history -----------------------------------------------------------------


def test_history_keeps_past_assessments_attached(clinic: Clinic) -> None:
    submitted(clinic, "leader-a", "a")
    admin = clinic.actor("admin")
    rename_unit(clinic.engine, admin, "a", "Post A2", "Ward A2", on=dt.date(2025, 10, 1))
    move_unit(clinic.engine, admin, "a", "s2", on=dt.date(2025, 11, 1))
    merge_units(clinic.engine, admin, "b", "a", on=dt.date(2025, 12, 1))
    with reading(clinic.engine) as connection:
        then = tree_during(connection, dt.date(2024, 9, 1), dt.date(2025, 9, 1)).set_index("unit_id")
        now = tree_at(connection, dt.date(2026, 1, 1)).set_index("unit_id")
        kept = connection.execute(select(assessment.c.unit_id)).scalars().all()
    assert (then.loc["a", "name_nb"], then.loc["a", "parent_id"]) == ("Post A", "s1")
    assert (now.loc["a", "name_nb"], now.loc["a", "parent_id"]) == ("Post A2", "s2")
    assert "b" in then.index and "b" not in now.index
    assert kept == ["a"]
    history = unit_history(clinic.engine, "a")
    assert history["change"].tolist() == ["created", "renamed", "moved"]


# Import -------------------------------------------------------------------------------

GOOD_IMPORT = "unit,cycle,respondent,item,answer,comment\n" + "".join(
    f"{unit},2024/2025,{who},{item},{level},\n"
    for unit, who in (("a", "r1"), ("a", "r2"), ("c", "r1"))
    for item, level in (("LA1", 3), ("LA2", 4), ("LA3", 2))
)


def test_import_with_one_bad_row_changes_nothing(clinic: Clinic) -> None:
    before = table_counts(clinic.engine)
    bad = GOOD_IMPORT.replace("c,2024/2025,r1,LA2,4", "c,2024/2025,r1,LA2,9")
    with pytest.raises(ImportRejected) as refused:
        plan_import(clinic.engine, clinic.actor("admin"), io.StringIO(bad), file="svar.csv")
    assert [p.render() for p in refused.value.problems] == [
        "svar.csv:9: item 'LA2': answer '9' is not a level 1-5"
    ]
    unknown = GOOD_IMPORT.replace("c,2024", "zz,2024", 1)
    with pytest.raises(ImportRejected) as refused:
        plan_import(clinic.engine, clinic.actor("admin"), io.StringIO(unknown), file="svar.csv")
    assert [p.render() for p in refused.value.problems] == [
        "svar.csv:8: unknown unit 'zz' (not in the organisation)"
    ]
    assert table_counts(clinic.engine) == before


def test_import_preview_then_apply(clinic: Clinic) -> None:
    admin = clinic.actor("admin")
    plan = plan_import(clinic.engine, admin, io.StringIO(GOOD_IMPORT))
    assert plan.summary == {
        "rows": 9,
        "answers": 9,
        "assessments_created": 3,
        "assessments_replaced": 0,
        "units": 2,
    }
    assert apply_import(clinic.engine, admin, plan)["assessments_created"] == 3
    again = plan_import(clinic.engine, admin, io.StringIO(GOOD_IMPORT.replace(",3,", ",5,")))
    assert (len(again.creates), len(again.updates)) == (0, 3)
    apply_import(clinic.engine, admin, again)
    with reading(clinic.engine) as connection:
        rows = dict(
            connection.execute(
                select(unit_result.c.dimension_id, unit_result.c.respondents).where(
                    unit_result.c.unit_id == "a"
                )
            ).all()
        )
        count = connection.execute(select(func.count()).select_from(assessment)).scalar_one()
    assert rows["lederansvar"] == 2 and count == 3


# Concurrency --------------------------------------------------------------------------


def test_eight_threads_ten_submissions_each(clinic: Clinic) -> None:
    admin = clinic.actor("admin")
    answers = full_answers(clinic.questionnaire, level=3)

    def work(thread: int) -> None:
        for n in range(10):
            unit = "abc"[(thread + n) % 3]
            aid = svc.start_assessment(
                clinic.engine, admin, unit, clinic.cycle_id, "individual", f"t{thread}-{n}"
            )
            version = svc.save_answers(clinic.engine, admin, aid, 1, answers)
            svc.submit_assessment(clinic.engine, admin, aid, version)

    assert in_threads(work, 8) == []
    with reading(clinic.engine) as connection:
        statuses = connection.execute(select(assessment.c.status)).scalars().all()
        respondents = dict(
            connection.execute(
                select(unit_result.c.unit_id, unit_result.c.respondents).where(
                    unit_result.c.dimension_id == "overall"
                )
            ).all()
        )
        scores = connection.execute(select(func.count()).select_from(assessment_score)).scalar_one()
    assert statuses.count("submitted") == 80
    assert sum(respondents.values()) == 80  # every submission counted in its unit's result
    assert scores == 80 * 7


# Backup and restore -------------------------------------------------------------------


def test_restore_of_a_backup_gives_identical_scores(clinic: Clinic, tmp_path: Path) -> None:
    submitted(clinic, "leader-a", "a", level=3)
    submitted(clinic, "leader-c", "c", level=5)
    set_target(clinic.engine, clinic.actor("leader-a"), "a", "overall", 4)
    file = tmp_path / "backup.jsonl.gz"
    counts = backup(clinic.engine, file)
    assert counts["answer"] == 2 * len(clinic.questionnaire.items())
    for kind in ("sqlite", "postgresql"):
        with fresh_database(kind, tmp_path / kind) as url:
            (tmp_path / kind).mkdir(exist_ok=True)
            target = make_engine(url)
            migrate(target)
            assert restore(target, file) == counts
            with pytest.raises(ServiceError):
                restore(target, file)  # only into an empty database
            for table in (unit_result, assessment_score, audit_log, node_result, org_node):
                with reading(clinic.engine) as a, reading(target) as b:
                    order = list(table.primary_key.columns)
                    assert (
                        a.execute(select(table).order_by(*order)).all()
                        == b.execute(select(table).order_by(*order)).all()
                    )
            # the restored database takes new writes
            clone = Clinic(target, clinic.cycle_id, clinic.questionnaire, {"admin": SYSTEM})
            submitted(clone, "admin", "b", level=2)
            target.dispose()
