"""The role rules of storage.permissions, walked: every action, for every kind of actor, on a
ward of their own, a ward elsewhere, a section and the whole organisation. The table below
is DESIGN.md section 7 written out; a new action needs a row here before it passes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from storage.actors import Actor, Grant
from storage.db import make_engine, migrate, reading
from storage.errors import AccessDenied
from storage.permissions import RULES, may, may_somewhere, require

from .conftest import make_clinic

ACTORS = {
    "admin": Actor("admin", grants=(Grant("admin"),)),
    "leader-a": Actor("leader-a", grants=(Grant("leader", "a"),)),
    "leader-c": Actor("leader-c", grants=(Grant("leader", "c"),)),
    "manager-s1": Actor("manager-s1", grants=(Grant("management", "s1"),)),
    "manager-k": Actor("manager-k", grants=(Grant("management", "k"),)),
    "advisor-k": Actor("advisor-k", grants=(Grant("advisor", "k"),)),
    "advisor-all": Actor("advisor-all", grants=(Grant("advisor"),)),
    "participant": Actor("participant", grants=(Grant("participant", assessment_id=1),)),
    "nobody": Actor("nobody"),
}
ORGANISATION = None  # an action on no particular unit
PLACES = ["a", "c", "s1", ORGANISATION]  # ward a is in section s1, ward c in s2; both in clinic k

LEADS_A = {("leader-a", "a")}
LEADS_C = {("leader-c", "c")}
MANAGES = {("manager-s1", "a"), ("manager-s1", "s1")} | {("manager-k", place) for place in ("a", "c", "s1")}
ADVISES = {("advisor-k", "a"), ("advisor-k", "c"), ("advisor-k", "s1")} | {
    ("advisor-all", place) for place in PLACES
}
EXPECTED: dict[str, set[tuple[str, str | None]]] = {
    "assess": LEADS_A | LEADS_C,
    "hold_workshop": LEADS_A | LEADS_C,
    "read_results": LEADS_A | LEADS_C | MANAGES | ADVISES,
    "read_plans": LEADS_A | LEADS_C | MANAGES | ADVISES,
    "plan": LEADS_A | LEADS_C | MANAGES,
    "set_targets": LEADS_A | LEADS_C | MANAGES,
    "validate": ADVISES,
    "read_mailings": MANAGES | ADVISES,
    "manage_users": set(),
    "change_organisation": set(),
    "change_questionnaires": set(),
    "manage_cycles": set(),
    "import_answers": set(),
    "read_audit": set(),
    "send_mail": set(),
}


@pytest.fixture(scope="module")
def connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    """The small clinic's tree, for looking up what lies above a unit."""
    path: Path = tmp_path_factory.mktemp("permissions") / "tree.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    make_clinic(engine)
    with reading(engine) as connection:
        yield connection
    engine.dispose()


def test_every_action_has_its_row_in_the_table() -> None:
    assert sorted(RULES) == sorted(EXPECTED)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("who", sorted(ACTORS))
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_who_may_take_which_action_where(
    connection: Connection, action: str, who: str, place: str | None
) -> None:
    allowed = who == "admin" or (who, place) in EXPECTED[action]
    assert may(connection, ACTORS[who], action, place) is allowed
    if allowed:
        require(connection, ACTORS[who], action, place)
    else:
        with pytest.raises(AccessDenied) as refused:
            require(connection, ACTORS[who], action, place)
        assert RULES[action].what_nb in refused.value.message("nb")


@pytest.mark.parametrize("who", sorted(ACTORS))
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_a_page_offers_an_action_to_those_who_may_take_it_somewhere(action: str, who: str) -> None:
    somewhere = who == "admin" or any(actor == who for actor, _ in EXPECTED[action])
    assert may_somewhere(ACTORS[who], action) is somewhere
