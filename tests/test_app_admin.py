"""Administrasjon in AppTest, as an administrator rolls the year over: a broken questionnaire
refused with its lines, a new version stored, next year's cycle opened with it and a
deadline, targets for a subtree, a unit added and another moved, last year closed; every
step in the audit log, which the page filters. Others are turned away."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from storage import assessments as svc
from storage.access import actor_for
from storage.actors import Grant
from storage.db import reading
from storage.definitions import list_cycles
from storage.errors import NotFound
from storage.tables import assessment, questionnaire_version, target
from storage.tree import current_tree

from .conftest import DEFAULT_QUESTIONNAIRE, Clinic, button, open_app

PAGE = "app_pages/admin.py"


def versions(clinic: Clinic) -> int:
    with reading(clinic.engine) as connection:
        return int(connection.execute(select(func.count()).select_from(questionnaire_version)).scalar_one())


def new_version_text() -> bytes:
    text = DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")
    assert 'version: "2025.1"' in text
    return text.replace('version: "2025.1"', 'version: "2026.1"', 1).encode()


def broken_text() -> bytes:
    """The default questionnaire with a scale level that is not a number (line 22)."""
    text = DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")
    text = text.replace("  - level: 1\n", "  - level: one\n", 1)
    return text.encode()


def read(markdown: str) -> str:
    """Markdown as the reader sees it: escaped characters as themselves, and no word joiner
    (views.text.plain puts one in an address so that it is not made a link)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def table_with(at, column: str):
    """The page's table that has `column` (every tab is drawn on each run)."""
    (found,) = [frame.value for frame in at.dataframe if column in frame.value.columns]
    return found


def uploader(at, label: str):
    (found,) = [u for u in at.file_uploader if u.label == label]
    return found


def submit(at, label: str):
    button(at, label).click().run()
    assert not at.exception, at.exception
    return at


