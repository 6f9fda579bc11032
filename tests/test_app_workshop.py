"""A team workshop in the app (AppTest): the leader's three phases, the participant's page,
joining by code from the navigation, and what the leader may and may not see."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from storage import assessments as svc
from storage import workshops as ws
from storage.db import reading
from storage.tables import assessment, workshop

from .conftest import (
    APP,
    Clinic,
    answer_everything,
    button,
    choose,
    form_step,
    full_answers,
    open_app,
    send_in,
    shown_item,
)


def participant(query: dict[str, str]) -> AppTest:
    """A phone opening a participant link: only the query parameters, no sign-in."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def the_workshop(clinic: Clinic) -> ws.WorkshopInfo:
    found = ws.find_open_workshop(clinic.engine, clinic.actor("leader-a"), "a", clinic.cycle_id)
    assert found is not None
    return found


def rated(clinic: Clinic, token: str, level: int) -> None:
    secret, _ = ws.join(clinic.engine, token)
    ws.save_ratings(clinic.engine, token, secret, full_answers(clinic.questionnaire, level))
    ws.submit_rating(clinic.engine, token, secret)


def links(at: AppTest) -> list[str]:
    return [c.value for c in at.code]


def test_the_leader_runs_a_workshop_through_its_three_phases(app_clinic: Clinic) -> None:
    leader = open_app("leader-a", "app_pages/workshop.py")
    leader.number_input(key="_workshop_expected").set_value(4)
    button(leader, "Start arbeidsmøtet").click().run()
    made = the_workshop(app_clinic)
    assert made.expected == 4
    assert f"Kode: {made.code}" in " ".join(m.value for m in leader.markdown)
    assert links(leader)[0].endswith(f"/delta?ws={made.token}")  # the participant page's own address

    # a reload (a new session) shows the same link and code: nothing to make again
    leader = open_app("leader-a", "app_pages/workshop.py")
    assert links(leader)[0].endswith(f"/delta?ws={made.token}")
    assert not [b for b in leader.button if "ny lenke" in b.label]

    # while they rate, the leader sees only how many joined and sent in
    rated(app_clinic, made.token or "", 2)
    rated(app_clinic, made.token or "", 3)
    leader = open_app("leader-a", "app_pages/workshop.py")
    assert [m.value for m in leader.metric] == ["2 av 4", "2"]
    assert button(leader, "Avslutt runden og vis fordelingen").disabled
    assert not leader.get("vega_lite_chart")
    rated(app_clinic, made.token or "", 5)
    leader = open_app("leader-a", "app_pages/workshop.py")
    close = button(leader, "Avslutt runden og vis fordelingen")
    assert not close.disabled
    close.click().run()
    assert not leader.exception, leader.exception

    # the distribution: one chart for the whole, the widest spread first, and each item's
    # counts beside its answers in the form where the agreement is recorded
    assert "Fordelingen: 3 deltakere har svart" in [h.value for h in leader.subheader]
    charts = leader.get("vega_lite_chart")
    assert len(charts) == 1
    assert "spredning 3" in charts[0].proto.spec  # 2, 3 and 5 on every scored item
    counts = shown_item(leader, "LA1")["counts"]
    assert "3" in counts["caption"]
    assert [(bar["label"], bar["count"]) for bar in counts["bars"]] == [
        ("1 Tilfeldig", 0),
        ("2 Organisert", 1),
        ("3 Formalisert", 1),
        ("4 Forebyggende", 0),
        ("5 Integrert", 1),
        ("Vet ikke / ikke aktuelt", 0),
    ]
    assert all(bar["colour"].startswith("#") for bar in counts["bars"])

    # the agreement is recorded in the unit's consensus assessment and sent in
    aid = made.consensus_assessment_id
    answer_everything(leader, app_clinic.questionnaire, f"a{aid}", 3, "yes")
    send_in(leader)
    assert leader.title[0].value == "Resultat og tiltak"
    assert ws.invitation(app_clinic.engine, made.token or "").status == "closed"
    closed = participant({"ws": made.token or ""})
    assert "Arbeidsmøtet er avsluttet" in closed.info[0].value
    with reading(app_clinic.engine) as connection:
        assert connection.execute(select(func.count()).select_from(assessment)).scalar_one() == 1


