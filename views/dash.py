"""What the dashboard pages share: the node picker with breadcrumbs and drill-down, the
cycle picker, cached reads of the stored rollups, chart specs, downloads and the "rests on"
line.

Every cached read is keyed on the database's data version, so a write through any app
process shows on the next rerun everywhere. Large read-only values live in
`st.cache_resource` (one shared object, not a pickled copy per call); callers must not
change them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, NamedTuple

import pandas as pd
import pyarrow as pa
import streamlit as st
from sqlalchemy import Engine

from storage import rollup
from storage.actors import Actor
from storage.definitions import list_cycles
from storage.errors import ServiceError
from storage.transfer import csv_bytes, xlsx_bytes
from views import charts, pickers, plots, state, theme, web
from views.i18n import lang, t, tn
from views.text import plain

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


class Place(NamedTuple):
    """Where the actor stands in the tree: the nodes they may start from and the chosen one,
    with the names the pickers show (in the language the place was made for)."""

    tops: list[str]
    top_names: dict[str, str]
    node: rollup.Node
    crumbs: list[tuple[str, str]]
    children: list[str | None]
    child_names: dict[str | None, str]


class Context(NamedTuple):
    """What a dashboard page starts from: who, which database state, which node."""

    actor: Actor
    engine: Engine
    data: int
    node: rollup.Node


MoreChoices = Callable[[Actor, rollup.Node], list[pickers.Choice]]  # a page's own choices at a node


def start(title_key: str, more: MoreChoices | None = None) -> Context | None:
    """Title, sign-in check and node picker shared by the dashboard pages; None to stop.
    `more` adds the page's own choices at the node (a cycle, a unit) to the picker's row."""
    st.title(t(title_key))
    actor = state.signed_in_actor()
    if actor is None:
        return None
    engine, data = state.engine(), state.version()
    node = pick_node(actor, engine, data, more)
    if node is None:
        st.info(t("dash.no_scope"))
        return None
    return Context(actor, engine, data, node)


def name(entry: Mapping[str, Any] | rollup.Node, language: str | None = None) -> str:
    """A unit's name in the UI's language (or in `language`)."""
    nb = (language or lang()) == "nb"
    if isinstance(entry, rollup.Node):
        return entry.name_nb if nb else entry.name_en
    return entry["name_nb"] if nb else entry["name_en"]


@st.cache_resource(show_spinner=False, max_entries=256)
def place(
    _engine: Engine, user_id: str, chosen: str | None, data: int, language: str, day: str = ""
) -> Place | None:
    """The actor's top nodes and the chosen node (the first top when the choice is gone or
    not theirs to read). `day` makes the first run of a day look again: a dated change of
    the tree may have come into force."""
    actor = state.actor_of(_engine, user_id, data)
    if actor is None:
        return None
    rollup.ensure_rollups(_engine)  # a dated change of the tree may have come into force today
    tops = rollup.top_nodes(_engine, actor)
    if not tops:
        return None
    for candidate in (chosen, tops[0]):
        if candidate is None:
            continue
        try:
            node = rollup.node(_engine, actor, candidate)
        except ServiceError:
            continue
        index = 0 if language == "nb" else 1
        top_names = {u: n[index] for u, n in rollup.unit_names(_engine, tops).items()}
        child_names: dict[str | None, str] = {c["unit_id"]: name(c, language) for c in node.children}
        children = [None, *sorted(child_names, key=child_names.__getitem__)]
        child_names[None] = "–"
        crumbs = [(step["unit_id"], name(step, language)) for step in node.trail]
        return Place(tops, top_names, node, crumbs, children, child_names)
    return None


def pick_node(
    actor: Actor,
    engine: Engine,
    data: int,
    more: MoreChoices | None = None,
) -> rollup.Node | None:
    """The chosen node, with breadcrumbs up and a list of the children to go down to, in one
    row of pickers (views.pickers) with the page's own choices from `more`.

    The row, and the heatmap's selection (see `widget_key`), is keyed on the node and on a
    count of moves: after any move it is drawn anew with nothing chosen, so a choice made at
    one node never acts at another."""
    day = dt.date.today().isoformat()
    here = place(engine, actor.user_id, st.session_state.get("dash_node"), data, lang(), day)
    if here is None:
        return None
    node = here.node
    st.session_state["dash_node"] = node.unit_id
    choices: list[pickers.Choice] = []
    if len(here.tops) > 1:
        top = here.crumbs[0][0]
        value = top if top in here.tops else here.tops[0]
        choices.append(pickers.Choice("top", t("dash.node"), here.tops, here.top_names, value, _set_node))
    if node.children:
        names = here.child_names
        choices.append(pickers.Choice("child", t("dash.drill"), here.children, names, None, _set_node))
    if more is not None:
        choices.extend(more(actor, node))
    trail = pickers.Trail("crumbs", t("dash.path"), here.crumbs, _set_node)
    pickers.row(widget_key("place"), choices, trail)
    return node


def section(page: str, names: Mapping[str, str]) -> tuple[str, Any]:
    """Tabs of which only the chosen one is computed and drawn: a page of several charts and
    tables opens as quickly as one of them. Returns the chosen section's id and a context to
    draw it in (the page itself, below the tabs); the choice is kept while the user moves in
    the tree. The tab bar is a light
    element (views/pickers.py): Streamlit's tabs cost the browser ~15 ms a visit."""
    ids = list(names)
    choice = state.remembered("section", t("dash.sections"), ids, dict(names), f"dash_section_{page}")
    pickers.row(f"_pickers_section_{page}", [replace(choice, kind="tabs")])
    return choice.value, contextlib.nullcontext()


