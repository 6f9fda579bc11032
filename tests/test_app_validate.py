"""The advisor's validation page (AppTest): after every action the list shows each assessment
exactly once with its status, returned ones stay visible with their comment, and the table
of answers shows the unit's text as text, with no "None"."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from storage import assessments as svc
from storage.assessments import Answer

from .conftest import Clinic, full_answers, open_app

VALIDATE = "app_pages/validate.py"
RETURNED = "sendt tilbake, venter på enheten"


def submit_all(clinic: Clinic, units: tuple[str, ...] = ("a", "b", "c")) -> dict[str, int]:
    """A submitted consensus assessment per unit, the first item with a comment in Markdown."""
    admin = clinic.actor("admin")
    ids = {}
    for unit in units:
        answers = full_answers(clinic.questionnaire)
        first = answers[0]
        answers[0] = Answer(first.item_id, level=first.level, comment="**Fet** tekst fra <b>enheten</b>")
        aid = svc.start_assessment(clinic.engine, admin, unit, clinic.cycle_id)
        version = svc.save_answers(clinic.engine, admin, aid, 1, answers)
        svc.submit_assessment(clinic.engine, admin, aid, version)
        ids[unit] = aid
    return ids


def listed(at: AppTest) -> list[str]:
    return [e.label for e in at.expander]


def send_back(at: AppTest, unit: str, comment: str) -> None:
    """Type the reason in the unit's entry and click its "Send tilbake" button."""
    entry = next(e for e in at.expander if e.label.startswith(f"{unit} – "))
    entry.text_area[0].input(comment)
    next(b for b in entry.button if b.label == "Send tilbake til enheten").click().run()
    assert not at.exception, at.exception


def test_the_list_is_right_after_each_action(app_clinic: Clinic) -> None:
    """Each assessment exactly once, with its status, right after sending one back and
    validating another: no reload needed."""
    submit_all(app_clinic)
    at = open_app("advisor", VALIDATE)
    assert listed(at) == ["Post A – sendt inn", "Post B – sendt inn", "Post C – sendt inn"]

    send_back(at, "Post B", "Mangler dokumentasjon for LA1")
    assert [s.value for s in at.success] == ["Vurderingen for Post B er sendt tilbake til enheten."]
    assert len(listed(at)) == len(set(listed(at)))
    assert [e for e in listed(at) if RETURNED not in e] == ["Post A – sendt inn", "Post C – sendt inn"]

    next(b for b in at.expander[1].button if b.label == "Valider").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Vurderingen for Post C er validert."]
    assert len(listed(at)) == len(set(listed(at)))
    assert [e for e in listed(at) if RETURNED not in e] == ["Post A – sendt inn", "Post C – validert"]
    assert listed(open_app("advisor", VALIDATE)) == listed(at)


def check_returned_stays_visible(clinic: Clinic) -> None:
    ids = submit_all(clinic)
    at = open_app("advisor", VALIDATE)
    send_back(at, "Post B", "Mangler *dokumentasjon* for LA1")
    assert listed(at) == ["Post A – sendt inn", "Post C – sendt inn", f"Post B – {RETURNED}"]
    assert at.caption[0].value == "2 venter på validering, 1 er sendt tilbake til enheten, 0 er validert."
    # the returned one shows the advisor's reason as typed, and offers no buttons
    returned = at.expander[2]
    assert [t.value for t in returned.text] == ["Mangler *dokumentasjon* for LA1"]
    assert not returned.button

    next(b for b in at.expander[1].button if b.label == "Valider").click().run()
    assert listed(at) == ["Post A – sendt inn", f"Post B – {RETURNED}", "Post C – validert"]
    assert at.caption[0].value == "1 venter på validering, 1 er sendt tilbake til enheten, 1 er validert."
    assert listed(open_app("advisor", VALIDATE)) == listed(at)

    # once the unit has submitted again it waits for the advisor
    admin = clinic.actor("admin")
    view = svc.get_assessment(clinic.engine, admin, ids["b"])
    svc.submit_assessment(clinic.engine, admin, ids["b"], view.row_version)
    at.run()
    assert listed(at) == ["Post A – sendt inn", "Post B – sendt inn", "Post C – validert"]


def test_returned_assessments_stay_visible_to_the_advisor(app_clinic: Clinic) -> None:
    check_returned_stays_visible(app_clinic)


def test_a_send_back_without_a_reason_is_refused_where_it_was_typed(app_clinic: Clinic) -> None:
    ids = submit_all(app_clinic, ("a", "b"))
    at = open_app("advisor", VALIDATE)
    send_back(at, "Post B", "   ")
    assert listed(at) == ["Post A – sendt inn", "Post B – sendt inn"]
    assert [e.value for e in at.expander[1].error] == ["skriv hvorfor vurderingen sendes tilbake"]
    assert svc.get_assessment(app_clinic.engine, app_clinic.actor("advisor"), ids["b"]).status == "submitted"


def test_the_answers_show_the_units_text_as_text_and_no_none(app_clinic: Clinic) -> None:
    admin = app_clinic.actor("admin")
    aid = svc.start_assessment(app_clinic.engine, admin, "a", app_clinic.cycle_id)
    answers = full_answers(app_clinic.questionnaire)
    typed = "**Fet** tekst fra <b>enheten</b>"
    answers[0] = Answer(answers[0].item_id, level=3, comment=typed, evidence=None)
    version = svc.save_answers(app_clinic.engine, admin, aid, 1, answers)
    svc.submit_assessment(app_clinic.engine, admin, aid, version)
    at = open_app("advisor", VALIDATE)
    table = at.dataframe[0].value
    assert table["Kommentar"].iloc[0] == typed
    for column in ("Kommentar", "Dokumentasjon", "Nivå"):
        cells = table[column]
        assert not cells.isna().any(), column
        assert not cells.astype(str).isin(["None", "nan", "<NA>"]).any(), column
    assert (table["Dokumentasjon"] == "").all()
