"""The PostgreSQL role the app connects as in a deployment (storage/roles.py): the app's work
goes through, and nothing it may run rewrites the audit log or switches its guards off."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from storage import assessments as svc
from storage.cli import main
from storage.db import make_engine, migrate, reading
from storage.tables import audit_log

from .conftest import POSTGRES_URL, fresh_database, make_clinic

REFUSED = [
    "UPDATE audit_log SET actor = 'someone else'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "INSERT INTO audit_log (id, at, actor, action, entity, entity_id) "
    "SELECT id, at, 'x', 'x', 'x', 'x' FROM audit_log ON CONFLICT (id) DO UPDATE SET actor = 'someone else'",
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_log_append_only ON audit_log",
    "DROP TABLE audit_log",
    "CREATE TABLE sneaky (id integer)",
]


@pytest.fixture
def owner_and_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A migrated clinic in a schema of its own, owned by the test's superuser, and an engine
    for a new app role made with `python -m storage app-role` (password from the environment)."""
    with fresh_database("postgresql", tmp_path) as url:
        owner = make_engine(url)
        migrate(owner)
        clinic = make_clinic(owner)
        role = f"maturity_app_{uuid.uuid4().hex[:8]}"
        monkeypatch.setenv("TEST_APP_PASSWORD", "not-used-with-trust-but-set")
        assert main(["--database", url, "app-role", role, "--password-env", "TEST_APP_PASSWORD"]) == 0
        app = make_engine(make_url(url).set(username=role, password="not-used-with-trust-but-set"))
        try:
            yield clinic, app
        finally:
            app.dispose()
            owner.dispose()
            admin = sqlalchemy.create_engine(POSTGRES_URL)
            with admin.begin() as connection:
                connection.exec_driver_sql(f'DROP OWNED BY "{role}"')
                connection.exec_driver_sql(f'DROP ROLE "{role}"')
            admin.dispose()


def test_the_app_role_does_the_app_s_work(owner_and_app) -> None:
    clinic, app = owner_and_app
    leader = clinic.actor("leader-a")
    assessment_id = svc.start_assessment(app, leader, "a", clinic.cycle_id)
    item = clinic.questionnaire.items()[0]
    svc.save_answer(app, leader, assessment_id, item.id, 1, level=3)
    assert svc.get_assessment(app, leader, assessment_id).answers[item.id].level == 3
    with reading(app) as connection:  # the audit log is read and added to
        assert connection.execute(select(func.count()).select_from(audit_log)).scalar_one() >= 2
    migrate(app)  # a start at the current schema finds nothing to do, also as the app's role


@pytest.mark.parametrize("statement", REFUSED)
def test_the_app_role_cannot_rewrite_or_unguard_the_audit_log(owner_and_app, statement: str) -> None:
    _, app = owner_and_app
    with reading(app) as connection:
        before = connection.execute(select(audit_log.c.id, audit_log.c.actor).order_by(audit_log.c.id)).all()
    refused = r"permission denied|must be owner|append-only"
    with pytest.raises(sqlalchemy.exc.DBAPIError, match=refused), app.begin() as connection:
        connection.execute(text(statement))
    with reading(app) as connection:
        after = connection.execute(select(audit_log.c.id, audit_log.c.actor).order_by(audit_log.c.id)).all()
    assert after == before and before


def test_the_role_command_is_for_postgresql_only(tmp_path: Path, capsys) -> None:
    assert main(["--database", f"sqlite:///{tmp_path / 'db.sqlite'}", "app-role", "x"]) == 1
    assert "PostgreSQL" in capsys.readouterr().err
