"""A database that another writer keeps locked longer than the busy timeout: the write is
refused as "busy" with nothing written, and the same write succeeds once the lock is gone."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from storage import assessments as svc
from storage.assessments import find_consensus
from storage.db import configured_busy_timeout_ms, make_engine, migrate, patience, reading, writing
from storage.errors import ServiceError
from storage.tables import answer, audit_log
from views import form

from .conftest import (
    APP,
    Clinic,
    button,
    choose,
    form_step,
    full_answers,
    make_clinic,
    open_app,
    shown_item,
    type_text,
)


@contextlib.contextmanager
def locked(engine: sqlalchemy.Engine) -> Iterator[None]:
    """Another writer holds the database's write lock until the block ends: on SQLite a plain
    sqlite3 connection in BEGIN IMMEDIATE, on PostgreSQL a transaction holding the assessment
    table in EXCLUSIVE mode (which every save of an answer needs to update)."""
    if engine.dialect.name == "sqlite":
        holder = sqlite3.connect(engine.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("LOCK TABLE assessment IN EXCLUSIVE MODE")
        yield
    finally:
        raw.rollback()
        raw.close()


def stored(engine: sqlalchemy.Engine) -> tuple[int, int]:
    """How many answers and audit entries the database holds."""
    with reading(engine) as connection:
        answers = connection.execute(select(func.count()).select_from(answer)).scalar_one()
        entries = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
    return answers, entries


def test_a_save_that_meets_a_locked_database_is_busy_and_writes_nothing(clinic: Clinic) -> None:
    engine, leader = clinic.engine, clinic.actor("leader-a")
    assessment_id = svc.start_assessment(engine, leader, "a", clinic.cycle_id)
    version = svc.get_assessment(engine, leader, assessment_id).row_version
    impatient = make_engine(engine.url, busy_timeout_ms=300)
    before = stored(engine)
    try:
        with locked(engine):
            started = time.monotonic()
            with pytest.raises(ServiceError) as refused:
                svc.save_answer(impatient, leader, assessment_id, "LA1", version, level=4)
            waited = time.monotonic() - started
            assert stored(engine) == before  # reads go on while the lock is held
        assert refused.value.code == "busy"
        assert "Nothing is lost" in refused.value.message("en")
        assert "Ingenting er tapt" in refused.value.message("nb")
        assert 0.25 <= waited < 5, waited
        assert svc.get_assessment(engine, leader, assessment_id).row_version == version

        # the lock gone, the very same save (same row version) goes through
        assert svc.save_answer(impatient, leader, assessment_id, "LA1", version, level=4) == version + 1
        assert svc.get_assessment(engine, leader, assessment_id).answers["LA1"].level == 4
    finally:
        impatient.dispose()


def test_patience_shortens_the_wait_and_the_next_write_waits_as_configured(clinic: Clinic) -> None:
    """A caller that keeps what it writes can ask to wait less than the busy timeout; the
    connection it used waits the engine's own time again for the next write."""
    engine = make_engine(clinic.engine.url, busy_timeout_ms=1500)
    leader = clinic.actor("leader-a")
    assessment_id = svc.start_assessment(engine, leader, "a", clinic.cycle_id)
    try:
        with locked(engine):
            started = time.monotonic()
            with patience(100), pytest.raises(ServiceError) as hurried:
                svc.save_answer(engine, leader, assessment_id, "LA1", 1, level=2)
            short = time.monotonic() - started
            started = time.monotonic()
            with pytest.raises(ServiceError) as waited:
                svc.save_answer(engine, leader, assessment_id, "LA1", 1, level=2)
            full = time.monotonic() - started
        assert (hurried.value.code, waited.value.code) == ("busy", "busy")
        assert short < 0.8, short
        assert 1.4 <= full < 6, full
        assert svc.save_answer(engine, leader, assessment_id, "LA1", 1, level=2) == 2
    finally:
        engine.dispose()


