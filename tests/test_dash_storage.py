"""The reads behind the dashboards' lists and counts (storage.rollup), on the small clinic
of conftest and on a wide organisation whose overview heatmap must not draw every row."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from storage import assessments as svc
from storage import rollup
from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import make_engine, migrate
from storage.definitions import create_cycle
from storage.errors import AccessDenied
from storage.org import UnitSpec, sync_org

from .conftest import Clinic, full_answers, heatmaps, make_clinic, open_app


def submit(clinic: Clinic, unit: str, cycle_id: int, level: int) -> None:
    assessment_id = svc.start_assessment(clinic.engine, SYSTEM, unit, cycle_id, "consensus", "admin")
    version = svc.save_answers(
        clinic.engine, SYSTEM, assessment_id, 1, full_answers(clinic.questionnaire, level)
    )
    svc.submit_assessment(clinic.engine, SYSTEM, assessment_id, version)


def test_units_with_results_counts_each_unit_once(clinic: Clinic) -> None:
    later = create_cycle(clinic.engine, SYSTEM, "2025/2026", dt.date(2025, 9, 1), dt.date(2026, 9, 1))
    submit(clinic, "a", clinic.cycle_id, 3)
    submit(clinic, "a", later, 4)
    submit(clinic, "c", later, 2)
    manager = clinic.actor("manager-k")
    cycles = [clinic.cycle_id, later]
    assert rollup.units_with_results(clinic.engine, manager, "k", cycles) == 2  # a twice, c once
    assert rollup.units_with_results(clinic.engine, manager, "k", [clinic.cycle_id]) == 1
    assert rollup.units_with_results(clinic.engine, manager, "s1", cycles) == 1
    with pytest.raises(AccessDenied):
        rollup.units_with_results(clinic.engine, clinic.actor("manager-s1"), "k", cycles)


def test_unit_statuses_in_tree_order_with_rights(clinic: Clinic) -> None:
    submit(clinic, "b", clinic.cycle_id, 3)
    svc.start_assessment(clinic.engine, clinic.actor("leader-c"), "c", clinic.cycle_id)  # a draft
    units = rollup.unit_statuses(clinic.engine, clinic.actor("manager-k"), "k", clinic.cycle_id, "nb")
    assert [(u["unit_id"], u["place"], u["status"]) for u in units] == [
        ("a", ["Seksjon 1"], "not_started"),
        ("b", ["Seksjon 1"], "submitted"),
        ("c", ["Seksjon 2"], "draft"),
    ]
    assert units[1]["stage"] is not None and units[0]["stage"] is None
    assert [
        u["unit_id"] for u in rollup.unit_statuses(clinic.engine, SYSTEM, "s1", clinic.cycle_id, "en")
    ] == [
        "a",
        "b",
    ]
    with pytest.raises(AccessDenied):
        rollup.unit_statuses(clinic.engine, clinic.actor("manager-s1"), "k", clinic.cycle_id, "nb")
    with pytest.raises(AccessDenied):
        rollup.unit_statuses(clinic.engine, clinic.actor("nobody"), "a", clinic.cycle_id, "nb")


def test_tree_order_puts_parents_first_and_siblings_by_name(clinic: Clinic) -> None:
    assert rollup.tree_order(clinic.engine, ["c", "s2", "b", "k", "a", "gone"], "nb") == [
        "k",
        "a",
        "b",
        "s2",
        "c",
        "gone",
    ]


WIDE = 35  # children of one node: more than a heatmap draws at a time


@pytest.fixture
def wide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Clinic:
    """An organisation whose top has WIDE units, each with a result, for the app under test."""
    url = f"sqlite:///{tmp_path / 'wide.db'}"
    monkeypatch.setenv("MATURITY_DATABASE_URL", url)
    return build_wide(url)


def build_wide(url: str) -> Clinic:
    """The database at `url` with conftest's clinic and a trust "hf" of WIDE units, unit n at
    level 1 + n % 5, managed by `wide-manager`."""
    engine = make_engine(url)
    migrate(engine)
    clinic = make_clinic(engine)
    specs = [UnitSpec("hf", "helseforetak", "Testforetaket", "Test trust", None)] + [
        UnitSpec(f"u{n:02d}", "enhet", f"Enhet {n:02d}", f"Unit {n:02d}", "hf") for n in range(WIDE)
    ]
    sync_org(engine, SYSTEM, specs, on=dt.date(2021, 1, 1))
    upsert_user(engine, SYSTEM, "wide-manager", "Wide Manager", [Grant("management", "hf")])
    for n in range(WIDE):
        submit(clinic, f"u{n:02d}", clinic.cycle_id, 1 + n % 5)
    return clinic


def test_a_wide_heatmap_draws_a_page_of_rows_and_downloads_all(wide: Clinic, monkeypatch) -> None:
    captured = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        captured[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    at = open_app("wide-manager", "app_pages/overview.py")
    (drawn,) = heatmaps(at)
    names = [r["name"] for r in drawn["rows"]]
    assert names == [f"Enhet {n:02d}" for n in range(WIDE)]  # all rows: the browser pages them
    assert drawn["page"] == 30 and drawn["view"] == {"order": "name", "first": 0}
    assert [names[n] for n in drawn["orders"]["name"]] == names
    lowest = [names[n] for n in drawn["orders"]["lowest"]]
    assert lowest[:7] == [f"Enhet {n:02d}" for n in range(0, WIDE, 5)]  # the level-1 units first
    assert all(len(r["cells"]) == len(drawn["columns"]) == 7 for r in drawn["rows"])
    assert [e["label"][:2] for e in drawn["legend"]] == ["1 ", "2 ", "3 ", "4 ", "5 "]  # each colour named
    assert drawn["texts"]["capped"].format(shown=30, total=WIDE) == (
        f"Figuren viser 30 av {WIDE} rader om gangen; nedlastingen har alle."
    )

    def figure() -> str:
        button = next(b for b in at.get("download_button") if b.key.startswith("svg_modenhet"))
        return captured[button.proto.deferred_file_id]().decode("utf-8")

    svg = figure()
    assert "Enhet 29" in svg and "Enhet 30" not in svg  # the figure has the rows on screen
    csv = next(b for b in at.get("download_button") if b.key == "csv_heatmap")
    table = pd.read_csv(io.BytesIO(captured[csv.proto.deferred_file_id]()), encoding="utf-8-sig")
    assert table["Enhet"].nunique() == WIDE

    # the rows the browser shows come back as the component's state (heatmap.js sets it)
    at.session_state["_dash_heatmap_hf_0"] = {"view": {"order": "name", "first": 30}}
    at.run()
    assert not at.exception
    svg = figure()
    assert "Enhet 34" in svg and "Enhet 00" not in svg
    assert heatmaps(at)[0]["view"] == {"order": "name", "first": 30}  # and stay after a run

    at.session_state["_dash_heatmap_hf_0"] = {"view": {"order": "lowest", "first": 0}}
    at.run()
    assert not at.exception
    svg = figure()
    assert "Enhet 00" in svg  # level 1: among the lowest
