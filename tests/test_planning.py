"""The action plan's services on SQLite and PostgreSQL: add, edit every field, delete, who
may do what, optimistic locking, and an audit entry with before and after for each change."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.errors import AccessDenied, Conflict, InvalidInput, NotFound
from storage.planning import (
    add_action_item,
    delete_action_item,
    list_action_items,
    may_plan,
    update_action_item,
)

from .conftest import Clinic, action_trail


def new_item(clinic: Clinic, actor: str = "leader-a") -> int:
    return add_action_item(
        clinic.engine,
        clinic.actor(actor),
        "a",
        clinic.cycle_id,
        "Innføre tavlemøter",
        "Kari",
        dt.date(2025, 3, 1),
        "medvirkning",
    )


def test_every_field_can_be_edited_and_each_change_is_audited(clinic: Clinic) -> None:
    leader = clinic.actor("leader-a")
    item = new_item(clinic)
    version = update_action_item(
        clinic.engine,
        leader,
        item,
        1,
        what="  Tavlemøte hver morgen  ",
        who="  Ola ",
        due_on=dt.date(2025, 6, 15),
        dimension_id="maling",
        status="in_progress",
    )
    assert version == 2
    row = list_action_items(clinic.engine, leader, "a").iloc[0]
    assert (row.what, row.who, row.due_on, row.dimension_id, row.status, row.row_version) == (
        "Tavlemøte hver morgen",
        "Ola",
        dt.date(2025, 6, 15),
        "maling",
        "in_progress",
        2,
    )
    assert update_action_item(clinic.engine, leader, item, 2, who="", due_on=None, dimension_id=None) == 3
    row = list_action_items(clinic.engine, leader, "a").iloc[0]
    assert (row.who, row.due_on, row.dimension_id) == (None, None, None)
    entries = action_trail(clinic, item)
    assert [(a, action) for a, action, _, _ in entries] == [
        ("leader-a", "create"),
        ("leader-a", "update"),
        ("leader-a", "update"),
    ]
    assert entries[1][2:] == (
        {
            "what": "Innføre tavlemøter",
            "who": "Kari",
            "due_on": "2025-03-01",
            "dimension_id": "medvirkning",
            "status": "planned",
        },
        {
            "what": "Tavlemøte hver morgen",
            "who": "Ola",
            "due_on": "2025-06-15",
            "dimension_id": "maling",
            "status": "in_progress",
        },
    )
    assert entries[2][2:] == (
        {"who": "Ola", "due_on": "2025-06-15", "dimension_id": "maling"},
        {"who": None, "due_on": None, "dimension_id": None},
    )


def test_an_edit_cannot_empty_what_will_be_done(clinic: Clinic) -> None:
    item = new_item(clinic)
    leader = clinic.actor("leader-a")
    with pytest.raises(InvalidInput):
        update_action_item(clinic.engine, leader, item, 1, what="   ")
    assert list_action_items(clinic.engine, leader, "a").iloc[0].what == "Innføre tavlemøter"


def test_delete_is_audited_with_the_row_it_removed(clinic: Clinic) -> None:
    item = new_item(clinic)
    keep = new_item(clinic)
    delete_action_item(clinic.engine, clinic.actor("leader-a"), item, 1)
    assert list_action_items(clinic.engine, clinic.actor("leader-a"), "a")["id"].tolist() == [keep]
    actor, action, before, after = action_trail(clinic, item)[-1]
    assert (actor, action, after) == ("leader-a", "delete", None)
    assert before["what"] == "Innføre tavlemøter"
    assert (before["who"], before["due_on"], before["unit_id"], before["row_version"]) == (
        "Kari",
        "2025-03-01",
        "a",
        1,
    )
    with pytest.raises(NotFound):
        delete_action_item(clinic.engine, clinic.actor("leader-a"), item, 1)


def test_delete_and_edit_refuse_a_version_someone_else_changed(clinic: Clinic) -> None:
    item = new_item(clinic)
    manager = clinic.actor("manager-s1")
    assert update_action_item(clinic.engine, manager, item, 1, status="done") == 2
    leader = clinic.actor("leader-a")
    with pytest.raises(Conflict) as refused:
        delete_action_item(clinic.engine, leader, item, 1)
    assert "Noen andre har endret tiltaket" in refused.value.message("nb")
    with pytest.raises(Conflict):
        update_action_item(clinic.engine, leader, item, 1, what="Noe annet")
    row = list_action_items(clinic.engine, leader, "a").iloc[0]
    assert (row.what, row.status, row.row_version) == ("Innføre tavlemøter", "done", 2)
    assert [action for _, action, _, _ in action_trail(clinic, item)] == ["create", "update"]
    delete_action_item(clinic.engine, leader, item, 2)
    assert list_action_items(clinic.engine, leader, "a").empty


@pytest.mark.parametrize("planner", ["leader-a", "manager-s1", "manager-k", "admin"])
def test_the_leader_and_management_above_may_change_the_plan(clinic: Clinic, planner: str) -> None:
    item = new_item(clinic)
    actor = clinic.actor(planner)
    assert may_plan(clinic.engine, actor, "a")
    assert update_action_item(clinic.engine, actor, item, 1, status="in_progress") == 2
    delete_action_item(clinic.engine, actor, item, 2)


@pytest.mark.parametrize("outsider", ["advisor", "leader-c", "nobody"])
def test_others_may_not_change_or_delete(clinic: Clinic, outsider: str) -> None:
    item = new_item(clinic)
    actor = clinic.actor(outsider)
    assert not may_plan(clinic.engine, actor, "a")
    with pytest.raises(AccessDenied):
        update_action_item(clinic.engine, actor, item, 1, status="done")
    with pytest.raises(AccessDenied):
        delete_action_item(clinic.engine, actor, item, 1)
    assert len(list_action_items(clinic.engine, clinic.actor("leader-a"), "a")) == 1
    assert [action for _, action, _, _ in action_trail(clinic, item)] == ["create"]
