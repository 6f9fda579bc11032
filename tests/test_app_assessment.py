"""The self-assessment in the app (AppTest): answer, reload, resume, submit, see the result."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from scoring.answers import read_answers_csv
from scoring.cli import main as scoring_main
from storage import assessments as svc
from storage.assessments import find_consensus
from storage.definitions import DEFAULT_QUESTIONNAIRE, DEFAULT_ROADMAP
from views.text import plain

from .conftest import (
    Clinic,
    button,
    choose,
    drawn,
    form_step,
    open_app,
    send_in,
    shown_field,
    shown_item,
    type_text,
)


def answer_dimension(at: AppTest, clinic: Clinic, step: int, levels: dict[str, object]) -> None:
    for item in clinic.questionnaire.dimensions[step].items:
        choose(at, item.id, levels.get(item.id, 3 if item.scored else "yes"))


def start_model(at: AppTest) -> dict:
    """What the Start page's explanation of the levels and the roadmap was given to draw."""
    (model,) = drawn(at, "model")
    return model


def test_start_page_explains_levels_and_shows_what_is_due(app_clinic: Clinic) -> None:
    at = open_app("leader-a")
    model = start_model(at)
    assert [level["label"] for level in model["levels"]["items"]] == [
        "Tilfeldig",
        "Organisert",
        "Formalisert",
        "Forebyggende",
        "Integrert",
    ]
    assert all(level["description"] for level in model["levels"]["items"])
    assert [s["row"][:3] for s in model["roadmap"]["stages"]] == ["1.0", "2.0", "3.0", "4.0", "5.0"]
    assert "Dette skal gjøres i 2024/2025" in [h.value for h in at.subheader]
    assert "• Post A: ikke startet" in at.text[0].value.splitlines()


def test_language_switch_to_english(app_clinic: Clinic) -> None:
    at = open_app("leader-a")
    at.selectbox(key="_lang_select").set_value("en").run()
    assert at.title[0].value == "The improvement journey"
    assert start_model(at)["levels"]["title"] == "The five maturity levels"


def test_a_step_is_one_element_with_its_questions_notes_and_answers(app_clinic: Clinic) -> None:
    """The step's heading, progress and questions (with help, reference, every level's anchor
    in full and "vet ikke") are one light element; no question is a Streamlit widget."""
    at = open_app("leader-a", "app_pages/assess.py")
    button(at, "Start eller fortsett vurderingen").click().run()
    dimension = app_clinic.questionnaire.dimensions[0]
    step = form_step(at)
    assert step["title"] == dimension.label.get("nb")
    assert step["progress"]["text"] == "Dimensjon 1 av 6 · 0 av 28 spørsmål besvart"
    assert [i["id"] for i in step["items"]] == [i.id for i in dimension.items]
    item = dimension.items[0]
    shown = shown_item(at, item.id)
    assert shown["heading"] == item.text.get("nb")
    assert item.reference and f"Forskriften {item.reference}" in shown["notes"]
    assert shown["options"][2] == [3, "3 – Formalisert", item.anchors[3].get("nb")]
    assert shown["options"][-1] == ["dk", "Vet ikke / ikke aktuelt", ""]
    assert [f["name"] for f in shown["fields"]] == ["comment", "evidence"]
    assert not at.radio and not at.text_area


