"""A team workshop in the app (AppTest): share, private ratings, spread from 3 up, consensus, close."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from storage import assessments as svc
from storage.db import reading
from storage.tables import workshop
from storage.workshops import join_workshop

from .conftest import APP, Clinic, button, full_answers, open_app

SPREAD_CAPTION = "Deltakernes vurderinger"


def participant_app(key: str, secret: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ws"] = key
    at.query_params["p"] = secret
    at.run()
    assert not at.exception, at.exception
    return at


def answer_all(at: AppTest, clinic: Clinic, aid: int, level: int) -> None:
    for step, dimension in enumerate(clinic.questionnaire.dimensions):
        at.session_state[f"step_{aid}"] = step
        at.run()
        for item in dimension.items:
            at.radio(key=f"answer_{aid}_{item.id}").set_value(level if item.scored else "yes").run()
    assert not at.exception, at.exception


def spread_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith(SPREAD_CAPTION)]


def test_workshop_from_start_to_close(app_clinic: Clinic) -> None:
    leader = open_app("leader-a", "app_pages/workshop.py")
    button(leader, "Start et arbeidsmøte").click().run()
    with reading(app_clinic.engine) as connection:
        code, workshop_id = connection.execute(select(workshop.c.code, workshop.c.id)).one()
    assert f"Kode: {code}" in " ".join(m.value for m in leader.markdown)
    assert any("?ws=" in c.value for c in leader.code)  # the link, with its token

    # participant 1 joins by code on their own device, answers privately, reloads, submits
    first = participant_app(code, "secret-one")
    _, aid = join_workshop(app_clinic.engine, code, "secret-one")
    answer_all(first, app_clinic, aid, level=1)
    first = participant_app(code, "secret-one")  # a reload resumes the same answers
    first.session_state[f"step_{aid}"] = 0
    first.run()
    assert first.radio(key=f"answer_{aid}_LA1").value == 1
    first.session_state[f"step_{aid}"] = 5
    first.run()
    button(first, "Send inn vurderingen").click().run()
    assert participant_app(code, "secret-one").success[0].value.startswith("Takk!")

    # participant 2 (through the services): still fewer than 3, so no breakdown
    actor, second = join_workshop(app_clinic.engine, code, "secret-two")
    version = svc.save_answers(app_clinic.engine, actor, second, 1, full_answers(app_clinic.questionnaire, 3))
    svc.submit_assessment(app_clinic.engine, actor, second, version)
    leader = open_app("leader-a", "app_pages/workshop.py")
    assert "minst 3 deltakere har sendt inn (nå 2)" in leader.info[0].value
    assert spread_captions(leader) == []

    # participant 3: now the leader sees how ratings spread, never who gave them
    actor, third = join_workshop(app_clinic.engine, code, "secret-three")
    version = svc.save_answers(app_clinic.engine, actor, third, 1, full_answers(app_clinic.questionnaire, 5))
    svc.submit_assessment(app_clinic.engine, actor, third, version)
    leader = open_app("leader-a", "app_pages/workshop.py")
    captions = spread_captions(leader)
    assert captions[0] == "Deltakernes vurderinger (3 deltakere): 1: 1, 3: 1, 5: 1"
    assert not any("secret" in c or "ws" in c for c in captions)

    # the leader records what the team agreed and submits; the result counts the consensus
    consensus = svc.find_assessment(
        app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id, "leader-a"
    )
    answer_all(leader, app_clinic, consensus, level=3)
    button(leader, "Send inn vurderingen").click().run()
    assert leader.title[0].value == "Resultat og tiltak"

    # closing stops the link and the code at once
    leader = open_app("leader-a", "app_pages/workshop.py")
    button(leader, "Avslutt arbeidsmøtet").click().run()
    refused = participant_app(code, "secret-one")
    assert refused.error[0].value.startswith("Koden eller lenken virker ikke")
    with reading(app_clinic.engine) as connection:
        assert (
            connection.execute(select(workshop.c.status).where(workshop.c.id == workshop_id)).scalar()
            == "closed"
        )


def test_unknown_code_is_refused(app_clinic: Clinic) -> None:
    at = participant_app("NOSUCH", "x")
    assert at.error[0].value.startswith("Koden eller lenken virker ikke")


def test_closed_workshop_refuses_saves_even_with_an_open_page(app_clinic: Clinic) -> None:
    from storage.errors import ServiceError
    from storage.workshops import close_workshop, start_workshop

    made = start_workshop(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id)
    actor, aid = join_workshop(app_clinic.engine, made.token or "", "p")
    close_workshop(app_clinic.engine, app_clinic.actor("leader-a"), made.id)
    with pytest.raises(ServiceError) as refused:
        svc.save_answer(app_clinic.engine, actor, aid, "LA1", 1, level=3)
    assert refused.value.code == "workshop_closed"