def widget_key(name: str) -> str:
    """A key for a widget that acts on the chosen node: new at every move, so no choice
    left in a widget (or a chart's selection) outlives the node it was made at."""
    return f"_dash_{name}_{st.session_state.get('dash_node')}_{st.session_state.get('dash_moves', 0)}"


def _set_node(node: str) -> None:
    st.session_state["dash_node"] = node
    st.session_state["dash_moves"] = st.session_state.get("dash_moves", 0) + 1


def move_to(node: str) -> None:
    """Make `node` the chosen one, from a widget's callback (the run that follows draws it)."""
    _set_node(node)


@st.cache_resource(show_spinner=False, max_entries=256)
def node_rows(_engine: Engine, user_id: str, node_id: str, data: int) -> list[dict[str, Any]]:
    """The node's stored rollup rows in every cycle."""
    actor = state.actor_of(_engine, user_id, data)
    return rollup.node_rows(_engine, actor, node_id)


@st.cache_data(show_spinner=False, max_entries=4)
def cycles(_engine: Engine, data: int) -> list[dict[str, Any]]:
    return list_cycles(_engine)


def cycle_labels(engine: Engine, data: int) -> dict[int, str]:
    """Cycle id -> label, oldest first."""
    return {c["id"]: c["label"] for c in cycles(engine, data)}


@st.cache_resource(show_spinner=False, max_entries=256)
def _cycle_options(
    _engine: Engine, user_id: str, node_id: str, data: int
) -> tuple[list[int], dict[int, str]]:
    """The cycles with results at the node, newest first (every cycle when it has none)."""
    rows = node_rows(_engine, user_id, node_id, data)
    all_cycles = list_cycles(_engine)
    with_data = {r["cycle_id"] for r in rows if r["units"] > 0}
    options = [c for c in reversed(all_cycles) if c["id"] in with_data] or list(reversed(all_cycles))
    return [c["id"] for c in options], {c["id"]: c["label"] for c in options}


def cycle_choice(actor: Actor, node: rollup.Node, remember: str = "dash_cycle") -> list[pickers.Choice]:
    """The choice of a cycle among those with results at the node, newest first."""
    ids, labels = _cycle_options(state.engine(), actor.user_id, node.unit_id, state.version())
    return [state.remembered("cycle", t("common.cycle"), ids, labels, remember)] if ids else []


def chosen_cycle(user_id: str, node_id: str, remember: str = "dash_cycle") -> tuple[int, str] | None:
    """The cycle (id, label) chosen by `cycle_choice` at the node; None when there is none."""
    ids, labels = _cycle_options(state.engine(), user_id, node_id, state.version())
    if not ids:
        return None
    chosen = st.session_state.get(remember)
    chosen = chosen if chosen in ids else ids[0]
    return chosen, labels[chosen]


