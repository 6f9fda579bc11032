"""Users and roles as an administrator keeps them: a role given, taken and a user removed,
each in the audit log; a users file checked whole, every bad row named by its line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.access import (
    actor_for,
    grant_role,
    list_users,
    parse_users_csv,
    remove_user,
    revoke_role,
    upsert_users,
)
from storage.actors import Grant
from storage.db import reading
from storage.errors import AccessDenied, ImportRejected, InvalidInput, NotFound
from storage.tables import audit_log

from .conftest import Clinic


def trail(clinic: Clinic, user_id: str) -> list[str]:
    with reading(clinic.engine) as connection:
        return list(
            connection.execute(
                select(audit_log.c.action)
                .where(audit_log.c.entity == "user", audit_log.c.entity_id == user_id)
                .order_by(audit_log.c.id)
            ).scalars()
        )


def test_a_role_given_and_taken_keeps_the_others(clinic: Clinic) -> None:
    admin = clinic.actor("admin")
    grant_role(clinic.engine, admin, "kari@sshf.no", "Kari Nordmann", Grant("leader", "a"))
    grant_role(clinic.engine, admin, "kari@sshf.no", "", Grant("advisor", "k"))
    grant_role(clinic.engine, admin, "kari@sshf.no", "", Grant("advisor", "k"))  # twice: once
    kari = actor_for(clinic.engine, "kari@sshf.no")
    assert (kari.name, kari.grants) == ("Kari Nordmann", (Grant("leader", "a"), Grant("advisor", "k")))
    revoke_role(clinic.engine, admin, "kari@sshf.no", Grant("leader", "a"))
    assert actor_for(clinic.engine, "kari@sshf.no").grants == (Grant("advisor", "k"),)
    remove_user(clinic.engine, admin, "kari@sshf.no")
    with pytest.raises(NotFound):
        actor_for(clinic.engine, "kari@sshf.no")
    assert "kari@sshf.no" not in {u["id"] for u in list_users(clinic.engine)}
    assert trail(clinic, "kari@sshf.no") == ["upsert", "upsert", "upsert", "remove"]


@pytest.mark.parametrize(
    ("user_id", "grant"),
    [
        ("", Grant("leader", "a")),
        ("ola@sshf.no", Grant("leader", "no-such-unit")),
        ("ola@sshf.no", Grant("superuser")),
        ("ola@sshf.no", Grant("participant")),
    ],
)
def test_a_bad_role_or_address_is_refused_and_nothing_changes(
    clinic: Clinic, user_id: str, grant: Grant
) -> None:
    before = list_users(clinic.engine)
    with pytest.raises(InvalidInput):
        grant_role(clinic.engine, clinic.actor("admin"), user_id, "Ola", grant)
    assert list_users(clinic.engine) == before


def test_an_administrator_keeps_their_own_administrator_role(clinic: Clinic) -> None:
    admin = clinic.actor("admin")
    with pytest.raises(InvalidInput):
        revoke_role(clinic.engine, admin, "admin", Grant("admin"))
    with pytest.raises(InvalidInput):
        remove_user(clinic.engine, admin, "admin")
    assert actor_for(clinic.engine, "admin").is_admin


@pytest.mark.parametrize("who", ["leader-a", "manager-k", "advisor", "nobody"])
def test_only_an_administrator_manages_users(clinic: Clinic, who: str) -> None:
    with pytest.raises(AccessDenied):
        grant_role(clinic.engine, clinic.actor(who), "ola@sshf.no", "Ola", Grant("leader", "a"))
    with pytest.raises(AccessDenied):
        remove_user(clinic.engine, clinic.actor(who), "leader-c")


def test_a_users_csv_adds_up_rows_and_names_every_bad_line(clinic: Clinic) -> None:
    good = (
        "\ufeffe-post;navn;rolle;enhet\n"  # as Excel in Norway saves it: a BOM and semicolons
        "kari@sshf.no;Kari;leder;a\nkari@sshf.no;Kari;Rådgiver;k\nola@sshf.no;Ola;ledelse;s1\n"
    )
    users = parse_users_csv(good, "brukere.csv")
    assert users == [
        ("kari@sshf.no", "Kari", [Grant("leader", "a"), Grant("advisor", "k")]),
        ("ola@sshf.no", "Ola", [Grant("management", "s1")]),
    ]
    upsert_users(clinic.engine, clinic.actor("admin"), users)
    assert actor_for(clinic.engine, "ola@sshf.no").grants == (Grant("management", "s1"),)

    bad = "email,name,role,unit\n,Nobody,leader,a\nper@sshf.no,Per,sjef,a\nliv@sshf.no,Liv,leader,b\n"
    with pytest.raises(ImportRejected) as refused:
        parse_users_csv(bad, "brukere.csv")
    assert [(p.file, p.line) for p in refused.value.problems] == [("brukere.csv", 2), ("brukere.csv", 3)]
    assert "sjef" in refused.value.problems[1].message("nb")


def test_an_import_naming_a_unit_that_does_not_exist_changes_nothing(clinic: Clinic) -> None:
    before = list_users(clinic.engine)
    users = parse_users_csv("email,name,role,unit\nkari@sshf.no,Kari,leader,a\nola@sshf.no,Ola,leader,zz\n")
    with pytest.raises(InvalidInput) as refused:
        upsert_users(clinic.engine, clinic.actor("admin"), users)
    assert "zz" in refused.value.message("nb")
    assert list_users(clinic.engine) == before
