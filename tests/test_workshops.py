"""Team workshops in storage, on SQLite and PostgreSQL: three phases, participants who are
never respondents of the unit, a distribution that no later answer changes, one device one
participant, joins limited by the expected number and wrong codes by a rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, update

from storage import assessments as svc
from storage import workshops as ws
from storage.assessments import Answer
from storage.db import reading, writing
from storage.errors import AccessDenied, NotFound, ServiceError
from storage.tables import (
    assessment,
    audit_log,
    join_attempt,
    node_result,
    unit_result,
    workshop,
    workshop_participant,
    workshop_rating,
)

from .conftest import Clinic, full_answers


def opened(clinic: Clinic, expected: int = 6) -> ws.WorkshopInfo:
    return ws.start_workshop(clinic.engine, clinic.actor("leader-a"), "a", clinic.cycle_id, expected)


def rate(clinic: Clinic, token: str, level: int, submit: bool = True) -> str:
    """A new device joins, rates every question at `level` (yes on the checklist), sends in."""
    secret, _ = ws.join(clinic.engine, token)
    ws.save_ratings(clinic.engine, token, secret, full_answers(clinic.questionnaire, level))
    if submit:
        ws.submit_rating(clinic.engine, token, secret)
    return secret


def count(clinic: Clinic, table, *where) -> int:
    with reading(clinic.engine) as connection:
        return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_a_workshop_from_private_ratings_to_agreement(clinic: Clinic) -> None:
    leader = clinic.actor("leader-a")
    made = opened(clinic)
    assert made.phase == "rating" and made.token and len(made.code) == 6
    for level in (2, 3, 5):
        rate(clinic, made.token, level)
    rate(clinic, made.token, 1, submit=False)  # joined, never sent in: left out
    progress = ws.workshop_progress(clinic.engine, leader, made.id)
    assert (progress.joined, progress.submitted, progress.expected) == (4, 3, 6)
    assert ws.distribution(clinic.engine, leader, made.id) is None  # nothing before the reveal

    shown = ws.reveal(clinic.engine, leader, made.id)
    assert shown.participants == 3
    assert shown.counts["LA1"] == {"2": 1, "3": 1, "5": 1}
    assert shown.counts["LA4"] == {"yes": 3}
    assert ws.distribution(clinic.engine, leader, made.id) == ws.Distribution(
        made.id, 3, shown.counts, shown.revealed_at
    )
    # every private rating is gone, the one never sent in too; none became an assessment
    assert count(clinic, workshop_rating) == 0
    assert count(clinic, assessment, assessment.c.mode == "individual") == 0

    # the agreement goes into the unit's consensus assessment; sending it in closes the workshop
    consensus = made.consensus_assessment_id
    version = svc.save_answers(clinic.engine, leader, consensus, 1, full_answers(clinic.questionnaire, 3))
    svc.submit_assessment(clinic.engine, leader, consensus, version)
    assert ws.find_open_workshop(clinic.engine, leader, "a", clinic.cycle_id) is None
    with pytest.raises(ServiceError) as closed:
        ws.join(clinic.engine, made.token)
    assert closed.value.code == "workshop_closed"
    assert ws.invitation(clinic.engine, made.token).status == "closed"

    # the unit's result is the agreed answers alone: one respondent, every dimension at 3
    with reading(clinic.engine) as connection:
        rows = connection.execute(
            select(unit_result.c.score, unit_result.c.respondents).where(unit_result.c.unit_id == "a")
        ).all()
        rolled = connection.execute(
            select(node_result.c.respondents).where(
                node_result.c.node_id == "a", node_result.c.dimension_id == "overall"
            )
        ).scalar_one()
    assert {(r.score, r.respondents) for r in rows} == {(3.0, 1)}
    assert rolled == 1
    # the distribution stays beside the result, unchanged
    assert ws.latest_distribution(clinic.engine, clinic.actor("manager-k"), "a", clinic.cycle_id) == shown


def test_the_round_closes_only_with_three_sent_in(clinic: Clinic) -> None:
    made = opened(clinic)
    rate(clinic, made.token, 2)
    rate(clinic, made.token, 4)
    with pytest.raises(ServiceError) as refused:
        ws.reveal(clinic.engine, clinic.actor("leader-a"), made.id)
    assert refused.value.code == "too_few_ratings"
    assert "(nå 2)" in refused.value.message("nb")


def test_no_answer_changes_a_revealed_distribution(clinic: Clinic) -> None:
    made = opened(clinic)
    secrets = [rate(clinic, made.token, level) for level in (1, 2, 3)]
    late = rate(clinic, made.token, 5, submit=False)
    shown = ws.reveal(clinic.engine, clinic.actor("leader-a"), made.id)
    for secret in [*secrets, late]:
        with pytest.raises(ServiceError) as refused:
            ws.save_rating(clinic.engine, made.token, secret, "LA1", level=5)
        assert refused.value.code == "round_closed"
    with pytest.raises(ServiceError) as refused:
        ws.join(clinic.engine, made.token)
    assert refused.value.code == "round_closed"
    with pytest.raises(ServiceError):
        ws.submit_rating(clinic.engine, made.token, late)
    assert ws.distribution(clinic.engine, clinic.actor("leader-a"), made.id) == shown


def test_one_device_is_one_participant(clinic: Clinic) -> None:
    made = opened(clinic, expected=3)
    secret, first = ws.join(clinic.engine, made.token)
    again, second = ws.join(clinic.engine, made.token, secret)  # the link opened again on the device
    assert (again, second.participant_id) == (secret, first.participant_id)
    assert ws.workshop_progress(clinic.engine, clinic.actor("leader-a"), made.id).joined == 1
    # a secret from another workshop's cookie is not this workshop's participant
    other = ws.start_workshop(clinic.engine, clinic.actor("leader-c"), "c", clinic.cycle_id, 3)
    stranger, _ = ws.join(clinic.engine, other.token or "")
    _, third = ws.join(clinic.engine, made.token, stranger)
    assert third.participant_id != first.participant_id


@pytest.mark.parametrize("proposed", ["short", "x" * (ws.MAX_SECRET + 1), "y" * 150])
def test_a_secret_a_device_proposes_outside_the_limits_is_replaced(clinic: Clinic, proposed: str) -> None:
    made = opened(clinic, expected=3)
    secret, part = ws.join(clinic.engine, made.token, proposed)
    assert secret != proposed and ws.MIN_SECRET <= len(secret) <= ws.MAX_SECRET
    assert ws.participation(clinic.engine, made.token, secret) == part


def test_joins_stop_at_the_expected_number_until_the_leader_raises_it(clinic: Clinic) -> None:
    made = opened(clinic, expected=3)
    for _ in range(3):
        ws.join(clinic.engine, made.token)
    with pytest.raises(ServiceError) as full:
        ws.join(clinic.engine, made.token)
    assert full.value.code == "workshop_full"
    ws.set_expected(clinic.engine, clinic.actor("leader-a"), made.id, 4)
    ws.join(clinic.engine, made.token)
    assert ws.workshop_progress(clinic.engine, clinic.actor("leader-a"), made.id).joined == 4


def test_wrong_codes_are_rate_limited_per_client(clinic: Clinic) -> None:
    made = opened(clinic)
    assert ws.join_by_code(clinic.engine, made.code.lower(), "10.0.0.1") == made.token
    assert ws.join_by_code(clinic.engine, f" {made.code[:3]}-{made.code[3:]} ", "10.0.0.1") == made.token
    for _ in range(ws.MAX_FAILED_JOINS):
        with pytest.raises(NotFound):
            ws.join_by_code(clinic.engine, "ZZZZZZ", "10.0.0.9")
    with pytest.raises(ServiceError) as limited:
        ws.join_by_code(clinic.engine, made.code, "10.0.0.9")  # even the right code, for a while
    assert limited.value.code == "too_many_attempts"
    assert ws.join_by_code(clinic.engine, made.code, "10.0.0.2") == made.token  # others are not held up
    # after the window the client may try again
    with writing(clinic.engine) as connection:
        connection.execute(update(join_attempt).values(at=join_attempt.c.at - dt.timedelta(hours=1)))
    assert ws.join_by_code(clinic.engine, made.code, "10.0.0.9") == made.token


def test_no_workshop_for_a_unit_that_has_sent_in(clinic: Clinic) -> None:
    leader = clinic.actor("leader-a")
    aid = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    version = svc.save_answers(clinic.engine, leader, aid, 1, full_answers(clinic.questionnaire))
    svc.submit_assessment(clinic.engine, leader, aid, version)
    with pytest.raises(ServiceError) as refused:
        opened(clinic)
    assert refused.value.code == "already_submitted"
    assert count(clinic, workshop) == 0


def test_the_leaders_link_survives_a_reload(clinic: Clinic) -> None:
    made = opened(clinic)
    found = ws.find_open_workshop(clinic.engine, clinic.actor("leader-a"), "a", clinic.cycle_id)
    assert found is not None and found.token == made.token and found.code == made.code
    assert ws.invitation(clinic.engine, found.token or "").workshop_id == made.id


def test_cancelling_deletes_the_ratings_unseen(clinic: Clinic) -> None:
    made = opened(clinic)
    for level in (1, 2, 3):
        rate(clinic, made.token, level)
    ws.close_workshop(clinic.engine, clinic.actor("leader-a"), made.id)
    assert count(clinic, workshop_rating) == 0
    assert ws.distribution(clinic.engine, clinic.actor("leader-a"), made.id) is None
    with pytest.raises(ServiceError):
        ws.join(clinic.engine, made.token)


def test_ratings_never_reach_the_audit_log(clinic: Clinic) -> None:
    made = opened(clinic)
    for level in (1, 4, 5):
        rate(clinic, made.token, level)
    with reading(clinic.engine) as connection:
        entries = connection.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.after).where(
                audit_log.c.entity == "workshop"
            )
        ).all()
    assert sorted({(e.actor, e.action) for e in entries}) == [
        ("deltaker", "join"),
        ("deltaker", "rate"),
        ("leader-a", "create"),
    ]
    assert not any('"level"' in (e.after or "") for e in entries)
    assert made.token not in " ".join(e.after or "" for e in entries)


def test_only_the_units_leader_runs_the_workshop(clinic: Clinic) -> None:
    made = opened(clinic)
    for name in ("leader-c", "manager-k", "advisor", "nobody"):
        with pytest.raises(AccessDenied):
            ws.workshop_progress(clinic.engine, clinic.actor(name), made.id)
        with pytest.raises(AccessDenied):
            ws.reveal(clinic.engine, clinic.actor(name), made.id)
        with pytest.raises(AccessDenied):
            ws.close_workshop(clinic.engine, clinic.actor(name), made.id)
    assert ws.find_open_workshop(clinic.engine, clinic.actor("leader-c"), "a", clinic.cycle_id) is None


def test_a_rating_must_fit_the_question(clinic: Clinic) -> None:
    made = opened(clinic)
    secret, _ = ws.join(clinic.engine, made.token)
    for answer in (
        Answer("LA1", yes=True),
        Answer("LA4", level=3),
        Answer("LA1", level=9),
        Answer("NOPE", level=3),
        Answer("LA1"),
    ):
        with pytest.raises(ServiceError):
            ws.save_ratings(clinic.engine, made.token, secret, [answer])
    with pytest.raises(ServiceError) as incomplete:
        ws.submit_rating(clinic.engine, made.token, secret)
    assert incomplete.value.code == "incomplete"
    with pytest.raises(NotFound):
        ws.save_rating(clinic.engine, made.token, "not-a-participant", "LA1", level=3)
    with pytest.raises(NotFound):
        ws.invitation(clinic.engine, "not-a-token")


def test_participants_submitted_elsewhere_do_not_count_twice(clinic: Clinic) -> None:
    """A secret sends in once: a second send-in is refused, so no device weighs double."""
    made = opened(clinic)
    secret = rate(clinic, made.token, 3)
    with pytest.raises(ServiceError) as again:
        ws.submit_rating(clinic.engine, made.token, secret)
    assert again.value.code == "rating_submitted"
    assert count(clinic, workshop_participant, workshop_participant.c.submitted_at.is_not(None)) == 1


def test_the_upgrade_makes_old_participant_answers_anonymous(tmp_path) -> None:
    """Before 0003 each participant was an assessment of the unit. The upgrade keeps an open
    workshop's ratings as private ratings (the same links go on), a closed one's as its
    distribution, and deletes the assessments; the unit's result is scored again."""
    from alembic import command

    from storage.actors import SYSTEM
    from storage.db import alembic_config, make_engine, migrate
    from storage.tables import answer

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with writing(engine) as connection:
        command.upgrade(alembic_config(connection), "0002")
    old = make_clinic_at_0002(engine)
    now = dt.datetime(2024, 10, 1)
    with writing(engine) as connection:
        ids = {}
        for number, (unit, status) in enumerate((("a", "closed"), ("c", "open")), start=1):
            ids[unit] = connection.execute(
                insert(workshop).values(
                    unit_id=unit,
                    cycle_id=old,
                    questionnaire_version_id=1,
                    code=f"CODE{number}",
                    token_hash=f"hash{number}",
                    status=status,
                    created_by="leader",
                    created_at=now,
                    closed_at=now if status == "closed" else None,
                )
            ).inserted_primary_key[0]
        for unit, levels in (("a", (1, 3, 5)), ("c", (2, 4))):
            for n, level in enumerate(levels):
                aid = connection.execute(
                    insert(assessment).values(
                        unit_id=unit,
                        cycle_id=old,
                        questionnaire_version_id=1,
                        respondent=f"ws{ids[unit]}-secret{n}",
                        mode="individual",
                        status="submitted",
                        workshop_id=ids[unit],
                        created_by="participant",
                        created_at=now,
                        updated_at=now,
                        submitted_at=now,
                        row_version=2,
                    )
                ).inserted_primary_key[0]
                connection.execute(
                    insert(answer).values(
                        assessment_id=aid, item_id="LA1", level=level, updated_by="p", updated_at=now
                    )
                )
    migrate(engine)
    with reading(engine) as connection:
        assert connection.execute(select(func.count()).select_from(assessment)).scalar_one() == 0
        rows = {
            r.unit_id: r
            for r in connection.execute(select(workshop.c.unit_id, workshop.c.phase, workshop.c.participants))
        }
        kept = connection.execute(select(workshop_rating.c.level).order_by(workshop_rating.c.level)).scalars()
        assert list(kept) == [2, 4]  # the open workshop's participants can go on
    assert (rows["a"].phase, rows["a"].participants) == ("revealed", 3)
    assert rows["c"].phase == "rating"
    shown = ws.distribution(engine, SYSTEM, ids["a"])
    assert shown is not None and shown.counts == {"LA1": {"1": 1, "3": 1, "5": 1}}
    token = ws.find_open_workshop(engine, SYSTEM, "c", old)
    assert token is not None and token.token  # a new link for the open one
    assert ws.participation(engine, token.token, "secret0") is not None  # the old secret still works