def test_a_participant_sees_the_unit_rates_privately_and_sends_in(app_clinic: Clinic) -> None:
    made = ws.start_workshop(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id, 5)
    phone = participant({"ws": made.token or ""})
    assert phone.subheader[0].value == "Vurdering av Post A, 2024/2025"
    assert "aldri hvem som svarte hva" in phone.expander[0].markdown[0].value
    button(phone, "Begynn").click().run()
    secret = (
        phone.query_params["p"][0] if isinstance(phone.query_params["p"], list) else phone.query_params["p"]
    )
    part = ws.participation(app_clinic.engine, made.token or "", secret)
    assert part is not None
    key = f"p{part.participant_id}"
    choose(phone, "LA1", 4)
    assert not shown_item(phone, "LA1")["fields"], "participants write no comments that could identify them"

    # a reload with the participant's own link finds the answer again
    phone = participant({"ws": made.token or "", "p": secret})
    assert shown_item(phone, "LA1")["chosen"] == 4
    answer_everything(phone, app_clinic.questionnaire, key, 2, "no")
    send_in(phone)
    assert phone.success[0].value.startswith("Takk!")
    with reading(app_clinic.engine) as connection:
        assert (
            connection.execute(select(func.count()).select_from(assessment)).scalar_one() == 1
        )  # the leader's


def test_joining_by_code_from_the_navigation(app_clinic: Clinic) -> None:
    """The "Delta i arbeidsmøte" page in the normal app, with the sidebar drawn: it crashed
    with a duplicate language picker key before."""
    made = ws.start_workshop(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id, 5)
    for user in ("leader-c", None):
        at = AppTest.from_file(APP, default_timeout=60)
        if user:
            at.session_state["user_id"] = user
        at.run()
        at.switch_page("app_pages/participate.py").run()
        assert not at.exception, at.exception
        at.text_input(key="_join_code").input(made.code.lower())
        button(at, "Bli med").click().run()
        assert not at.exception, at.exception
        assert at.subheader[0].value == "Vurdering av Post A, 2024/2025"
        assert button(at, "Begynn")


def test_a_wrong_code_says_so_and_many_wrong_codes_wait(app_clinic: Clinic) -> None:
    at = open_app("leader-c", "app_pages/participate.py")
    for _ in range(ws.MAX_FAILED_JOINS):
        at.text_input(key="_join_code").input("NOSUCH")
        button(at, "Bli med").click().run()
        assert at.error[0].value.startswith("Koden virker ikke")
    at.text_input(key="_join_code").input("NOSUCH")
    button(at, "Bli med").click().run()
    assert at.error[0].value.startswith("For mange forsøk med feil kode")


def test_no_workshop_once_the_unit_has_sent_in(app_clinic: Clinic) -> None:
    leader = app_clinic.actor("leader-a")
    aid = svc.start_assessment(app_clinic.engine, leader, "a", app_clinic.cycle_id)
    version = svc.save_answers(app_clinic.engine, leader, aid, 1, full_answers(app_clinic.questionnaire))
    svc.submit_assessment(app_clinic.engine, leader, aid, version)
    at = open_app("leader-a", "app_pages/workshop.py")
    assert "er sendt inn" in at.info[0].value
    assert not [b for b in at.button if b.label == "Start arbeidsmøtet"]


