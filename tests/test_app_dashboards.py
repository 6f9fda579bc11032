"""The dashboards on the demo clinic (AppTest): figures shown against the stored scores,
drill-down, an empty node, and the downloads' content."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from storage.access import SYSTEM
from storage.db import make_engine, reading
from storage.demo import ensure_database
from storage.org import UnitSpec, current_tree, rename_unit, sync_org
from storage.tables import cycle, org_unit_version, unit_result

from .conftest import APP

CLINIC = "medisinsk-klinikk"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The demo clinic once per module, with one empty section added and a unit whose name
    a spreadsheet would run as a formula."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = make_engine(url)
    ensure_database(engine)
    tree = current_tree(engine)
    specs = [
        UnitSpec(r.unit_id, "enhet" if r.leaf else _kind(r.unit_id), r.name_nb, r.name_en, r.parent_id)
        for r in tree.itertuples()
    ]
    specs += [
        UnitSpec("seksjon-ny", "seksjon", "Ny seksjon", "New section", CLINIC),
        UnitSpec("ny-enhet", "enhet", "Ny enhet", "New unit", "seksjon-ny"),
    ]
    sync_org(engine, SYSTEM, specs, on=dt.date(2026, 11, 1))
    rename_unit(engine, SYSTEM, "ergoterapi", '=HYPERLINK("x")', '=HYPERLINK("x")', on=dt.date(2026, 11, 2))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MATURITY_DATABASE_URL", url)
        yield engine
    engine.dispose()


def _kind(unit_id: str) -> str:
    return {"sorbyen-hf": "helseforetak", CLINIC: "klinikk"}.get(unit_id, "seksjon")


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """What makes each file a download button offers, by its deferred file id (the files
    are made when clicked)."""
    captured: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        captured[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return captured


def open_page(user: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user_id"] = user
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def download(at: AppTest, captured: dict[str, Callable[[], bytes]], key: str) -> bytes:
    """The bytes a download button gives when clicked (its file is made on the click)."""
    button = next(b for b in at.get("download_button") if b.key == key)
    return captured[button.proto.deferred_file_id]()


def stored(engine, label: str) -> pd.DataFrame:
    with reading(engine) as connection:
        rows = connection.execute(
            select(
                unit_result.c.unit_id,
                unit_result.c.dimension_id,
                unit_result.c.score,
                unit_result.c.level,
                unit_result.c.respondents,
                unit_result.c.stage,
                unit_result.c.journey,
            )
            .join(cycle, cycle.c.id == unit_result.c.cycle_id)
            .where(cycle.c.label == label)
        ).all()
        parents = dict(
            connection.execute(
                select(org_unit_version.c.unit_id, org_unit_version.c.parent_id).where(
                    org_unit_version.c.valid_to.is_(None)
                )
            ).all()
        )
    frame = pd.DataFrame([dict(r._mapping) for r in rows])
    frame["section"] = frame["unit_id"].map(parents)
    return frame


def test_overview_figures_equal_the_stored_scores(demo, downloads) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    assert at.selectbox(key="_pick_dash_cycle").value == 5  # the newest cycle with results: 2026/2027
    expected = stored(demo, "2026/2027")
    overall = expected[(expected["dimension_id"] == "overall") & expected["score"].notna()]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Enheter på nivå 3 eller høyere"] == f"{(overall['level'] >= 3).mean() * 100:.0f} %"
    assert (
        metrics["Median reise på veikartet"]
        == f"{expected.loc[expected['dimension_id'] == 'overall', 'journey'].median():.1f}"
    )
    units = expected.loc[expected["dimension_id"] == "overall", "unit_id"].nunique()
    responses = expected.loc[expected["dimension_id"] == "overall", "respondents"].sum()
    assert f"Bygger på {units} enheter og {responses} svar." in [c.value for c in at.caption]

    table = pd.read_csv(io.BytesIO(download(at, downloads, "csv_heatmap")), encoding="utf-8-sig")
    means = expected[expected["score"].notna()].groupby(["section", "dimension_id"])["score"].mean()
    indremedisin = table[table["Enhet"] == "Seksjon for indremedisin"].set_index("Dimensjon")["Skår"]
    assert indremedisin["Lederansvar og styring"] == pytest.approx(
        means[("seksjon-indremedisin", "lederansvar")]
    )
    assert indremedisin["Samlet"] == pytest.approx(means[("seksjon-indremedisin", "overall")])
    assert len(table) == 3 * 7  # three sections with results x six dimensions and overall

    workbook = openpyxl.load_workbook(io.BytesIO(download(at, downloads, "xlsx_heatmap")))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == list(table.columns)
    assert sheet.max_row == len(table) + 1


def test_completion_lists_who_has_not_started(demo) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    completion = at.dataframe[-1].value.set_index("Enhet")
    expected = stored(demo, "2026/2027")
    assert completion["Sendt inn"].sum() == expected["unit_id"].nunique()
    assert completion.loc["Ny seksjon", "Ikke startet"] == 1
    assert "Ny enhet" in " ".join(t.value for t in at.text)


def test_drill_down_and_an_empty_node(demo, downloads) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    at.selectbox(key="_dash_child").set_value("seksjon-akutt").run()
    assert not at.exception, at.exception
    table = pd.read_csv(io.BytesIO(download(at, downloads, "csv_heatmap")), encoding="utf-8-sig")
    expected = stored(demo, "2026/2027")
    akutt = expected[(expected["section"] == "seksjon-akutt") & expected["score"].notna()]
    assert set(table["Enhet"]) == set(
        current_tree(demo).set_index("unit_id").loc[akutt["unit_id"].unique(), "name_nb"]
    )
    unit = akutt[akutt["dimension_id"] == "risiko"].iloc[0]
    name = current_tree(demo).set_index("unit_id").loc[unit["unit_id"], "name_nb"]
    assert table.set_index(["Enhet", "Dimensjon"]).loc[
        (name, "Risiko, avvik og læring"), "Skår"
    ] == pytest.approx(unit["score"])

    at.button_group(key="_dash_crumbs_seksjon-akutt").set_value(CLINIC).run()
    at.selectbox(key="_dash_child").set_value("seksjon-ny").run()
    assert at.info[0].value == "Ingen data for Ny seksjon i 2026/2027."
    assert not at.get("arrow_vega_lite_chart")


def test_downloads_neutralise_formulas(demo, downloads) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    at.selectbox(key="_dash_child").set_value("seksjon-rehabilitering").run()
    at.selectbox(key="_pick_dash_cycle").set_value(4).run()  # 2025/2026: every unit assessed
    table = pd.read_csv(io.BytesIO(download(at, downloads, "csv_heatmap")), encoding="utf-8-sig")
    assert '\'=HYPERLINK("x")' in set(table["Enhet"])
    sheet = openpyxl.load_workbook(io.BytesIO(download(at, downloads, "xlsx_heatmap"))).active
    assert '\'=HYPERLINK("x")' in [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert not any(str(row[0].value).startswith("=") for row in sheet.iter_rows(min_row=2))


def test_progress_over_time(demo) -> None:
    at = open_page("klinikksjef", "app_pages/progress.py")
    trend = at.dataframe[0].value.set_index("Dimensjon")
    for label in ("2022/2023", "2025/2026"):
        expected = stored(demo, label)
        mean = expected.loc[
            (expected["dimension_id"] == "risiko") & expected["score"].notna(), "score"
        ].mean()
        assert trend.loc["Risiko, avvik og læring", label] == pytest.approx(round(mean, 2))
    assert [s.value for s in at.subheader][-1] == "Størst endring fra 2025/2026 til 2026/2027"


def test_unit_profile(demo) -> None:
    at = open_page("klinikksjef", "app_pages/profile.py")
    at.selectbox(key="_dash_child").set_value("seksjon-akutt").run()
    at.selectbox(key="_pick_profile_unit").set_value("akuttmottak").run()
    assert not at.exception, at.exception
    history = at.dataframe[0].value.set_index("Dimensjon")
    for label in ("2022/2023", "2024/2025"):
        expected = stored(demo, label)
        score = expected[(expected["unit_id"] == "akuttmottak") & (expected["dimension_id"] == "overall")][
            "score"
        ]
        assert history.loc["Samlet", label] == pytest.approx(round(float(score.iloc[0]), 2))
    subheaders = [s.value for s in at.subheader]
    for heading in (
        "Mål og framdrift",
        "Innsending og validering",
        "Handlingsplan",
        "Kommentarer og dokumentasjon",
    ):
        assert heading in subheaders
    targets = at.dataframe[1].value
    assert set(targets["Dimensjon"]) >= {"Samlet"}
    assert targets["Framdrift"].dropna().between(0, 100).all()


def test_roadmap_against_plan(demo) -> None:
    at = open_page("klinikksjef", "app_pages/roadmap.py")
    table = at.dataframe[0].value.set_index("Syklus")
    expected = stored(demo, "2024/2025")
    stages = expected.loc[(expected["dimension_id"] == "overall") & expected["stage"].notna(), "stage"]
    assert table.loc["2024/2025", "Planlagt trinn"] == "3.0 Forbedringseierskap"
    assert table.loc["2024/2025", "Foran planen"] == int((stages > 3).sum())
    assert table.loc["2024/2025", "I rute"] == int((stages == 3).sum())
    assert table.loc["2024/2025", "Bak planen"] == int((stages < 3).sum())


def test_a_leader_sees_only_their_own_unit(demo) -> None:
    at = open_page("leder-akuttmottak", "app_pages/overview.py")
    at.selectbox(key="_pick_dash_cycle").set_value(4).run()  # 2025/2026: every unit assessed
    assert at.button_group(key="_dash_crumbs_akuttmottak").value == "akuttmottak"
    assert "Bygger på 1 enheter" in " ".join(c.value for c in at.caption)