def test_a_year_rolls_over_in_the_administration_page(app_clinic: Clinic) -> None:
    clinic = app_clinic
    leader = clinic.actor("leader-a")
    old = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    at = open_app("admin", PAGE)
    assert [tab.label for tab in at.tabs] == [
        "Sykluser",
        "Spørreskjema",
        "Mål",
        "Enheter",
        "Brukere",
        "Import og sikkerhetskopi",
        "Logg",
        "Utsending",
    ]

    # a broken questionnaire is refused with its file and line, and nothing is stored
    before = versions(clinic)
    uploader(at, "Spørreskjema (YAML)").set_value(("skjema.yaml", broken_text(), "application/yaml")).run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert read(error) == "skjema.yaml har 1 feil. Ingenting er lagret."
    problems = table_with(at, "Linje")
    assert list(problems["Fil"]) == ["skjema.yaml"] * len(problems)
    assert list(problems["Linje"]) == [22]
    assert versions(clinic) == before
    assert not [b for b in at.button if b.label == "Lagre versjonen"]

    # a good one shows what the form will ask, then is stored (not made current)
    upload = ("skjema.yaml", new_version_text(), "application/yaml")
    uploader(at, "Spørreskjema (YAML)").set_value(upload).run()
    assert not at.exception, at.exception
    assert any("versjon 2026.1: 6 dimensjoner" in read(s.value) for s in at.success)
    assert len(at.expander) >= 5  # a dimension each
    at.checkbox(key="admin_make_current").uncheck()
    submit(at, "Lagre versjonen")
    assert versions(clinic) == before + 1
    with reading(clinic.engine) as connection:
        new_version = int(connection.execute(select(func.max(questionnaire_version.c.id))).scalar_one())
    assert [s.value for s in at.success] == [f"Versjon nr. {new_version} er lagret."]

    # next year's cycle, with the new version and a deadline
    assert not [b for b in at.button if b.label == "Lagre versjonen"]  # the uploader is empty again
    at.selectbox(key="admin_next_version").set_value(new_version)
    at.date_input(key="admin_next_deadline").set_value(dt.date(2025, 11, 30))
    submit(at, "Opprett syklus")
    assert [s.value for s in at.success] == ["Syklusen 2025/2026 er opprettet og åpen."]
    cycles = {c["label"]: c for c in list_cycles(clinic.engine)}
    assert cycles["2025/2026"]["questionnaire_version_id"] == new_version
    assert cycles["2025/2026"]["deadline"] == dt.date(2025, 11, 30)

    # targets for every unit under the clinic
    at.selectbox(key="admin_target_unit").set_value("k")
    at.checkbox(key="admin_target_subtree").check()
    at.selectbox(key="admin_target_dim").set_value("overall")
    at.number_input(key="admin_target_level").set_value(3.5)
    at.selectbox(key="admin_target_cycle").set_value(cycles["2025/2026"]["id"])
    submit(at, "Sett mål")
    assert [s.value for s in at.success] == ["Målet er satt for 3 enhet(er)."]
    with reading(clinic.engine) as connection:
        targets = connection.execute(select(target.c.unit_id, target.c.target_level)).all()
    assert sorted(targets) == [("a", 3.5), ("b", 3.5), ("c", 3.5)]

    # a new ward, and ward b moved to section 2
    at.selectbox(key="admin_add_parent").set_value("s2")
    at.text_input(key="admin_add_id").input("d")
    at.text_input(key="admin_add_nb").input("Post D")
    submit(at, "Legg til")
    at.selectbox(key="admin_move_unit").set_value("b")
    at.selectbox(key="admin_move_parent").set_value("s2")
    submit(at, "Flytt enheten")
    assert [s.value for s in at.success] == ["b ligger nå under s2."]
    tree = current_tree(clinic.engine).set_index("unit_id")
    assert tree.at["d", "parent_id"] == "s2" and tree.at["d", "name_nb"] == "Post D"
    assert tree.at["b", "parent_id"] == "s2"

    # last year closes; a new assessment uses the new version, the old one keeps its own
    next_id = cycles["2025/2026"]["id"]
    at.selectbox(key="admin_plan_cycle").set_value(next_id).run()
    assert at.date_input(key=f"admin_plan_deadline_{next_id}").value == dt.date(2025, 11, 30)
    at.date_input(key=f"admin_plan_deadline_{next_id}").set_value(dt.date(2025, 12, 15))
    submit(at, "Lagre syklusen")
    assert [s.value for s in at.success] == ["Syklusen 2025/2026 er lagret."]
    at.selectbox(key="admin_plan_cycle").set_value(clinic.cycle_id).run()
    assert at.radio(key=f"admin_plan_status_{clinic.cycle_id}").value == "open"
    at.radio(key=f"admin_plan_status_{clinic.cycle_id}").set_value("closed")
    submit(at, "Lagre syklusen")
    assert [s.value for s in at.success] == ["Syklusen 2024/2025 er lagret."]
    assert {c["label"]: (c["status"], c["deadline"]) for c in list_cycles(clinic.engine)} == {
        "2024/2025": ("closed", None),
        "2025/2026": ("open", dt.date(2025, 12, 15)),
    }
    new = svc.start_assessment(clinic.engine, leader, "a", cycles["2025/2026"]["id"])
    with reading(clinic.engine) as connection:
        used = dict(connection.execute(select(assessment.c.id, assessment.c.questionnaire_version_id)).all())
    assert used[new] == new_version and used[old] != new_version

    # the log holds each step with who did it, and filters by action
    at.selectbox(key="admin_log_action").set_value("plan")
    at.run()
    log = table_with(at, "Hvem")
    assert list(log["Hvem"]) == ["admin"] and list(log["Gjelder"]) == ["cycle"]
    assert '"deadline": "2025-12-15"' in log["Etter"].iloc[0]
    at.selectbox(key="admin_log_action").set_value("")
    at.selectbox(key="admin_log_who").set_value("admin")
    at.run()
    log = table_with(at, "Hvem")
    done = set(zip(log["Handling"], log["Gjelder"], strict=True))
    assert {
        ("register", "questionnaire_version"),
        ("create", "cycle"),
        ("plan", "cycle"),
        ("status", "cycle"),
        ("set", "target"),
        ("create", "org_unit"),
        ("moved", "org_unit"),
    } <= done


@pytest.mark.parametrize("user", ["leader-a", "manager-k", "advisor"])
def test_only_administrators_reach_the_administration(app_clinic: Clinic, user: str) -> None:
    at = open_app(user, PAGE)
    assert [info.value for info in at.main.info] == ["Administrasjon gjøres av administratorer."]
    assert not at.tabs


