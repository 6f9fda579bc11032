"""The dashboards on the demo clinic (AppTest): figures shown against the stored scores,
drill-down, an empty node, and the downloads' content."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from storage.actors import SYSTEM
from storage.db import make_engine, reading
from storage.demo import ensure_database
from storage.org import UnitSpec, rename_unit, sync_org
from storage.tables import assessment, cycle, org_unit_version, unit_result
from storage.tree import current_tree

from .conftest import APP, heatmaps, key_figures, light_charts, pick, picker_rows, shown_choice

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


SECTIONS = {  # the pages with tabs, and the name their tabs are kept under
    "app_pages/overview.py": "overview",
    "app_pages/progress.py": "progress",
    "app_pages/roadmap.py": "roadmap",
}


def open_tab(at: AppTest, page: str, label: str) -> AppTest:
    """Open a tab of a dashboard page, as a click on it does (only the open tab is drawn)."""
    pick(at, "Visning", label)
    assert label in tab_labels(at)
    return at


def tab_labels(at: AppTest) -> list[str]:
    """The names of the page's sections in its tab bar (views/pickers.py)."""
    return [name for _, name in shown_choice(at, "Visning")["options"]]


UNITS = "Enheter"  # the overview's tab of units by name


DRILL = "Gå ned til"  # the list of the node's children, in the row of pickers


def unit_list(at: AppTest):
    """The picker of which units to list by name."""
    return next(b for b in at.button_group if b.label == "Vis enhetene som")


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
    assert shown_choice(at, "Syklus")["value"] == "5"  # the newest cycle with results: 2026/2027
    expected = stored(demo, "2026/2027")
    overall = expected[(expected["dimension_id"] == "overall") & expected["score"].notna()]
    metrics = key_figures(at)
    assert len(metrics) == 5  # four figures and what they rest on
    assert metrics["Enheter på nivå 3 eller høyere"] == f"{(overall['level'] >= 3).mean() * 100:.0f} %"
    assert (
        metrics["Framdrift på veikartet (median)"]
        == f"{expected.loc[expected['dimension_id'] == 'overall', 'journey'].median():.2f}"
    )
    units = expected.loc[expected["dimension_id"] == "overall", "unit_id"].nunique()
    responses = expected.loc[expected["dimension_id"] == "overall", "respondents"].sum()
    assert metrics["rests_on"] == f"Bygger på {units} enheter og {responses} svar."

    table = pd.read_csv(io.BytesIO(download(at, downloads, "csv_heatmap")), encoding="utf-8-sig")
    means = expected[expected["score"].notna()].groupby(["section", "dimension_id"])["score"].mean()
    indremedisin = table[table["Enhet"] == "Seksjon for indremedisin"].set_index("Dimensjon")["Skår"]
    assert indremedisin["Lederansvar og styring"] == pytest.approx(
        means[("seksjon-indremedisin", "lederansvar")], abs=0.005
    )
    assert indremedisin["Samlet"] == pytest.approx(means[("seksjon-indremedisin", "overall")], abs=0.005)
    assert len(table) == 3 * 7  # three sections with results x six dimensions and overall

    workbook = openpyxl.load_workbook(io.BytesIO(download(at, downloads, "xlsx_heatmap")))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == list(table.columns)
    assert sheet.max_row == len(table) + 1


def test_completion_lists_who_has_not_started(demo) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    assert not at.dataframe  # the heatmap's tab is open; the others are drawn when opened
    open_tab(at, "app_pages/overview.py", "Innsending")
    completion = at.dataframe[-1].value.set_index("Enhet")
    expected = stored(demo, "2026/2027")
    assert completion["Sendt inn"].sum() == expected["unit_id"].nunique()
    assert completion.loc["Ny seksjon", "Ikke startet"] == 1
    open_tab(at, "app_pages/overview.py", UNITS)
    unit_list(at).set_value("not_started").run()
    assert "Ny enhet" in set(at.dataframe[-1].value["Enhet"])


def test_drill_down_and_an_empty_node(demo, downloads) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    pick(at, DRILL, "seksjon-akutt")
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
    ] == pytest.approx(unit["score"], abs=0.005)

    pick(at, "crumbs", CLINIC)
    assert heatmaps(at)  # the clinic's heatmap
    pick(at, DRILL, "seksjon-ny")
    assert at.info[0].value == "Ingen data for Ny seksjon i 2026/2027."
    assert not heatmaps(at)  # no heatmap drawn for a node without data