def test_full_workshop_and_closed_round_messages(app_clinic: Clinic) -> None:
    made = ws.start_workshop(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id, 3)
    for level in (1, 2, 3):
        rated(app_clinic, made.token or "", level)
    late = participant({"ws": made.token or ""})
    button(late, "Begynn").click().run()
    assert "allerede de 3 deltakerne" in late.error[0].value
    ws.reveal(app_clinic.engine, app_clinic.actor("leader-a"), made.id)
    late = participant({"ws": made.token or ""})
    assert "Vurderingsrunden er avsluttet" in late.info[0].value


def test_unknown_link_is_refused(app_clinic: Clinic) -> None:
    at = participant({"ws": "NOSUCH"})
    assert at.error[0].value.startswith("Lenken virker ikke")


@pytest.mark.parametrize("page", ["app_pages/assess.py", "app_pages/workshop.py"])
def test_an_answer_is_saved_and_counted_at_once(app_clinic: Clinic, page: str) -> None:
    """A click on a level saves it and the progress bar counts it. (In a browser the click
    reruns only the step's fragment; AppTest reruns the page, so the speed is measured by
    benchmarks/bench_form.py instead.)"""
    if page.endswith("workshop.py"):
        made = ws.start_workshop(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id, 3)
        for level in (1, 2, 3):
            rated(app_clinic, made.token or "", level)
        ws.reveal(app_clinic.engine, app_clinic.actor("leader-a"), made.id)
    at = open_app("leader-a", page)
    if page.endswith("assess.py"):
        button(at, "Start eller fortsett vurderingen").click().run()
    aid = svc.find_consensus(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id)
    choose(at, "LA1", 4)
    assert form_step(at)["progress"]["text"] == "Dimensjon 1 av 6 · 1 av 28 spørsmål besvart"
    assert svc.get_assessment(app_clinic.engine, app_clinic.actor("leader-a"), aid).answers["LA1"].level == 4


def test_the_version_the_user_saw_travels_to_the_submit(app_clinic: Clinic) -> None:
    """Someone else changes the assessment after the page was drawn: sending in is refused
    with the conflict message instead of sending in what the user never saw."""
    leader = app_clinic.actor("leader-a")
    aid = svc.start_assessment(app_clinic.engine, leader, "a", app_clinic.cycle_id)
    version = svc.save_answers(app_clinic.engine, leader, aid, 1, full_answers(app_clinic.questionnaire))
    at = open_app("leader-a", "app_pages/assess.py")
    svc.save_answer(app_clinic.engine, leader, aid, "LA1", version, level=1)  # another tab
    send_in(at)
    assert any("Noen andre har endret" in e.value for e in at.error)
    assert svc.get_assessment(app_clinic.engine, leader, aid).status == "draft"


def test_the_workshop_table_keeps_no_answer_of_anyone(app_clinic: Clinic) -> None:
    made = ws.start_workshop(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id, 3)
    for level in (1, 2, 3):
        rated(app_clinic, made.token or "", level)
    with reading(app_clinic.engine) as connection:
        row = connection.execute(select(workshop)).one()
    assert row.phase == "rating" and row.participants is None


@pytest.mark.parametrize(
    "base, warned",
    [("http://127.0.0.1:8501", True), ("http://localhost:8501", True), ("http://10.1.2.3:8501", False)],
)
def test_a_link_phones_cannot_reach_is_said_so(
    app_clinic: Clinic, monkeypatch: pytest.MonkeyPatch, base: str, warned: bool
) -> None:
    """In local mode the app is at this machine's loopback address: a link and QR code there
    reach no phone, and the leader is told how to open the app to them."""
    monkeypatch.setenv("MATURITY_BASE_URL", base)
    leader = open_app("leader-a", "app_pages/workshop.py")
    leader.number_input(key="_workshop_expected").set_value(4)
    button(leader, "Start arbeidsmøtet").click().run()
    assert links(leader)[0].startswith(base + "/delta?ws=")
    warnings = [w.value for w in leader.warning if "telefoner ikke når" in w.value]
    assert len(warnings) == (1 if warned else 0)
    if warned:
        assert "--server.address 0.0.0.0" in warnings[0]