def test_consensus_assessment_answer_reload_submit_result(app_clinic: Clinic, tmp_path: Path, capsys) -> None:
    at = open_app("leader-a", "app_pages/assess.py")
    button(at, "Start eller fortsett vurderingen").click().run()
    aid = find_consensus(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id)
    assert aid is not None
    chosen = {"LA1": 4, "LA2": 2, "LA3": "dk", "LA4": "no"}
    answer_dimension(at, app_clinic, 0, chosen)
    type_text(at, "LA1", "comment", "Mål i virksomhetsplanen")

    # a reload: a new session finds every answer and resumes at the next open dimension
    at = open_app("leader-a", "app_pages/assess.py")
    assert form_step(at)["title"] == "Risiko, avvik og læring"
    button(at, "← Forrige dimensjon").click().run()
    assert shown_item(at, "LA1")["chosen"] == 4
    assert shown_item(at, "LA3")["chosen"] == "dk"
    assert shown_item(at, "LA4")["chosen"] == "no"
    assert shown_field(at, "LA1", "comment") == "Mål i virksomhetsplanen"

    # the confirmation before sending in says exactly what is missing, and sends nothing
    at.session_state[f"step_a{aid}"] = 5
    at.run()
    button(at, "Se over og send inn").click().run()
    assert "Disse spørsmålene mangler svar" in at.error[0].value
    assert not [b for b in at.button if b.label == "Send inn"]
    missing = [t.value for t in at.text]
    assert (
        "Risiko, avvik og læring: Ansatte melder avvik og uønskede hendelser, og meldingene følges opp."
        in missing
    )

    levels = {"RA1": 5, "RA2": 4, "RA3": 4, "KM1": 1, "KM2": 2, "KM3": 1, "MO1": 3, "MO2": 3, "MO3": 2}
    for step in range(1, 6):
        at.session_state[f"step_a{aid}"] = step
        at.run()
        answer_dimension(at, app_clinic, step, levels)
    send_in(at)
    assert at.title[0].value == "Resultat og tiltak"

    # the result page shows what `python -m scoring score` gives for the same answers
    shown = at.dataframe[0].value.set_index("Dimensjon")["Skår"]
    all_answers = {
        **{i.id: (3 if i.scored else "yes") for i in app_clinic.questionnaire.items()},
        **chosen,
        **levels,
    }
    lines = ["unit,cycle,respondent,item,answer"] + [
        f"a,2024/2025,r,{item},{'vet ikke' if value == 'dk' else value}"
        for item, value in all_answers.items()
    ]
    answers = tmp_path / "answers.csv"
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (
        scoring_main(["score", str(DEFAULT_QUESTIONNAIRE), str(answers), "--roadmap", str(DEFAULT_ROADMAP)])
        == 0
    )
    expected = pd.read_csv(io.StringIO(capsys.readouterr().out))
    labels = {d.id: d.label.get("nb") for d in app_clinic.questionnaire.dimensions} | {"overall": "Samlet"}
    for row in expected.itertuples():
        assert shown[labels[row.dimension]] == pytest.approx(round(row.score, 2)), row.dimension
    overall = expected[expected["dimension"] == "overall"].iloc[0]
    page_text = " ".join(m.value for m in at.markdown)
    assert f"Trinn {int(overall['stage'])}.0 nådd" in page_text or "Trinn 1.0 ikke nådd" in page_text
    assert f"Framdrift på veikartet: {overall['journey']:.2f} (" in " ".join(c.value for c in at.caption)

    # the action plan: fill in before finishing (AppTest keeps its own page: open it again)
    at.switch_page("app_pages/result.py").run()
    next(e for e in at.text_area if e.label == "Hva skal gjøres").input("Innføre tavlemøter")
    next(e for e in at.text_input if e.label == "Hvem er ansvarlig").input("Kari")
    button(at, "Legg til tiltak").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Innføre tavlemøter" in [t.value for t in at.text]
    assert at.success[0].value == "Tiltaket er lagt til."


def test_answers_of_a_stored_file_match_the_engine(app_clinic: Clinic) -> None:
    """The questionnaire the app stored is the shipped one, so CLI and app score alike."""
    stored = read_answers_csv(
        io.StringIO("unit,cycle,respondent,item,answer\na,c,r,LA1,3\n"), app_clinic.questionnaire
    )
    assert stored["value"].tolist() == [3.0]


def test_advisor_validates_and_returns(app_clinic: Clinic) -> None:
    from storage import assessments as svc

    from .conftest import full_answers

    engine, leader = app_clinic.engine, app_clinic.actor("leader-a")
    ids = []
    for unit, actor in (("a", leader), ("c", app_clinic.actor("leader-c"))):
        aid = svc.start_assessment(engine, actor, unit, app_clinic.cycle_id)
        version = svc.save_answers(engine, actor, aid, 1, full_answers(app_clinic.questionnaire))
        svc.submit_assessment(engine, actor, aid, version)
        ids.append(aid)
    at = open_app("advisor", "app_pages/validate.py")
    assert at.caption[0].value == "2 venter på validering, 0 er validert."
    button(at, "Valider").click().run()
    assert at.success[0].value == "Vurderingen for Post A er validert."
    assert svc.get_assessment(engine, leader, ids[0]).status == "validated"
    next(e for e in at.text_area if e.label == "Hvorfor sendes vurderingen tilbake?").input(
        "Mangler dokumentasjon"
    )
    button(at, "Send tilbake til enheten").click().run()
    assert not at.exception, at.exception
    returned = svc.get_assessment(engine, app_clinic.actor("leader-c"), ids[1])
    assert (returned.status, returned.status_comment) == ("returned", "Mangler dokumentasjon")
    assert (
        open_app("leader-a", "app_pages/validate.py").info[0].value
        == "Validering gjøres av kvalitetsrådgivere."
    )