def make_clinic_at_0002(engine) -> int:
    """The small clinic's units and a cycle, written as the 0002 schema had them."""
    from storage.tables import cycle, org_unit, org_unit_version, questionnaire_version, setting

    from .conftest import DEFAULT_QUESTIONNAIRE

    moment = dt.datetime(2024, 1, 1)
    with writing(engine) as connection:
        connection.execute(
            insert(questionnaire_version).values(
                id=1,
                questionnaire_id="ledelse-og-kvalitetsforbedring",
                version="x",
                content_hash="h",
                yaml_text=DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"),
                created_at=moment,
            )
        )
        connection.execute(insert(setting).values(key="questionnaire_version", value="1"))
        for unit in ("a", "c"):
            connection.execute(insert(org_unit).values(id=unit, kind="enhet", created_at=moment))
            connection.execute(
                insert(org_unit_version).values(
                    unit_id=unit,
                    parent_id=None,
                    name_nb=unit,
                    name_en=unit,
                    valid_from=dt.date(2020, 1, 1),
                    change="created",
                )
            )
        return connection.execute(
            insert(cycle).values(
                label="2024/2025", starts_on=dt.date(2024, 9, 1), ends_on=dt.date(2025, 9, 1), status="open"
            )
        ).inserted_primary_key[0]