def test_a_write_held_by_another_thread_of_the_process_is_busy_after_the_wait(tmp_path: Path) -> None:
    """On SQLite a process lets one of its threads write at a time: a second thread waits at
    most the busy timeout for the first (e.g. a long import), then is told the database is busy."""
    engine = make_engine(f"sqlite:///{tmp_path / 'threads.db'}", busy_timeout_ms=300)
    migrate(engine)
    clinic = make_clinic(engine)
    leader = clinic.actor("leader-a")
    assessment_id = svc.start_assessment(engine, leader, "a", clinic.cycle_id)
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with writing(engine):
            holding.set()
            release.wait(10)

    worker = threading.Thread(target=long_write)
    worker.start()
    try:
        assert holding.wait(10)
        with pytest.raises(ServiceError) as refused:
            svc.save_answer(engine, leader, assessment_id, "LA1", 1, level=3)
        assert refused.value.code == "busy"
    finally:
        release.set()
        worker.join()
    assert svc.save_answer(engine, leader, assessment_id, "LA1", 1, level=3) == 2
    engine.dispose()


def test_the_busy_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MATURITY_BUSY_TIMEOUT_MS", raising=False)
    assert configured_busy_timeout_ms() == 30_000
    for wrong in ("soon", "0", "-5"):
        monkeypatch.setenv("MATURITY_BUSY_TIMEOUT_MS", wrong)
        assert configured_busy_timeout_ms() == 30_000, wrong
    monkeypatch.setenv("MATURITY_BUSY_TIMEOUT_MS", "250")
    assert configured_busy_timeout_ms() == 250
    engine = make_engine(f"sqlite:///{tmp_path / 'env.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 250
    finally:
        engine.dispose()


# In the app (AppTest) ---------------------------------------------------------------------

BUSY_NOTICE = "Databasen er opptatt et øyeblikk"


def app_answers(clinic: Clinic) -> dict[str, int | None]:
    """The levels stored for Post A's assessment, by item."""
    with reading(clinic.engine) as connection:
        rows = connection.execute(select(answer.c.item_id, answer.c.level))
        return {row.item_id: row.level for row in rows}


def notices(at: AppTest) -> list[str]:
    return [element.value for element in at.info]


@pytest.fixture
def impatient_app(app_clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> Clinic:
    """The app's engine waits 300 ms for a locked database instead of 30 s."""
    monkeypatch.setenv("MATURITY_BUSY_TIMEOUT_MS", "300")
    return app_clinic


def test_an_answer_given_while_the_database_is_busy_is_kept_and_saved_later(impatient_app: Clinic) -> None:
    at = open_app("leader-a", "app_pages/assess.py")
    button(at, "Start eller fortsett vurderingen").click().run()
    with locked(impatient_app.engine):
        choose(at, "LA1", 4)
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert any(n.startswith(BUSY_NOTICE) and "ingenting går tapt" in n for n in notices(at))
        assert shown_item(at, "LA1")["chosen"] == 4  # shown as given
        assert form_step(at)["progress"]["text"].endswith("0 av 28 spørsmål besvart")
        choose(at, "LA2", 2)  # a second answer waits beside the first

        # to the next dimension and back: what waits is still there, though that step was not drawn
        button(at, "Neste dimensjon →").click().run()
        button(at, "← Forrige dimensjon").click().run()
        assert not at.exception and not at.error
        assert (shown_item(at, "LA1")["chosen"], shown_item(at, "LA2")["chosen"]) == (4, 2)
        assert app_answers(impatient_app) == {}
    time.sleep(form.RETRY_GAP)  # the next try is due (in a browser the step's timer reruns it)
    at.run()
    assert not at.exception and not at.error
    assert app_answers(impatient_app) == {"LA1": 4, "LA2": 2}
    assert not [n for n in notices(at) if n.startswith(BUSY_NOTICE)]
    assert form_step(at)["progress"]["text"].endswith("2 av 28 spørsmål besvart")
    assert (shown_item(at, "LA1")["chosen"], shown_item(at, "LA2")["chosen"]) == (4, 2)


def test_an_answer_taken_back_while_it_waits_is_not_saved(impatient_app: Clinic) -> None:
    """The user's last word counts: a choice changed again while the database is busy saves
    the last one, and a text cleared again saves nothing."""
    at = open_app("leader-a", "app_pages/assess.py")
    button(at, "Start eller fortsett vurderingen").click().run()
    choose(at, "LA1", 3)
    assert app_answers(impatient_app) == {"LA1": 3}
    with locked(impatient_app.engine):
        choose(at, "LA1", 5)
        choose(at, "LA1", 1)
        type_text(at, "LA2", "comment", "midlertidig")
        type_text(at, "LA2", "comment", "")
        choose(at, "LA3", 2)
        choose(at, "LA3", "dk")
    time.sleep(form.RETRY_GAP)
    at.run()
    assert not at.exception and not at.error
    leader = impatient_app.actor("leader-a")
    aid = find_consensus(impatient_app.engine, leader, "a", impatient_app.cycle_id)
    stored = svc.get_assessment(impatient_app.engine, leader, aid).answers
    assert stored["LA1"].level == 1
    assert "LA2" not in stored
    assert stored["LA3"].dont_know


def test_sending_in_while_the_database_is_busy_says_so_calmly_and_keeps_the_dialog(
    impatient_app: Clinic,
) -> None:
    engine, leader = impatient_app.engine, impatient_app.actor("leader-a")
    aid = svc.start_assessment(engine, leader, "a", impatient_app.cycle_id)
    svc.save_answers(engine, leader, aid, 1, full_answers(impatient_app.questionnaire))
    at = open_app("leader-a", "app_pages/assess.py")
    at.session_state[f"step_a{aid}"] = len(impatient_app.questionnaire.dimensions) - 1
    at.run()
    button(at, "Se over og send inn").click().run()
    with locked(engine):
        button(at, "Send inn").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert any("ikke lagret ennå" in n and "prøv igjen om litt" in n for n in notices(at))
        assert button(at, "Send inn")  # the dialog is still open
        assert svc.get_assessment(engine, leader, aid).status == "draft"
    button(at, "Send inn").click().run()
    assert not at.exception, at.exception
    assert svc.get_assessment(engine, leader, aid).status == "submitted"
    assert at.title[0].value == "Resultat og tiltak"


def test_a_participant_joining_while_the_database_is_busy_is_told_calmly(impatient_app: Clinic) -> None:
    from storage import workshops as ws

    opened = ws.start_workshop(
        impatient_app.engine, impatient_app.actor("leader-a"), "a", impatient_app.cycle_id, 4
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ws"] = opened.token
    at.run()
    with locked(impatient_app.engine):
        button(at, "Begynn").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert any("ikke lagret ennå" in n for n in notices(at))
    button(at, "Begynn").click().run()
    assert not at.exception and not at.error
    assert form_step(at)["items"]


def test_a_workshop_started_while_the_database_is_busy_is_told_calmly(impatient_app: Clinic) -> None:
    from storage import workshops as ws

    def opened() -> ws.WorkshopInfo | None:
        actor = impatient_app.actor("leader-a")
        return ws.find_open_workshop(impatient_app.engine, actor, "a", impatient_app.cycle_id)

    leader = open_app("leader-a", "app_pages/workshop.py")
    with locked(impatient_app.engine):
        button(leader, "Start arbeidsmøtet").click().run()
        assert not leader.exception and not leader.error, [e.value for e in leader.error]
        assert any("ikke lagret ennå" in n for n in notices(leader))
    assert opened() is None
    button(leader, "Start arbeidsmøtet").click().run()
    assert not leader.exception and not leader.error
    assert opened() is not None


def test_a_busy_database_nobody_expected_is_the_calm_message_not_an_incident(
    app_clinic: Clinic, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import views.home

    def busy(*_: object) -> None:
        raise ServiceError("busy")

    monkeypatch.setattr(views.home, "_due", busy)
    at = open_app("leader-a")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("ikke lagret ennå" in n for n in notices(at))
    assert not [r for r in caplog.records if "incident" in r.getMessage()]