def test_the_open_tab_stays_open_with_or_without_data(demo) -> None:
    """The tabs are the same for a node without data, so the one open stays open."""
    at = open_tab(open_page("klinikksjef", "app_pages/overview.py"), "app_pages/overview.py", "Innsending")
    pick(at, DRILL, "seksjon-ny")
    assert tab_labels(at)[:2] == ["Varmekart", "Fordeling"]
    assert at.dataframe[-1].value.set_index("Enhet").loc["Ny enhet", "Ikke startet"] == 1
    pick(at, "crumbs", CLINIC)
    assert "Sendt inn" in at.dataframe[-1].value.columns  # still the submissions, not the heatmap


def test_downloads_neutralise_formulas(demo, downloads) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    pick(at, DRILL, "seksjon-rehabilitering")
    pick(at, "Syklus", 4)  # 2025/2026: every unit assessed
    table = pd.read_csv(io.BytesIO(download(at, downloads, "csv_heatmap")), encoding="utf-8-sig")
    assert '\'=HYPERLINK("x")' in set(table["Enhet"])
    sheet = openpyxl.load_workbook(io.BytesIO(download(at, downloads, "xlsx_heatmap"))).active
    assert '\'=HYPERLINK("x")' in [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert not any(str(cell.value).startswith("=") for row in sheet.iter_rows(min_row=2) for cell in row)


def test_progress_over_time(demo) -> None:
    at = open_page("klinikksjef", "app_pages/progress.py")
    assert not at.dataframe  # the numbers are under a closed expander, drawn when opened
    (chart,) = light_charts(at)
    lines = {s["name"]: dict(zip(chart["x"], s["values"], strict=True)) for s in chart["series"]}
    assert [s["dashed"] for s in chart["series"]].count(True) == 1 and chart["series"][-1]["name"] == "Samlet"
    at.session_state["numbers_trend"] = True
    at.run()
    trend = at.dataframe[0].value.set_index("Dimensjon")
    for label in ("2022/2023", "2025/2026"):
        expected = stored(demo, label)
        mean = expected.loc[
            (expected["dimension_id"] == "risiko") & expected["score"].notna(), "score"
        ].mean()
        assert trend.loc["Risiko, avvik og læring", label] == pytest.approx(round(mean, 2))
        assert lines["Risiko, avvik og læring"][label] == pytest.approx(mean)
    assert tab_labels(at) == ["Skår over tid", "Nivåer", "Størst endring"]
    open_tab(at, "app_pages/progress.py", "Størst endring")
    assert "Størst endring fra 2025/2026 til 2026/2027" in [c.value for c in at.caption]


def test_unit_profile(demo) -> None:
    at = open_page("klinikksjef", "app_pages/profile.py")
    pick(at, DRILL, "seksjon-akutt")
    pick(at, "Enhet", "akuttmottak")
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
    (reached,) = light_charts(at)  # the first tab: units per stage reached, per cycle
    expected = stored(demo, "2024/2025")
    stages = expected.loc[(expected["dimension_id"] == "overall") & expected["stage"].notna(), "stage"]
    at_stage = {s["name"]: s["values"][reached["x"].index("2024/2025")] for s in reached["series"]}
    assert at_stage["3.0 Forbedringseierskap"] == int((stages == 3).sum())
    assert sum(at_stage.values()) == len(stages)
    open_tab(at, "app_pages/roadmap.py", "Mot planen")
    table = at.dataframe[0].value.set_index("Syklus")
    assert table.loc["2024/2025", "Planlagt trinn"] == "3.0 Forbedringseierskap"
    assert table.loc["2024/2025", "Foran skjema"] == int((stages > 3).sum())
    assert table.loc["2024/2025", "I rute"] == int((stages == 3).sum())
    assert table.loc["2024/2025", "Etter skjema"] == int((stages < 3).sum())


def test_a_leader_sees_only_their_own_unit(demo) -> None:
    at = open_page("leder-akuttmottak", "app_pages/overview.py")
    pick(at, "Syklus", 4)  # 2025/2026: every unit assessed
    assert picker_rows(at)[0]["crumbs"]["steps"][-1][0] == "akuttmottak"
    assert key_figures(at)["rests_on"] == "Bygger på 1 enhet og 1 svar."


# The defects of issue 9 on the dashboards ---------------------------------------------


def overall_results(engine) -> pd.DataFrame:
    """Every stored overall result with its cycle label."""
    with reading(engine) as connection:
        rows = connection.execute(
            select(cycle.c.label, unit_result.c.unit_id, unit_result.c.score, unit_result.c.respondents)
            .join(cycle, cycle.c.id == unit_result.c.cycle_id)
            .where(unit_result.c.dimension_id == "overall")
        ).all()
    return pd.DataFrame([dict(r._mapping) for r in rows])


@pytest.mark.parametrize("page", ["app_pages/progress.py", "app_pages/roadmap.py"])
def test_pages_over_cycles_count_distinct_units(demo, page: str) -> None:
    """25 units in five cycles are 25 units and 106 unit results, not "106 enheter"."""
    at = open_page("klinikksjef", page)
    results = overall_results(demo)
    scored = results[results["score"].notna()]
    units, cycles = scored["unit_id"].nunique(), scored["label"].nunique()
    expected = (
        f"Bygger på {units} enheter med resultat i {cycles} sykluser "
        f"({len(scored)} enhetsresultater, {results['respondents'].sum()} svar)."
    )
    assert expected in [c.value for c in at.caption]
    assert units < len(scored)  # the demo has units in several cycles: the two counts differ


def test_a_single_unit_is_one_unit_in_the_singular(demo) -> None:
    at = open_page("leder-akuttmottak", "app_pages/progress.py")
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Bygger på 1 enhet med resultat i ") for c in captions), captions


def statuses_in(engine, label: str) -> dict[str, str]:
    """unit -> the furthest status of its assessments in the cycle (units without none)."""
    rank = {"draft": 1, "returned": 2, "submitted": 3, "validated": 4}
    with reading(engine) as connection:
        rows = connection.execute(
            select(assessment.c.unit_id, assessment.c.status)
            .join(cycle, cycle.c.id == assessment.c.cycle_id)
            .where(cycle.c.label == label)
        ).all()
    furthest: dict[str, str] = {}
    for unit, status in rows:
        if rank[status] > rank.get(furthest.get(unit, ""), 0):
            furthest[unit] = status
    return furthest


def test_a_manager_lists_units_by_name_and_downloads_the_list(demo, downloads) -> None:
    at = open_tab(open_page("klinikksjef", "app_pages/overview.py"), "app_pages/overview.py", UNITS)
    tree = current_tree(demo).set_index("unit_id")
    leaves = tree[tree["leaf"]]
    furthest = statuses_in(demo, "2026/2027")
    names = lambda units: sorted(tree.loc[list(units), "name_nb"])  # noqa: E731

    unit_list(at).set_value("not_started").run()
    listed = at.dataframe[-1].value
    assert sorted(listed["Enhet"]) == names(u for u in leaves.index if u not in furthest)
    assert set(listed["Status"]) == {"ikke startet"}

    unit_list(at).set_value("started").run()
    listed = at.dataframe[-1].value
    assert sorted(listed["Enhet"]) == names(u for u, s in furthest.items() if s in ("draft", "returned"))
    parents = tree.loc[tree.reset_index().set_index("name_nb").loc[listed["Enhet"], "unit_id"], "parent_id"]
    assert list(listed["Plassering"]) == list(tree.loc[parents, "name_nb"])  # the section each is in

    unit_list(at).set_value("behind").run()
    listed = at.dataframe[-1].value
    stages = stored(demo, "2026/2027").query("dimension_id == 'overall'").set_index("unit_id")["stage"]
    assert sorted(listed["Enhet"]) == names(stages[stages < 5].index)  # the plan: 5.0 in 2026/2027
    assert set(listed["Sammenlignet med planen"]) == {"Etter skjema"}
    assert set(listed["Planlagt trinn"]) == {"5.0 Forbedringsbærekraft"}

    unit_list(at).set_value("all").run()
    listed = at.dataframe[-1].value
    assert len(listed) == len(leaves)
    table = pd.read_csv(io.BytesIO(download(at, downloads, "csv_units_all")), encoding="utf-8-sig")
    assert list(table.columns[:2]) == ["Syklus", "Enhet"] and set(table["Syklus"]) == {"2026/2027"}
    assert len(table) == len(leaves)
    order = list(zip(table["Plassering"].fillna(""), table["Enhet"], strict=True))
    assert order == sorted(order)  # the order of the tree: sections by name, then their units


def test_the_unit_list_draws_the_first_rows_and_downloads_all(demo, downloads, monkeypatch) -> None:
    from views import overview

    monkeypatch.setattr(overview, "MAX_LISTED", 4)
    overview._listed.clear()
    at = open_tab(open_page("klinikksjef", "app_pages/overview.py"), "app_pages/overview.py", UNITS)
    unit_list(at).set_value("all").run()
    assert len(at.dataframe[-1].value) == 4
    leaves = int(current_tree(demo)["leaf"].sum())
    assert f"Viser de første 4 av {leaves} enheter; nedlastingen har alle." in [c.value for c in at.caption]
    table = pd.read_csv(io.BytesIO(download(at, downloads, "csv_units_all")), encoding="utf-8-sig")
    assert len(table) == leaves
    overview._listed.clear()


def test_a_section_manager_lists_only_their_own_units(demo) -> None:
    at = open_tab(open_page("seksjonsleder-akutt", "app_pages/overview.py"), "app_pages/overview.py", UNITS)
    unit_list(at).set_value("all").run()
    tree = current_tree(demo)
    own = tree[(tree["parent_id"] == "seksjon-akutt") & tree["leaf"]]
    assert sorted(at.dataframe[-1].value["Enhet"]) == sorted(own["name_nb"])


DASHBOARD_PAGES = [
    "app_pages/overview.py",
    "app_pages/progress.py",
    "app_pages/roadmap.py",
    "app_pages/profile.py",
]


@pytest.mark.parametrize("page", DASHBOARD_PAGES)
def test_tables_show_no_none_and_dates_as_dd_mm_yyyy(demo, page: str) -> None:
    at = open_page("klinikksjef", page)
    tables = list(at.dataframe)
    for label in TABLE_TABS.get(page, []):
        open_tab(at, page, label)
        if label == UNITS:
            unit_list(at).set_value("all").run()
        tables += list(at.dataframe)
    assert tables
    for table in tables:
        assert table.proto.placeholder == "–", table.value.columns
        config = json.loads(table.proto.columns or "{}")
        for column in table.value.columns:
            values = table.value[column].dropna()
            if pd.api.types.is_datetime64_any_dtype(values.dtype):
                assert config[column]["type_config"]["format"] == "DD.MM.YYYY HH:mm", column
            elif values.map(lambda v: isinstance(v, dt.date)).any():
                assert config[column]["type_config"]["format"] == "DD.MM.YYYY", column
    if page.endswith("profile.py"):
        statuses = next(t.value for t in at.dataframe if "Validert" in t.value.columns)
        assert statuses["Validert"].isna().any()  # the newest cycle is not validated: a dash shows
        comments = next(t.value for t in at.dataframe if "Kommentar" in t.value.columns)
        assert not comments[["Kommentar", "Dokumentasjon"]].isna().any().any()


def decimals(value: object) -> int:
    text = str(value)
    return len(text.split(".")[1]) if "." in text and text.replace(".", "").replace("-", "").isdigit() else 0


TABLE_TABS = {  # the tabs of a page that hold tables
    "app_pages/overview.py": ["Innsending", UNITS],
    "app_pages/progress.py": ["Størst endring"],
    "app_pages/roadmap.py": ["Mot planen"],
}
EXPORTS = {  # per page, its downloads by the tab that holds them (None: no tabs)
    "app_pages/overview.py": [
        ("Varmekart", "csv_heatmap"),
        ("Innsending", "csv_completion"),
        (UNITS, "csv_units_all"),
    ],
    "app_pages/progress.py": [
        ("Skår over tid", "csv_trend"),
        ("Størst endring", "csv_movers"),
    ],
    "app_pages/roadmap.py": [("Mot planen", "csv_roadmap")],
    "app_pages/profile.py": [(None, "csv_profile"), (None, "csv_actions")],
}


@pytest.mark.parametrize("page", list(EXPORTS))
def test_every_export_is_rounded_and_carries_its_cycle(demo, downloads, page: str) -> None:
    at = open_page("klinikksjef", page)
    for label, key in EXPORTS[page]:
        if label is not None:
            open_tab(at, page, label)
        if label == UNITS:
            unit_list(at).set_value("all").run()
        table = pd.read_csv(io.BytesIO(download(at, downloads, key)), encoding="utf-8-sig", dtype=str)
        assert "Syklus" in table.columns, key
        assert all(decimals(v) <= 2 for column in table.columns for v in table[column].dropna()), key
        if "Frist" in table.columns:
            assert table["Frist"].dropna().str.fullmatch(r"\d\d\.\d\d\.\d{4}").all()


def test_overview_exports_follow_the_tree(demo, downloads) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    heatmap = pd.read_csv(io.BytesIO(download(at, downloads, "csv_heatmap")), encoding="utf-8-sig")
    sections = list(dict.fromkeys(heatmap["Enhet"]))
    assert sections == sorted(sections)
    assert list(heatmap["Dimensjon"][:7]) == [
        "Lederansvar og styring",
        "Risiko, avvik og læring",
        "Forbedringskompetanse og metode",
        "Måling og oppfølging",
        "Ansattes medvirkning",
        "Brukermedvirkning",
        "Samlet",
    ]
    open_tab(at, "app_pages/overview.py", "Innsending")
    completion = pd.read_csv(io.BytesIO(download(at, downloads, "csv_completion")), encoding="utf-8-sig")
    assert list(completion["Enhet"]) == sorted(completion["Enhet"])


def test_movers_export_follows_the_tree(demo, downloads) -> None:
    at = open_page("klinikksjef", "app_pages/progress.py")
    open_tab(at, "app_pages/progress.py", "Størst endring")
    table = pd.read_csv(io.BytesIO(download(at, downloads, "csv_movers")), encoding="utf-8-sig")
    tree = current_tree(demo).set_index("unit_id")
    by_name = {n: u for u, n in tree["name_nb"].items()}
    keys = [(tree.loc[tree.loc[by_name[n], "parent_id"], "name_nb"], n) for n in table["Enhet"]]
    assert keys == sorted(keys)


def test_figures_download_as_png_and_svg(demo, downloads) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    png = download(at, downloads, "png_modenhet-medisinsk-klinikk-2026-2027")
    svg = download(at, downloads, "svg_modenhet-medisinsk-klinikk-2026-2027").decode("utf-8")
    assert png.startswith(b"\x89PNG")
    assert "<svg" in svg and "Seksjon for akuttmedisin" in svg and "Tilfeldig" in svg


# The row of pickers (views/pickers.py): what the browser sends is checked, and acted on once --


@pytest.mark.parametrize(
    "picks",
    [
        {"child": "akuttmottak"},  # a unit two levels down: not among the children drawn
        {"crumbs": "helse-nord"},  # a node that is not on the way up
        {"child": 3, "cycle": [4]},  # not strings
        {"cycle": "99"},  # a cycle that does not exist
        {"child": "<script>alert(1)</script>", "unknown": "x"},
    ],
)
def test_a_choice_the_row_did_not_offer_is_ignored(demo, picks: dict) -> None:
    at = open_page("klinikksjef", "app_pages/overview.py")
    (row,) = [r for r in picker_rows(at) if r["crumbs"]]
    at.session_state[row["key"]] = {"chosen": {"nonce": "n1", "picks": picks}}
    at.run()
    assert not at.exception, at.exception
    (after,) = [r for r in picker_rows(at) if r["crumbs"]]
    assert after["crumbs"]["steps"][-1][0] == CLINIC
    assert shown_choice(at, "Syklus")["value"] == "5"


def test_a_choice_is_acted_on_once(demo) -> None:
    """A choice already acted on (the same nonce) does not act again when the page runs: the
    cycle chosen later elsewhere on the page stays."""
    at = open_page("klinikksjef", "app_pages/overview.py")
    (row,) = [r for r in picker_rows(at) if r["crumbs"]]
    at.session_state[row["key"]] = {"chosen": {"nonce": "n1", "picks": {"cycle": "4"}}}
    at.run()
    assert shown_choice(at, "Syklus")["value"] == "4"
    at.session_state["dash_cycle"] = 5  # as another choice of the cycle would
    at.run()
    assert shown_choice(at, "Syklus")["value"] == "5"