def test_an_administrators_start_page_counts_units_instead_of_listing_them(app_clinic: Clinic) -> None:
    """At the national tier the start page listed all 20,000 units for an administrator
    (30-37 s to sign in); it counts them per top node from the rollups instead."""
    at = open_app("admin")
    lines = [t.value for t in at.text]
    assert "Testforetaket: 0 av 3 enheter har sendt inn, 0 er påbegynt, 3 er ikke startet." in lines
    assert not [line for line in lines if line.startswith("• ")]


def test_an_unexpected_error_shows_an_incident_id_not_a_traceback(
    app_clinic: Clinic, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import views.home

    def broken(*_: object) -> None:
        raise RuntimeError("/secret/server/path.py failed")

    monkeypatch.setattr(views.home, "_due", broken)
    at = open_app("leader-a")
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Noe gikk galt her") and "/secret" not in message
    incident = message.split("koden ")[1].split(" ")[0]
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)  # logged with its id


def test_what_the_browser_sends_is_checked_like_any_input(app_clinic: Clinic) -> None:
    """The step's element sends its state from the browser: an unknown item, an answer an
    item does not take, or an over-long text saves nothing wrong and breaks nothing."""
    at = open_app("leader-a", "app_pages/assess.py")
    button(at, "Start eller fortsett vurderingen").click().run()
    key = form_step(at)["key"]
    at.session_state[key] = {
        "choices": {"LA1": True, "LA2": 9, "LA3": "3", "LA4": 4, "NOPE": 3, "RA1": 2},
        "texts": {"LA2": {"comment": "x" * 5000, "evidence": ["not", "text"]}, "NOPE": {"comment": "y"}},
    }
    at.run()
    assert not at.exception, at.exception
    aid = find_consensus(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id)
    stored = svc.get_assessment(app_clinic.engine, app_clinic.actor("leader-a"), aid).answers
    assert set(stored) == {"LA2"}  # RA1 takes a level, but it is not on this step
    assert not stored["LA2"].answered and stored["LA2"].evidence is None
    assert stored["LA2"].comment == "x" * 2000


def test_a_change_made_elsewhere_is_a_conflict_and_the_form_reloads(app_clinic: Clinic) -> None:
    """Two tabs on one assessment: the older tab's next answer is refused with the conflict
    message, never saved over the newer one; "Last inn på nytt" draws the step afresh (a new
    element, so what the old one held is never sent again) and answering works again."""
    first = open_app("leader-a", "app_pages/assess.py")
    button(first, "Start eller fortsett vurderingen").click().run()
    second = open_app("leader-a", "app_pages/assess.py")
    choose(second, "LA1", 5)
    choose(first, "LA1", 2)
    assert "Noen andre har endret" in first.error[0].value
    aid = find_consensus(app_clinic.engine, app_clinic.actor("leader-a"), "a", app_clinic.cycle_id)
    leader = app_clinic.actor("leader-a")
    assert svc.get_assessment(app_clinic.engine, leader, aid).answers["LA1"].level == 5
    old_key = form_step(first)["key"]
    button(first, "Last inn på nytt").click().run()
    assert not first.exception, first.exception
    assert form_step(first)["key"] != old_key
    assert shown_item(first, "LA1")["chosen"] == 5
    choose(first, "LA2", 4)
    assert not first.error
    assert svc.get_assessment(app_clinic.engine, leader, aid).answers["LA2"].level == 4


def test_an_advisors_return_comment_reads_as_written(app_clinic: Clinic) -> None:
    """The comment an advisor sends back with an assessment is text on the leader's form:
    a link or image in it is neither drawn nor followed."""
    from .conftest import full_answers

    engine, actor = app_clinic.engine, app_clinic.actor("leader-c")
    aid = svc.start_assessment(engine, actor, "c", app_clinic.cycle_id)
    version = svc.save_answers(engine, actor, aid, 1, full_answers(app_clinic.questionnaire))
    version = svc.submit_assessment(engine, actor, aid, version)
    comment = "Se ![x](http://example.invalid/x.png) og [lenke](http://example.invalid) *nå*"
    svc.return_assessment(engine, app_clinic.actor("advisor"), aid, version, comment)
    at = open_app("leader-c", "app_pages/assess.py")
    shown = at.warning[0].value
    assert shown == plain(f"Sendt tilbake av kvalitetsrådgiver: {comment}")
    assert "\\!\\[x\\]\\(http\\:\u2060//example\\.invalid/x\\.png\\)" in shown  # not even a bare link