def test_users_are_given_roles_imported_and_removed_in_the_page(app_clinic: Clinic) -> None:
    clinic = app_clinic
    at = open_app("admin", PAGE)
    at.text_input(key="admin_grant_email").input("kari@sshf.no")
    at.text_input(key="admin_grant_name").input("Kari Nordmann")
    at.selectbox(key="admin_grant_role").set_value("leader")
    at.selectbox(key="admin_grant_unit").set_value("a")
    submit(at, "Gi rollen")
    assert [read(s.value) for s in at.success] == ["kari@sshf.no er nå enhetsleder."]
    assert actor_for(clinic.engine, "kari@sshf.no").grants == (Grant("leader", "a"),)

    # a file with a bad row is refused with its line, and nothing is imported
    bad = b"e-post;navn;rolle;enhet\nola@sshf.no;Ola;leder;c\nper@sshf.no;Per;sjef;c\n"
    uploader(at, "Brukerfil (CSV eller YAML)").set_value(("brukere.csv", bad, "text/csv")).run()
    assert not at.exception, at.exception
    assert [read(e.value) for e in at.error] == ["brukere.csv har 1 feil. Ingenting er lagret."]
    assert list(table_with(at, "Linje")["Linje"]) == [3]
    good = b"e-post;navn;rolle;enhet\nola@sshf.no;Ola;leder;c\nkari@sshf.no;Kari N.;ledelse;s1\n"
    uploader(at, "Brukerfil (CSV eller YAML)").set_value(("brukere.csv", good, "text/csv")).run()
    assert "2 brukere i filen: 1 nye, 1 finnes fra før. Ingenting er lagret ennå." in [
        i.value for i in at.info
    ]
    submit(at, "Importer brukerne")
    assert [s.value for s in at.success] == ["2 brukere er importert."]
    assert actor_for(clinic.engine, "kari@sshf.no").grants == (Grant("management", "s1"),)

    # a role taken, a user removed (after the box is ticked)
    at.selectbox(key="admin_user_chosen").set_value("ola@sshf.no").run()
    submit(at, "Ta fra rollen")
    assert actor_for(clinic.engine, "ola@sshf.no").grants == ()
    submit(at, "Fjern")
    assert [read(e.value) for e in at.error] == ["Kryss av for at du vil fjerne brukeren."]
    at.checkbox(key="admin_remove_ola@sshf.no_sure").check()
    submit(at, "Fjern")
    with pytest.raises(NotFound):
        actor_for(clinic.engine, "ola@sshf.no")
    users = table_with(at, "Roller")
    assert "ola@sshf.no" not in set(users["E-post"])
    assert dict(zip(users["E-post"], users["Roller"], strict=True))["kari@sshf.no"] == "ledelse (Seksjon 1)"


def test_the_administration_follows_the_language(app_clinic: Clinic) -> None:
    """A choice whose options are named in the language is drawn anew in the other (a keyed
    selectbox kept its bokmål labels after a switch to English)."""
    at = open_app("admin", PAGE)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert [tab.label for tab in at.tabs][:2] == ["Cycles", "Questionnaires"]
    version = next(s for s in at.selectbox if s.label == "Questionnaire")
    assert version.options[0] == "The current version when an assessment starts"
    # (AppTest cannot click here: it formats the options again outside the run, in bokmål)


def test_answers_are_imported_after_a_preview_and_units_closed_or_merged(app_clinic: Clinic) -> None:
    from .test_importing import answers_csv

    clinic = app_clinic
    at = open_app("admin", PAGE)
    bad = "unit,cycle,respondent,item,answer\na,2024/2025,r1,LA1,7\nzz,2024/2025,r1,LA1,3\n"
    uploader(at, "Svarfil (CSV)").set_value(("svar.csv", bad.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    assert [read(e.value) for e in at.error] == ["svar.csv har 2 feil. Ingenting er lagret."]
    assert list(table_with(at, "Linje")["Linje"]) == [2, 3]
    good = answers_csv(clinic, "bc", 2, seed=3).encode()
    uploader(at, "Svarfil (CSV)").set_value(("svar.csv", good, "text/csv")).run()
    preview = [i.value for i in at.info if "Ingenting er lagret ennå" in i.value]
    assert preview and "4 nye vurderinger, 0 erstattes" in preview[0]
    submit(at, "Importer svarene")
    assert next(s.value for s in at.success).endswith("svar for 2 enheter er importert.")
    with reading(clinic.engine) as connection:
        imported = connection.execute(select(func.count()).select_from(assessment)).scalar_one()
    assert imported == 4
    assert "Last ned sikkerhetskopi" in [b.label for b in at.get("download_button")]

    at.selectbox(key="admin_end_unit").set_value("c")
    submit(at, "Avslutt enheten")
    assert [read(s.value) for s in at.success] == ["c er avsluttet."]
    at.selectbox(key="admin_end_unit").set_value("b")
    at.radio(key="admin_end_how").set_value("merge")
    at.selectbox(key="admin_end_into").set_value("a")
    submit(at, "Avslutt enheten")
    assert [read(s.value) for s in at.success] == ["b er slått sammen."]
    assert set(current_tree(clinic.engine)["unit_id"]) == {"hf", "k", "s1", "s2", "a"}
