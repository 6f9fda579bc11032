"""Who may do what, as a matrix: every role of the small clinic against every action on a unit
of their own and on one that is not (DESIGN.md section 7), through the services the pages
call. Post A (unit a, in Seksjon 1) holds a draft; Post B (unit b, also in Seksjon 1) a
submitted assessment. An action a role may not take is refused with AccessDenied and
changes nothing; one it may take goes through."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storage import assessments as svc
from storage.db import make_engine, migrate
from storage.errors import AccessDenied
from storage.planning import add_action_item, list_action_items, set_target
from storage.results import unit_profile
from storage.workshops import start_workshop

from .conftest import Clinic, fresh_database, full_answers, make_clinic

ACTORS = ["admin", "leader-a", "leader-c", "manager-s1", "manager-k", "advisor", "nobody"]


@dataclass
class Units:
    """The clinic with a draft of Post A and a submitted assessment of Post B."""

    clinic: Clinic
    draft: int
    submitted: int
    submitted_version: int


@pytest.fixture
def units(tmp_path: Path) -> Iterator[Units]:
    with fresh_database("sqlite", tmp_path) as url:
        engine = make_engine(url)
        migrate(engine)
        clinic = make_clinic(engine)
        admin = clinic.actor("admin")
        draft = svc.start_assessment(engine, clinic.actor("leader-a"), "a", clinic.cycle_id)
        submitted = svc.start_assessment(engine, admin, "b", clinic.cycle_id)
        version = svc.save_answers(engine, admin, submitted, 1, full_answers(clinic.questionnaire))
        version = svc.submit_assessment(engine, admin, submitted, version)
        yield Units(clinic, draft, submitted, version)
        engine.dispose()


def answer_own_draft(u: Units, actor: Any) -> None:
    svc.save_answer(u.clinic.engine, actor, u.draft, u.clinic.questionnaire.items()[0].id, 1, level=2)


def read_own_draft(u: Units, actor: Any) -> None:
    svc.get_assessment(u.clinic.engine, actor, u.draft)


def read_submitted(u: Units, actor: Any) -> None:
    svc.get_assessment(u.clinic.engine, actor, u.submitted)


def validate_submitted(u: Units, actor: Any) -> None:
    svc.validate_assessment(u.clinic.engine, actor, u.submitted, u.submitted_version)


def return_submitted(u: Units, actor: Any) -> None:
    svc.return_assessment(u.clinic.engine, actor, u.submitted, u.submitted_version, "Se på LA2 igjen")


def plan_an_action(u: Units, actor: Any) -> None:
    add_action_item(u.clinic.engine, actor, "a", u.clinic.cycle_id, "Innføre tavlemøter")


def read_the_plan(u: Units, actor: Any) -> None:
    list_action_items(u.clinic.engine, actor, "a", u.clinic.cycle_id)


def set_a_target(u: Units, actor: Any) -> None:
    set_target(u.clinic.engine, actor, "a", "overall", 3.0, baseline=2.0)


def read_the_unit_profile(u: Units, actor: Any) -> None:
    unit_profile(u.clinic.engine, actor, "a")


def hold_a_workshop(u: Units, actor: Any) -> None:
    start_workshop(u.clinic.engine, actor, "a", u.clinic.cycle_id, 4)


Action = Callable[[Units, Any], None]
READERS_OF_A = {"admin", "leader-a", "manager-s1", "manager-k", "advisor"}
MAY: dict[Action, set[str]] = {
    answer_own_draft: {"admin", "leader-a"},
    read_own_draft: {"admin", "leader-a"},
    read_submitted: {"admin", "manager-s1", "manager-k", "advisor"},  # b is no leader's here
    validate_submitted: {"admin", "advisor"},
    return_submitted: {"admin", "advisor"},
    plan_an_action: {"admin", "leader-a", "manager-s1", "manager-k"},
    read_the_plan: READERS_OF_A,
    set_a_target: {"admin", "leader-a", "manager-s1", "manager-k"},
    read_the_unit_profile: READERS_OF_A,
    hold_a_workshop: {"admin", "leader-a"},
}


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("action", list(MAY), ids=lambda action: action.__name__)
def test_each_role_may_do_what_its_role_gives_and_nothing_else(
    units: Units, action: Action, actor_name: str
) -> None:
    actor = units.clinic.actor(actor_name)
    before = _state(units)
    if actor_name in MAY[action]:
        action(units, actor)
    else:
        with pytest.raises(AccessDenied):
            action(units, actor)
        assert _state(units) == before  # a refusal changes nothing


def _state(u: Units) -> tuple:
    """What the actions could change, read as the administrator."""
    admin = u.clinic.actor("admin")
    engine = u.clinic.engine
    draft, submitted = (
        svc.get_assessment(engine, admin, u.draft),
        svc.get_assessment(engine, admin, u.submitted),
    )
    profile = unit_profile(engine, admin, "a")
    return (
        draft.row_version,
        sorted((a.item_id, a.level) for a in draft.answers.values()),
        submitted.status,
        submitted.row_version,
        len(profile.targets),
        len(profile.actions),
    )


@pytest.mark.parametrize(
    ("page", "label"),
    [("app_pages/assess.py", "Enhet"), ("app_pages/result.py", "Enhet"), ("app_pages/workshop.py", "Enhet")],
)
def test_a_leader_who_edits_ids_in_the_address_still_sees_only_their_own_unit(
    app_clinic, page: str, label: str
) -> None:
    """The pages take no unit, node or assessment from the address (only a workshop link's
    tokens): ids typed there are ignored, and the choice of unit is still the leader's own."""
    from streamlit.testing.v1 import AppTest

    from .conftest import APP, shown_choice

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = "leader-a"
    at.query_params.update({"unit": "c", "unit_id": "c", "node": "hf", "assessment": "1", "cycle": "1"})
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    assert [name for _, name in shown_choice(at, label)["options"]] == ["Post A"]
