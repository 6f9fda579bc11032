"""The result page in the app (AppTest): its texts, the profile chart's downloads, and the
action plan: add, edit, delete with a confirmation, status, conflicts, and who may change it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from storage import assessments as svc
from storage.assessments import Answer
from storage.planning import add_action_item, list_action_items, update_action_item

from .conftest import Clinic, action_trail, button, full_answers, open_app

RESULT = "app_pages/result.py"


def submit(clinic: Clinic, answers: list[Answer]) -> None:
    leader = clinic.actor("leader-a")
    aid = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    version = svc.save_answers(clinic.engine, leader, aid, 1, answers)
    svc.submit_assessment(clinic.engine, leader, aid, version)


def with_changes(clinic: Clinic, changes: dict[str, object]) -> list[Answer]:
    """Level 3 and yes everywhere, except the given answers (a level, or True/False)."""
    answers = []
    for answer in full_answers(clinic.questionnaire):
        value = changes.get(answer.item_id)
        if isinstance(value, bool):
            answer = Answer(answer.item_id, yes=value)
        elif isinstance(value, int):
            answer = Answer(answer.item_id, level=value)
        answers.append(answer)
    return answers


def new_item(clinic: Clinic, what: str = "Innføre tavlemøter", due: dt.date | None = None) -> int:
    return add_action_item(
        clinic.engine,
        clinic.actor("leader-a"),
        "a",
        clinic.cycle_id,
        what,
        "Kari",
        due or dt.date(2025, 3, 1),
        "medvirkning",
    )


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


# Texts ----------------------------------------------------------------------------------


def test_missing_criteria_at_every_stage_not_reached_and_the_journey_as_stored(app_clinic: Clinic) -> None:
    # KM5 (a checklist item of stage 1.0) is "no": the unit drops below 1.0 while it meets
    # all of 2.0 and 3.0, one of 4.0's criteria and two of 5.0's.
    submit(app_clinic, with_changes(app_clinic, {"KM5": False, "LA1": 4, "LA2": 4}))
    at = open_app("leader-a", RESULT)
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert "Framdrift på veikartet: 0.75 (75 % av kriteriene for trinn 1.0 er oppfylt)" in captions
    assert "Bygger på 1 svar" in captions
    stages = [e for e in at.expander if e.label.startswith("Trinn ")]
    assert [e.label for e in stages] == [
        "Trinn 1.0 Forbedringskompetanse: 1 av 4 kriterier mangler",
        "Trinn 2.0 Forbedringsmedvirkning: alle 4 kriteriene er oppfylt",
        "Trinn 3.0 Forbedringseierskap: alle 4 kriteriene er oppfylt",
        "Trinn 4.0 Forbedringskultur: 1 av 4 kriterier mangler",
        "Trinn 5.0 Forbedringsbærekraft: 2 av 4 kriterier mangler",
    ]
    shown = [[m.value for m in stage.markdown] for stage in stages]
    # a checklist criterion reads as the statement that is not true yet
    assert shown[0] == ["- Minst én ansatt i enheten har fullført opplæring som forbedringsagent."]
    assert [c.value for c in stages[1].caption] == [
        "Alle kriteriene for dette trinnet er oppfylt. Trinnet nås når trinnene under er nådd."
    ]
    assert shown[3] == [
        "- «Det er trygt å si ifra, stille spørsmål og foreslå endringer (psykologisk trygghet)»: "
        "minst nivå 4 (Forebyggende), nå 3.00"
    ]
    # closest to being met first: lederansvar (3.67, shown cut: 3.66) before kompetanse (3.00)
    assert shown[4] == [
        "- Lederansvar og styring: minst nivå 4 (Forebyggende), nå 3.66",
        "- Forbedringskompetanse og metode: minst nivå 4 (Forebyggende), nå 3.00",
    ]
    shown_texts = [*captions, *(m.value for m in at.markdown)]
    assert not [text for text in shown_texts if ": ja" in text or "Reise" in text or "0.8 " in text]


def test_counts_read_right_in_english(app_clinic: Clinic) -> None:
    submit(app_clinic, full_answers(app_clinic.questionnaire))
    at = open_app("leader-a")
    at.selectbox(key="_lang_select").set_value("en").run()
    at.switch_page(RESULT).run()
    captions = [c.value for c in at.caption]
    assert "Based on 1 response" in captions
    assert "Progress on the roadmap: 3.75 (75 % of the criteria for stage 4.0 are met)" in captions


def test_the_profile_chart_downloads_in_the_users_language(app_clinic: Clinic) -> None:
    """Streamlit's own chart toolbar is English whatever the spec says, so the app hides it
    and the page offers the figure as PNG and SVG with Norwegian labels instead."""
    from views.dash import HIDE_CHART_TOOLBAR, figure_png, figure_svg

    submit(app_clinic, full_answers(app_clinic.questionnaire))
    at = open_app("leader-a", RESULT)
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels[:2] == ["Som bilde (PNG)", "Som vektorgrafikk (SVG)"]
    assert any(HIDE_CHART_TOOLBAR in h.proto.body for h in at.get("html"))
    chart = next(e for e in at.main if e.type == "vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    spec.pop("datasets", None)
    drawn = {**spec, "data": {"values": [{"dimension": "A", "score": 3.0}]}}
    assert figure_png(drawn)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Skår (1 = Tilfeldig, 5 = Integrert)" in figure_svg(drawn)


# The action plan ------------------------------------------------------------------------


def test_due_dates_are_entered_and_shown_as_dd_mm_yyyy(app_clinic: Clinic) -> None:
    new_item(app_clinic)
    at = open_app("leader-a", RESULT)
    assert "Ansvarlig: Kari · Frist: 01.03.2025 · Gjelder: Ansattes medvirkning" in texts(at)
    assert [d.proto.format for d in at.date_input] == ["DD.MM.YYYY"]


def test_the_leader_edits_every_field_of_an_action(app_clinic: Clinic) -> None:
    item = new_item(app_clinic)
    at = open_app("leader-a", RESULT)
    at.button(key=f"action_edit_{item}").click().run()
    assert at.text_area(key=f"action_what_{item}").value == "Innføre tavlemøter"
    assert at.date_input(key=f"action_due_on_{item}").value == dt.date(2025, 3, 1)
    assert at.date_input(key=f"action_due_on_{item}").proto.format == "DD.MM.YYYY"
    at.text_area(key=f"action_what_{item}").input("Tavlemøte hver morgen")
    at.text_input(key=f"action_who_{item}").input("Ola")
    at.date_input(key=f"action_due_on_{item}").set_value(dt.date(2025, 6, 15))
    at.selectbox(key=f"action_dimension_id_{item}").set_value("maling")
    at.selectbox(key=f"action_status_{item}").set_value("in_progress")
    button(at, "Lagre endringene").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Endringene er lagret."]
    stored = list_action_items(app_clinic.engine, app_clinic.actor("leader-a"), "a").iloc[0]
    assert (stored.what, stored.who, stored.due_on, stored.dimension_id, stored.status) == (
        "Tavlemøte hver morgen",
        "Ola",
        dt.date(2025, 6, 15),
        "maling",
        "in_progress",
    )
    assert texts(at) == [
        "Tavlemøte hver morgen",
        "Ansvarlig: Ola · Frist: 15.06.2025 · Gjelder: Måling og oppfølging",
    ]
    assert at.selectbox(key=f"action_status_{item}_2").value == "in_progress"
    actor, action, before, after = action_trail(app_clinic, item)[-1]
    assert (actor, action) == ("leader-a", "update")
    assert before == {
        "what": "Innføre tavlemøter",
        "who": "Kari",
        "due_on": "2025-03-01",
        "dimension_id": "medvirkning",
        "status": "planned",
    }
    assert after == {
        "what": "Tavlemøte hver morgen",
        "who": "Ola",
        "due_on": "2025-06-15",
        "dimension_id": "maling",
        "status": "in_progress",
    }


def test_the_leader_deletes_an_action_after_confirming(app_clinic: Clinic) -> None:
    keep, gone = new_item(app_clinic, "Beholdes"), new_item(app_clinic, "Slettes")
    at = open_app("leader-a", RESULT)
    at.button(key=f"action_delete_{gone}").click().run()
    assert [w.value for w in at.warning] == ["Vil du slette dette tiltaket? Det kan ikke angres."]
    button(at, "Avbryt").click().run()
    assert not at.warning
    assert len(list_action_items(app_clinic.engine, app_clinic.actor("leader-a"), "a")) == 2

    at.button(key=f"action_delete_{gone}").click().run()
    at.button(key=f"action_delete_yes_{gone}").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Tiltaket er slettet."]
    left = list_action_items(app_clinic.engine, app_clinic.actor("leader-a"), "a")
    assert left["id"].tolist() == [keep]
    assert "Slettes" not in texts(at) and "Beholdes" in texts(at)
    actor, action, before, after = action_trail(app_clinic, gone)[-1]
    assert (actor, action, before["what"], after) == ("leader-a", "delete", "Slettes", None)


def test_a_status_change_is_stored_at_once(app_clinic: Clinic) -> None:
    item = new_item(app_clinic)
    at = open_app("leader-a", RESULT)
    at.selectbox(key=f"action_status_{item}_1").set_value("done").run()
    assert not at.exception and not at.error
    assert list_action_items(app_clinic.engine, app_clinic.actor("leader-a"), "a").iloc[0].status == "done"
    assert at.selectbox(key=f"action_status_{item}_2").value == "done"


def test_an_edit_that_meets_someone_elses_change_keeps_both(app_clinic: Clinic) -> None:
    item = new_item(app_clinic)
    at = open_app("leader-a", RESULT)
    at.button(key=f"action_edit_{item}").click().run()
    at.text_area(key=f"action_what_{item}").input("Tavlemøte hver morgen")
    # meanwhile the section manager marks it done
    update_action_item(app_clinic.engine, app_clinic.actor("manager-s1"), item, 1, status="done")
    button(at, "Lagre endringene").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Noen andre har endret tiltaket etter at du åpnet siden. Last inn på nytt for å se "
        "endringene; ingenting ble overskrevet."
    ]
    stored = list_action_items(app_clinic.engine, app_clinic.actor("leader-a"), "a").iloc[0]
    assert (stored.what, stored.status) == ("Innføre tavlemøter", "done")
    # the form is still open with what the leader wrote, beside what is stored now; the
    # field the leader did not touch now holds the manager's value
    assert "Slik er tiltaket lagret nå. Lagre igjen for å erstatte det med det du har skrevet:" in [
        c.value for c in at.caption
    ]
    assert "Ansvarlig: Kari · Frist: 01.03.2025 · Gjelder: Ansattes medvirkning · fullført" in texts(at)
    assert at.text_area(key=f"action_what_{item}").value == "Tavlemøte hver morgen"
    assert at.selectbox(key=f"action_status_{item}").value == "done"
    # saving again, knowingly, stores the new text and keeps the manager's status
    button(at, "Lagre endringene").click().run()
    stored = list_action_items(app_clinic.engine, app_clinic.actor("leader-a"), "a").iloc[0]
    assert (stored.what, stored.status, stored.row_version) == ("Tavlemøte hver morgen", "done", 3)


def test_a_delete_after_someone_elses_change_is_refused(app_clinic: Clinic) -> None:
    item = new_item(app_clinic)
    at = open_app("leader-a", RESULT)
    at.button(key=f"action_delete_{item}").click().run()
    update_action_item(app_clinic.engine, app_clinic.actor("manager-s1"), item, 1, what="Endret")
    at.button(key=f"action_delete_yes_{item}").click().run()
    assert next(e.value for e in at.error).startswith("Noen andre har endret tiltaket")
    assert list_action_items(app_clinic.engine, app_clinic.actor("leader-a"), "a").iloc[0].what == "Endret"
    assert "Endret" in texts(at)


def test_an_empty_action_is_refused_and_the_form_keeps_what_was_typed(app_clinic: Clinic) -> None:
    at = open_app("leader-a", RESULT)
    next(e for e in at.text_input if e.label == "Hvem er ansvarlig").input("Kari")
    button(at, "Legg til tiltak").click().run()
    assert [e.value for e in at.error] == ["Skriv hva som skal gjøres."]
    assert next(e for e in at.text_input if e.label == "Hvem er ansvarlig").value == "Kari"
    next(e for e in at.text_area if e.label == "Hva skal gjøres").input("Innføre tavlemøter")
    button(at, "Legg til tiltak").click().run()
    assert [s.value for s in at.success] == ["Tiltaket er lagt til."]
    assert next(e for e in at.text_input if e.label == "Hvem er ansvarlig").value == ""
    stored = list_action_items(app_clinic.engine, app_clinic.actor("leader-a"), "a").iloc[0]
    assert (stored.what, stored.who) == ("Innføre tavlemøter", "Kari")


def _plan_as_reader() -> None:
    """The action plan drawn for the user in session_state["reader"] (a script for AppTest)."""
    import streamlit as st

    from storage.access import actor_for
    from views import state
    from views.result import action_plan

    actor = actor_for(state.engine(), st.session_state["reader"])
    _, questionnaire, _ = state.questionnaire()
    action_plan(actor, "a", st.session_state["cycle_id"], questionnaire)


@pytest.mark.parametrize(("reader", "edits"), [("advisor", False), ("manager-s1", True)])
def test_only_planners_see_edit_controls(app_clinic: Clinic, reader: str, edits: bool) -> None:
    """The advisor may read the plan but not change it; management above the unit may."""
    new_item(app_clinic)
    at = AppTest.from_function(_plan_as_reader, default_timeout=60)
    at.session_state["reader"] = reader
    at.session_state["cycle_id"] = app_clinic.cycle_id
    at.run()
    assert not at.exception, at.exception
    assert "Innføre tavlemøter" in texts(at)
    controls = [w.label for w in [*at.button, *at.selectbox, *at.text_area, *at.date_input]]
    if edits:
        assert {"Endre", "Slett", "Status", "Legg til tiltak", "Hva skal gjøres"} <= set(controls)
    else:
        assert controls == []
        assert "Status: planlagt" in texts(at)
        assert "Du kan lese planen. Enhetens leder og ledelsen over enheten kan endre den." in [
            c.value for c in at.caption
        ]


def test_the_profile_table_shows_a_dash_where_there_is_no_score(app_clinic: Clinic) -> None:
    import pyarrow as pa

    answers = [
        Answer(a.item_id, dont_know=True) if a.item_id.startswith("BM") else a
        for a in full_answers(app_clinic.questionnaire)
    ]
    submit(app_clinic, answers)
    at = open_app("leader-a", RESULT)
    table = at.dataframe[0]
    shown = pa.ipc.open_stream(table.proto.arrow_data.styler.display_values).read_all().to_pandas()
    shown.columns = table.value.columns
    row = shown.set_index("Dimensjon").loc["Brukermedvirkning"]
    assert (row["Nivå"], row["Skår"], row["Forrige syklus"]) == ("ingen skår", "–", "–")
    assert shown.set_index("Dimensjon").loc["Lederansvar og styring", "Skår"] == "3.00"
    assert not shown.isin(["None", "nan", "<NA>"]).any().any()