def shown(data: pd.DataFrame | list[dict[str, Any]] | dict[str, list[Any]]) -> pa.Table:
    """A table as the pages keep it in their cached models: Arrow, which st.dataframe sends
    as it is and the downloads turn into CSV or Excel when clicked."""
    if isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, dict):
        return pa.table({name: [_plain(v) for v in values] for name, values in data.items()})
    return pa.Table.from_pylist([{k: _plain(v) for k, v in row.items()} for row in data])


def _plain(value: Any) -> Any:
    """None for pandas' missing values (NaN, NaT, NA), which Arrow would not take as null."""
    return (
        None if value is not None and not isinstance(value, (str, list, dict)) and pd.isna(value) else value
    )


PLACEHOLDER = "–"  # what an empty cell shows, instead of Streamlit's "None"
DATE_FORMAT, TIME_FORMAT = "DD.MM.YYYY", "DD.MM.YYYY HH:mm"  # as dd.mm.åååå (HH:MM) in the tables


def show(table: pa.Table, **options: Any) -> None:
    """Draw a table made by `shown`: a missing value as "–", dates as dd.mm.åååå and times
    as dd.mm.åååå HH:MM (still sortable as dates), numbers as numbers."""
    config = {
        field.name: st.column_config.DatetimeColumn(field.name, format=TIME_FORMAT)
        if pa.types.is_timestamp(field.type)
        else st.column_config.DateColumn(field.name, format=DATE_FORMAT)
        for field in table.schema
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type)
    }
    config |= options.pop("column_config", {})
    st.dataframe(
        table, hide_index=True, width="stretch", placeholder=PLACEHOLDER, column_config=config, **options
    )


