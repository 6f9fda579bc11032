"""The year's roll-over in Chromium, as an administrator clicks it in Administrasjon: a broken
questionnaire refused with its line, a new version stored, next year's cycle opened with it,
targets for the clinic, a unit added and another moved, last year closed; then the
dashboards show both years, each scored by its own questionnaire version."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from storage import assessments as svc
from storage.db import reading
from storage.definitions import list_cycles
from storage.tables import assessment, target
from storage.tree import current_tree

from .browserkit import browser, evidence, no_trouble, server, settle, sign_in
from .conftest import DEFAULT_QUESTIONNAIRE, full_answers

__all__ = ["browser", "server"]  # fixtures


def form(page, heading: str):
    return page.locator("[data-testid='stForm']").filter(has_text=heading)


def choose(scope, label: str, search: str) -> None:
    """Pick an option of a selectbox: open it, type a part of the option to find it, pick it."""
    page = scope if hasattr(scope, "keyboard") else scope.page
    scope.get_by_role("combobox", name=label).click()
    page.keyboard.type(search)
    page.get_by_role("option").filter(has_text=search).first.click()
    settle(page)


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    settle(page)


def done(page, text: str) -> None:
    page.get_by_text(text).first.wait_for(timeout=15_000)
    no_trouble(page)


def test_an_administrator_rolls_the_year_over(server, browser, tmp_path: Path) -> None:
    base, clinic = server
    leader = clinic.actor("leader-a")
    first = svc.start_assessment(clinic.engine, leader, "a", clinic.cycle_id)
    svc.submit_assessment(
        clinic.engine,
        leader,
        first,
        svc.save_answers(clinic.engine, leader, first, 1, full_answers(clinic.questionnaire, 2)),
    )
    text = DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")
    good = tmp_path / "skjema-2026.yaml"
    good.write_text(text.replace('version: "2025.1"', 'version: "2026.1"', 1), encoding="utf-8")
    broken = tmp_path / "skjema-feil.yaml"
    broken.write_text(text.replace("  - level: 1\n", "  - level: one\n", 1), encoding="utf-8")

    with evidence(browser, "admin"):
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        sign_in(page, base, "admin", "admin")
        page.get_by_role("heading", name="Administrasjon").wait_for()

        tab(page, "Spørreskjema")
        upload = page.locator("input[type='file']").first
        upload.set_input_files(str(broken))
        done(page, "skjema-feil.yaml har 1 feil. Ingenting er lagret.")
        assert page.get_by_role("button", name="Lagre versjonen").count() == 0
        upload.set_input_files(str(good))
        done(page, re.compile(r"versjon 2026\.1: 6 dimensjoner og \d+ spørsmål"))
        page.get_by_text("Gjør den gjeldende for nye vurderinger").click()  # ticked by default: untick
        page.get_by_role("button", name="Lagre versjonen").click()
        settle(page)
        done(page, "Versjon nr. 2 er lagret.")

        tab(page, "Sykluser")
        next_year = form(page, "Forbered neste års syklus")
        choose(next_year, "Spørreskjema", "(nr. 2)")
        next_year.get_by_role("button", name="Opprett syklus").click()
        settle(page)
        done(page, "Syklusen 2025/2026 er opprettet og åpen.")

        tab(page, "Mål")
        aims = page.locator("[data-testid='stForm']").filter(has_text="Sett mål")
        choose(aims, "Enhet", "Klinikken (k)")
        aims.get_by_text("Alle enheter under den").click()
        page.get_by_role("button", name="Sett mål").click()
        settle(page)
        done(page, "Målet er satt for 3 enhet(er).")

        tab(page, "Enheter")
        add = form(page, "Legg til en enhet")
        choose(add, "Under", "Seksjon 2 (s2)")
        add.get_by_role("textbox", name="Id").fill("d")
        add.get_by_role("textbox", name="Navn (bokmål)").fill("Post D")
        add.get_by_role("button", name="Legg til").click()
        settle(page)
        done(page, "Enheten d er lagt til.")
        move = form(page, "Flytt")
        choose(move, "Enhet", "Post B (b)")
        choose(move, "Under", "Seksjon 2 (s2)")
        move.get_by_role("button", name="Flytt enheten").click()
        settle(page)
        done(page, "b ligger nå under s2.")

        tab(page, "Sykluser")
        choose(page, "Syklus", "2024/2025")
        settle(page)
        change = form(page, "Svarfrist")
        change.get_by_text("avsluttet").click()
        change.get_by_role("button", name="Lagre syklusen").click()
        settle(page)
        done(page, "Syklusen 2024/2025 er lagret.")

        tab(page, "Logg")
        page.get_by_text(re.compile(r"Viser \d+ av \d+ oppføringer")).wait_for()
        no_trouble(page)

    cycles = {c["label"]: c for c in list_cycles(clinic.engine)}
    assert cycles["2024/2025"]["status"] == "closed" and cycles["2025/2026"]["questionnaire_version_id"] == 2
    tree = current_tree(clinic.engine).set_index("unit_id")
    assert tree.at["d", "parent_id"] == "s2" and tree.at["b", "parent_id"] == "s2"
    with reading(clinic.engine) as connection:
        assert len(connection.execute(select(target)).all()) == 3

    # the new year: ward a assessed again, with the new version; the dashboards show both years
    second = svc.start_assessment(clinic.engine, leader, "a", cycles["2025/2026"]["id"])
    svc.submit_assessment(
        clinic.engine,
        leader,
        second,
        svc.save_answers(clinic.engine, leader, second, 1, full_answers(clinic.questionnaire, 4)),
    )
    with reading(clinic.engine) as connection:
        versions = dict(
            connection.execute(select(assessment.c.id, assessment.c.questionnaire_version_id)).all()
        )
    assert (versions[first], versions[second]) == (1, 2)
    with evidence(browser, "admin-progress"):
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        sign_in(page, base, "manager-k", "progress")
        page.get_by_text("2025/2026").first.wait_for(timeout=20_000)
        assert page.get_by_text("2024/2025").count() > 0
        no_trouble(page)