def local_time(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time (UTC, without a zone) as the clock in Norway showed it."""
    if moment is None or pd.isna(moment):
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(OSLO).replace(tzinfo=None)


def rests_on_text(units: int, respondents: int) -> str:
    """What one cycle's figures rest on: "Bygger på 7 enheter og 7 svar." """
    return t("dash.rests_on", units=tn("dash.n_units", units), responses=tn("dash.n_responses", respondents))


def rests_on_cycles_text(units: int, cycles: int, results: int, respondents: int) -> str:
    """What figures over several cycles rest on: distinct units, the cycles, and the unit
    results (a unit in five cycles is one unit and five results) and responses in all."""
    return t(
        "dash.rests_on_cycles",
        units=tn("dash.n_units", units),
        cycles=tn("dash.n_cycles", cycles),
        results=tn("dash.n_results", results),
        responses=tn("dash.n_responses", respondents),
    )


_FIGURES = web.component("figures")


def key_figures(figures: list[tuple[str, str, str | None]], rests_on: str) -> None:
    """What the figures rest on (see `rests_on_text`), then the key figures in a row (two a
    row on a phone): each a label, a value and an optional note under it. One light
    element: four st.metric and a caption cost the browser ~20 ms a page."""
    _FIGURES(
        data={
            "caption": t("dash.key_figures"),
            "rests_on": rests_on,
            "figures": [{"label": label, "value": value, "note": note} for label, value, note in figures],
        },
        key="key_figures",
    )


def rests_on(text: str) -> None:
    st.caption(text)


def export_frame(table: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """A table as the downloads give it: numbers to two decimals, dates as dd.mm.åååå
    (and HH:MM for times), missing values as empty cells."""
    frame = table.to_pandas() if isinstance(table, pa.Table) else table.copy()
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            frame[column] = values.round(2)
        elif pd.api.types.is_datetime64_any_dtype(values):
            frame[column] = values.dt.strftime("%d.%m.%Y %H:%M").astype(object).where(values.notna(), None)
        elif values.map(lambda v: isinstance(v, dt.date)).any():
            frame[column] = values.map(lambda v: _date_text(v) if isinstance(v, dt.date) else v)
    return frame


def _date_text(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def downloads(
    table: pa.Table | pd.DataFrame | Callable[[], pa.Table | pd.DataFrame],
    file_name: str,
    key: str,
    figure: tuple[dict[str, Any] | Callable[[], dict[str, Any]], str] | None = None,
) -> None:
    """A "Last ned tabell" menu with CSV and Excel of a table (or of what a function
    returns, for a table made only when asked for), as `export_frame` gives it, with text
    that could run as a formula neutralised; with `figure` (a Vega-Lite spec, or a function
    that makes one, and the figure's file name) one "Last ned figur eller tabell" menu that
    offers the figure as PNG and SVG too. The files are made when a button is clicked,
    not on every rerun, and the menu's buttons are drawn by the browser only when it is
    opened (two visible buttons cost a page switch about 8 ms, a menu about 4)."""

    def frame() -> pd.DataFrame:
        return export_frame(table() if callable(table) else table)

    if figure is None:
        row = st.popover(t("common.download_table"), icon=":material/table_view:")
    else:
        row = st.popover(t("dash.download_both"), icon=":material/download:")
        with row:
            _figure_buttons(*figure)
    row.download_button(
        t("common.download_csv"),
        lambda: csv_bytes(frame()),
        f"{file_name}.csv",
        "text/csv",
        key=f"csv_{key}",
        on_click="ignore",
    )
    row.download_button(
        t("common.download_xlsx"),
        lambda: xlsx_bytes(frame(), file_name),
        f"{file_name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        on_click="ignore",
    )


def draw(chart_spec: dict[str, Any], figure: str, **options: Any) -> Any:
    """Draw a spec made by views.charts (Streamlit copies it before it takes the data out),
    with the figure as PNG and SVG to download under a button in the user's language
    (`figure` names the files). With MATURITY_VALIDATE_CHARTS set (the tests set it) the
    spec is first checked against the Vega-Lite schema.

    Streamlit 1.67 keeps only theme, renderer and padding of a spec's
    usermeta.embedOptions, so vega-embed's own menu cannot be turned on or translated;
    Streamlit's own chart toolbar (English: "Show data", "Download as PNG", "Copy Vega-Lite
    spec") is hidden for the whole app (app.py draws HIDE_CHART_TOOLBAR), and these buttons
    take its place."""
    if os.environ.get("MATURITY_VALIDATE_CHARTS", "") not in ("", "0"):
        validate(chart_spec)
    drawn = st.vega_lite_chart(spec=chart_spec, width="stretch", **options)
    figure_menu(chart_spec, figure)
    return drawn


def draw_light(chart: dict[str, Any], chart_spec: dict[str, Any], figure: str) -> None:
    """Draw a light chart made by views.plots, with the same chart as the Vega-Lite spec
    `chart_spec` to download as a figure (see `figure_menu`)."""
    plots.draw(chart, key=f"chart_{figure}")
    figure_menu(chart_spec, figure)


def numbers(table: pa.Table, key: str) -> None:
    """A table of a chart's numbers under a closed "Vis tallene" expander, drawn only when
    opened: the chart opens the page, the exact figures are a click away."""
    with st.expander(t("dash.numbers"), key=f"numbers_{key}", on_change="rerun") as shown:
        if shown.open:
            show(table)


def figure_menu(chart_spec: dict[str, Any], figure: str) -> None:
    """A "Last ned figur" button that offers the chart as PNG and SVG, made when clicked.
    Any Vega-Lite spec will do (an Altair chart's `to_dict()` too); `figure` names the
    files and keys the buttons, so it must be unique on the page."""

    with st.popover(t("dash.figure"), icon=":material/download:"):
        _figure_buttons(chart_spec, figure)


def _figure_buttons(chart_spec: dict[str, Any] | Callable[[], dict[str, Any]], figure: str) -> None:
    """PNG and SVG of a spec, or of what a function returns (made only when a figure is asked for)."""

    def spec() -> dict[str, Any]:
        return chart_spec() if callable(chart_spec) else chart_spec

    st.download_button(
        t("dash.figure_png"),
        lambda: figure_png(spec()),
        f"{figure}.png",
        "image/png",
        key=f"png_{figure}",
        on_click="ignore",
    )
    st.download_button(
        t("dash.figure_svg"),
        lambda: figure_svg(spec()).encode("utf-8"),
        f"{figure}.svg",
        "image/svg+xml",
        key=f"svg_{figure}",
        on_click="ignore",
    )


HIDE_CHART_TOOLBAR = (
    "<style>[data-testid='stElementContainer']:has([data-testid='stVegaLiteChart']) "
    "[data-testid='stElementToolbar'] {display: none;}</style>"
)
FIGURE_WIDTH = 900  # px of a downloaded figure, wide enough for a slide


def standalone(chart_spec: dict[str, Any]) -> dict[str, Any]:
    """A spec that renders outside the app: its Arrow datasets as rows, and a fixed width."""
    datasets = {
        name: pa.ipc.open_stream(data).read_all().to_pylist() if isinstance(data, bytes) else data
        for name, data in chart_spec.get("datasets", {}).items()
    }
    spec = {
        "width": FIGURE_WIDTH,
        "autosize": {"type": "fit", "contains": "padding"},  # as Streamlit sizes it: axes and legend inside
        **chart_spec,
        "datasets": datasets,
        "background": "white",
    }
    # outside a page there is no container to measure: lay the figure out as on a wide screen
    return json.loads(json.dumps(spec, default=str).replace(charts.NARROW, "false"))


def figure_png(chart_spec: dict[str, Any]) -> bytes:
    """The chart as a PNG at twice the screen's resolution (sharp on a slide)."""
    import vl_convert

    return vl_convert.vegalite_to_png(standalone(chart_spec), scale=2, allowed_base_urls=[])


def figure_svg(chart_spec: dict[str, Any]) -> str:
    """The chart as SVG. Like the PNG, made from the spec's own data only: vl-convert would
    otherwise fetch any address a spec names, from the server."""
    import vl_convert

    return vl_convert.vegalite_to_svg(standalone(chart_spec), allowed_base_urls=[])


@functools.cache
def _vega_lite_schema() -> dict[str, Any]:
    from altair.vegalite.v6.schema.core import load_schema

    return load_schema()


def validate(chart_spec: dict[str, Any]) -> None:
    """Check a spec against the Vega-Lite schema (the tests do it for every chart drawn)."""
    from altair.utils.schemapi import validate_jsonschema

    validate_jsonschema(standalone(chart_spec), _vega_lite_schema())


def titles() -> dict[str, str]:
    """Axis, legend and tooltip titles in the UI's language."""
    return {
        "unit": t("common.unit"),
        "dimension": t("common.dimension"),
        "level": t("common.level"),
        "score": t("common.score"),
        "units": t("dash.units"),
        "respondents": t("dash.respondents"),
        "spread": t("dash.spread"),
        "share": t("dash.share_units"),
        "cycle": t("common.cycle"),
        "stage": t("roadmap.stage"),
        "period": t("roadmap.period"),
        "category": t("common.dimension"),
    }


def level_colours(questionnaire: Any, language: str) -> dict[str, str]:
    """'<level> <label>' -> colour, lowest level first."""
    return {
        f"{s.level} {s.label.get(language)}": theme.LEVEL_COLOURS.get(s.level, theme.NO_SCORE_COLOUR)
        for s in questionnaire.scale
    }


def no_data(node_name: str, cycle_label: str) -> None:
    """No results for the node (its name shown as written) in the cycle."""
    st.info(t("dash.no_data", node=plain(node_name), cycle=cycle_label), icon=":material/info:")


def dimension_labels(questionnaire: Any) -> dict[str, str]:
    labels = {d.id: d.label.get(lang()) for d in questionnaire.dimensions}
    labels["overall"] = t("common.overall")
    return labels


def dimension_order(questionnaire: Any) -> list[str]:
    labels = dimension_labels(questionnaire)
    return [labels[d.id] for d in questionnaire.dimensions] + [labels["overall"]]


def cycle_order(labels: dict[int, str], present: set[int]) -> list[str]:
    """Labels of the cycles in `present`, oldest first."""
    return [label for cycle_id, label in labels.items() if cycle_id in present]


def cached(function: Callable[..., Any]) -> Callable[..., Any]:
    """A page model: computed once per key (which names the data version and language) and
    shared read-only by every session."""
    return st.cache_resource(show_spinner=False, max_entries=64)(function)
