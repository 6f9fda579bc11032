"""Overview for a node and a cycle: key figures, then in tabs (only the open one is drawn) a
heatmap of its children by dimension, the spread over levels, who has (not) submitted, and
the units by name in the state the manager asks for. Click a row or pick a child to drill
down. Everything shown is computed
once per node, cycle, language and data version from the stored rollups of the node and
its children; the list of units by name is read only when asked for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st

from scoring import rollup as rolled
from scoring.engine import OVERALL, shown_score
from storage import rollup
from views import charts, dash, heatmap, state, theme
from views.i18n import lang, t, tn
from views.text import plain

PAGE_ROWS = 30  # rows of the heatmap drawn at a time; the download has them all
MAX_LISTED = 500  # units listed by name on the page; the download has them all
LISTS = ("not_started", "started", "behind", "all")
STARTED = ("draft", "returned")


def page() -> None:
    context = dash.start("nav.overview", dash.cycle_choice)
    if context is None:
        return
    actor, engine, data, node = context
    cycle = dash.chosen_cycle(actor.user_id, node.unit_id)
    if cycle is None:
        dash.no_data(dash.name(node), "–")
        return
    cycle_id, cycle_label = cycle
    model = _model(engine, actor.user_id, node.unit_id, cycle_id, data, lang())
    sections = {
        "heatmap": t("dash.tab.heatmap"),
        "distribution": t("dash.tab.distribution"),
        "completion": t("dash.completion"),  # the cycle is picked above; the tab stays open
        "units": t("dash.tab.units"),
    }
    if model["figures"] is not None:
        _key_figures(model["figures"], model["planned"], model["rests_on"])
    chosen, tab = dash.section("overview", sections)  # the same tabs with or without data
    with tab:
        if chosen in ("heatmap", "distribution") and model["figures"] is None:
            dash.no_data(dash.name(node), cycle_label)
        elif chosen == "heatmap":
            _heatmap(model, (engine, actor.user_id, node.unit_id, cycle_id, data, lang()))
        elif chosen == "distribution":
            st.caption(t("dash.distribution"))
            dash.draw(model["distribution"], model["file"].format(what="fordeling"))
        elif chosen == "completion":
            # the caption also keeps the table's floating toolbar off the tab strip
            st.caption(t("dash.completion_in", cycle=cycle_label))
            dash.show(model["completion"])
            dash.downloads(model["completion_export"], model["file"].format(what="innsending"), "completion")
        else:
            _unit_list(engine, actor.user_id, node, cycle_id, cycle_label, data, model["planned"])


def _heatmap(model: dict[str, Any], key: tuple) -> None:
    """The heatmap, PAGE_ROWS rows at a time in the order chosen in it; a click on a row
    drills down to it. The figure download has the rows on screen."""
    view = heatmap.draw(_heatmap_table(*key), dash.widget_key("heatmap"), on_drill=dash.move_to)
    dash.downloads(
        model["heatmap_table"],
        model["file"].format(what="oversikt"),
        "heatmap",
        figure=(lambda: _heatmap_figure(*key, view), model["file"].format(what="modenhet")),
    )


@dash.cached
def _heatmap_table(
    _engine, user_id: str, node_id: str, cycle_id: int, data: int, language: str
) -> dict[str, Any]:
    """What the heatmap's table is given: every row, in both orders."""
    model = _model(_engine, user_id, node_id, cycle_id, data, language)
    titles = dash.titles()
    words = ("unit", "dimension", "level", "score", "units", "respondents", "spread")
    return heatmap.table_data(
        model["cells"],
        model["columns"],
        model["row_order"],
        model["row_names"],
        model["children"],
        {
            level: {
                "colour": colour,
                "ink": theme.LEVEL_TEXT_COLOURS.get(level, "#000000"),
                "label": model["level_labels"][level],
            }
            for level, colour in model["colours"].items()
        },
        model["legend"],
        {word: titles[word] for word in words}
        | {
            "caption": t("dash.heatmap"),
            "help": t("dash.heatmap_help"),
            "drill": t("dash.heatmap_drill"),
            "order": t("dash.heatmap_order"),
            "by_name": t("dash.heatmap_by_name"),
            "lowest": t("dash.heatmap_lowest"),
            "rows": t("dash.heatmap_rows"),
            "range": t("dash.heatmap_rows_range"),
            "capped": t("dash.heatmap_capped"),
        },
        PAGE_ROWS,
    )


def _heatmap_figure(
    _engine, user_id: str, node_id: str, cycle_id: int, data: int, language: str, view: heatmap.View
) -> dict[str, Any]:
    """The rows on screen as a Vega-Lite spec, for the figure download (PNG or SVG)."""
    model = _model(_engine, user_id, node_id, cycle_id, data, language)
    groups = model["row_order"][view.order][view.first : view.first + PAGE_ROWS]
    cells = model["cells"]
    rows = cells.filter(pc.is_in(cells.column("group"), value_set=pa.array(groups)))
    return charts.heatmap(
        rows,
        model["columns"],
        [model["row_names"][g] for g in groups],
        model["colours"],
        model["legend"],
        dash.titles(),
    )


@dash.cached
def _model(_engine, user_id: str, node_id: str, cycle_id: int, data: int, language: str) -> dict[str, Any]:
    """Everything the page shows for a node and cycle: figures, chart data and tables."""
    actor = state.actor_of(_engine, user_id, data)
    node = dash.place(_engine, user_id, node_id, data, language, dt.date.today().isoformat()).node
    _, questionnaire, roadmap = state.questionnaire_at(_engine, data)
    label = dash.cycle_labels(_engine, data)[cycle_id]
    current = [r for r in dash.node_rows(_engine, user_id, node_id, data) if r["cycle_id"] == cycle_id]
    top = next((r for r in current if r["dimension_id"] == OVERALL), None)
    children = node.children or [node._asdict()]
    child_rows = rollup.child_rows(_engine, actor, node_id, cycle_id) if node.children else current
    planned = rolled.planned_stage(roadmap, label) if roadmap is not None else None
    model: dict[str, Any] = {
        "children": {c["unit_id"] for c in node.children},
        "figures": None,
        "planned": planned,
        "file": f"{{what}}-{node_id}-{label.replace('/', '-')}",
    }
    model.update(_completion(children, child_rows, label, language))
    if top is None or top["units"] == 0:
        return model
    model["figures"] = rolled.figures(top, planned)
    model["rests_on"] = dash.rests_on_text(int(top["submitted"]), int(top["respondents"]))
    names = {c["unit_id"]: dash.name(c, language) for c in children}
    in_tree = sorted(names, key=lambda g: (names[g], g))  # siblings by name, as the tree orders them
    labels = dash.dimension_labels(questionnaire)
    levels = {s.level: s.label.get(language) for s in questionnaire.scale}
    dimensions = [d.id for d in questionnaire.dimensions] + [OVERALL]
    position = {g: n for n, g in enumerate(in_tree)}
    dimension_position = {d: n for n, d in enumerate(dimensions)}
    cells = sorted(
        rolled.cells(child_rows),
        key=lambda c: (
            position.get(c["node_id"], len(position)),
            dimension_position.get(c["dimension_id"], len(dimension_position)),
        ),
    )
    table = pa.table(  # column by column: the chart's data and, renamed, the download
        {
            "group": [c["node_id"] for c in cells],
            "name": [names.get(c["node_id"], c["node_id"]) for c in cells],
            "dimension": [labels.get(c["dimension_id"], c["dimension_id"]) for c in cells],
            "level": [c["level"] for c in cells],
            "label": [f"{c['level']} · {levels.get(c['level'], '')}" for c in cells],
            "score": [c["score"] for c in cells],
            "score_text": [shown_score(c["score"], 1) for c in cells],
            "units": [c["units"] for c in cells],
            "respondents": [c["respondents"] for c in cells],
            "spread": [c["spread"] for c in cells],
        }
    )
    scored = [g for g in in_tree if g in set(table.column("group").to_pylist())]
    overall = {c["node_id"]: c["score"] for c in cells if c["dimension_id"] == OVERALL}
    model["cells"] = table
    model["row_names"] = names
    model["row_order"] = {
        "name": scored,
        "lowest": sorted(scored, key=lambda g: (overall.get(g, 6.0), names[g], g)),
    }
    model["columns"] = dash.dimension_order(questionnaire)
    model["colours"] = {lv: theme.LEVEL_COLOURS.get(lv, theme.NO_SCORE_COLOUR) for lv in levels}
    model["legend"] = {lv: f"{lv} {label}" for lv, label in levels.items()}
    model["level_labels"] = {lv: f"{lv} · {label}" for lv, label in levels.items()}
    columns = {
        "name": t("common.unit"),
        "dimension": t("common.dimension"),
        "score": t("common.score"),
        "level": t("common.level"),
        "units": t("dash.units"),
        "respondents": t("dash.respondents"),
        "spread": t("dash.spread"),
    }
    renamed = table.select(list(columns)).rename_columns(list(columns.values()))
    model["heatmap_table"] = renamed.add_column(0, t("common.cycle"), pa.array([label] * renamed.num_rows))
    model["distribution"] = _distribution(current, questionnaire, language)
    return model


def _key_figures(figures: dict, planned: int | None, rests_on: str) -> None:
    change, journey = figures["change"], figures["median_journey"]
    dash.key_figures(
        [
            (t("dash.share_level_3"), _percent(figures["share_level_3"]), None),
            (t("dash.median_journey"), "–" if journey is None else f"{journey:.2f}", None),
            (
                t("dash.on_plan", stage=f"{planned}.0" if planned else "–"),
                _percent(figures["share_on_plan"]),
                t("dash.on_plan_help"),
            ),
            (t("dash.change"), "–" if change is None else f"{change:+.2f}", None),
        ],
        rests_on,
    )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _distribution(current: list[dict], questionnaire, language: str) -> dict:
    labels = dash.dimension_labels(questionnaire)
    names = {s.level: f"{s.level} {s.label.get(language)}" for s in questionnaire.scale}
    counts = [
        {
            "dimension": labels.get(c["dimension_id"], c["dimension_id"]),
            "level": c["level"],
            "label": names[c["level"]],
            "units": c["units"],
        }
        for c in rolled.level_counts(current, questionnaire.levels)
    ]
    order = dash.dimension_order(questionnaire)
    return charts.stacked_shares(
        counts,
        charts.field(
            "dimension",
            "nominal",
            None,
            sort=order,
            axis={"labelLimit": {"expr": f"{charts.NARROW} ? 110 : 240"}},
        ),
        horizontal=True,
        colours=dash.level_colours(questionnaire, language),
        titles=dash.titles(),
        height=32 * len(order) + 60,
    )


def _completion(children: list[dict], child_rows: list[dict], cycle_label: str, language: str) -> dict:
    """Submitted, started and not started units per child, in the order of the tree."""
    overall = {r["node_id"]: r for r in child_rows if r["dimension_id"] == OVERALL}
    rows = []
    for child in children:
        row = overall.get(child["unit_id"], {})
        submitted, drafts = int(row.get("submitted", 0)), int(row.get("drafts", 0))
        rows.append(
            (dash.name(child, language), submitted, drafts, int(child["leaves"]) - submitted - drafts)
        )
    rows.sort(key=lambda r: r[0])
    titles = [t("common.unit"), t("dash.submitted"), t("dash.draft"), t("dash.not_started")]
    table = {title: [r[i] for r in rows] for i, title in enumerate(titles)}
    return {
        "completion": dash.shown(table),
        "completion_export": dash.shown({t("common.cycle"): [cycle_label] * len(rows)} | table),
    }


def _unit_list(
    engine, user_id: str, node, cycle_id: int, cycle_label: str, data: int, planned: int | None
) -> None:
    """The units under the node by name, in the state the manager picks (not started,
    started but not submitted, behind schedule, or all), with where they stand against the
    plan: the first MAX_LISTED on the page, all of them in the download."""
    _, _, roadmap = state.questionnaire()
    which = st.segmented_control(
        t("dash.units_which"),
        [w for w in LISTS if w != "behind" or roadmap is not None],
        format_func=lambda w: t(f"dash.list.{w}"),
        key=dash.widget_key("unit_list"),
        help=t("dash.units_which_help", node=plain(dash.name(node)), cycle=cycle_label),
    )
    if which is None:
        return
    if which == "behind" and planned is None:
        st.caption(t("dash.list.no_plan", cycle=cycle_label))
        return
    listed = _listed(engine, user_id, node.unit_id, cycle_id, which, data, lang())
    count = listed["count"]
    if count == 0:
        st.caption(t("dash.list.none"))
        return
    st.caption(
        tn("dash.list.count", count)
        if count <= MAX_LISTED
        else t("dash.list.capped", shown=MAX_LISTED, n=f"{count:,}".replace(",", " "))
    )
    dash.show(listed["shown"])
    dash.downloads(
        listed["all"], f"enheter-{which}-{node.unit_id}-{cycle_label.replace('/', '-')}", f"units_{which}"
    )


@dash.cached
def _listed(
    _engine, user_id: str, node_id: str, cycle_id: int, which: str, data: int, language: str
) -> dict[str, Any]:
    """One list of units by name: how many, the first MAX_LISTED as shown, and all of them
    with the cycle for the download."""
    _, _, roadmap = state.questionnaire_at(_engine, data)
    label = dash.cycle_labels(_engine, data)[cycle_id]
    planned = rolled.planned_stage(roadmap, label) if roadmap is not None else None
    units = _statuses(_engine, user_id, node_id, cycle_id, data, language)
    if which == "not_started":
        units = [u for u in units if u["status"] == "not_started"]
    elif which == "started":
        units = [u for u in units if u["status"] in STARTED]
    elif which == "behind":
        units = [u for u in units if u["stage"] is not None and planned is not None and u["stage"] < planned]
    stage_names = {0: t("roadmap.stage_none")}
    if roadmap is not None:
        stage_names |= {n + 1: f"{s.id} {s.label.get(language)}" for n, s in enumerate(roadmap.stages)}

    plan = {key: t(f"roadmap.{key}") for key in ("ahead", "on_plan", "behind")}
    status = {s: t(f"status.{s}") for s in ("not_started", *rollup.STATUS_RANK)}

    def against(stage: int | None) -> str | None:
        if stage is None or planned is None:
            return None
        return plan["ahead" if stage > planned else "on_plan" if stage == planned else "behind"]

    def columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
        return {
            t("common.unit"): [u["name"] for u in rows],
            t("dash.col.place"): [" › ".join(u["place"]) for u in rows],
            t("dash.col.status"): [status[u["status"]] for u in rows],
            t("dash.col.stage"): [
                stage_names.get(u["stage"]) if u["stage"] is not None else None for u in rows
            ],
            t("dash.col.planned"): [stage_names.get(planned) if planned else None for _ in rows],
            t("dash.col.against_plan"): [against(u["stage"]) for u in rows],
        }

    every = {t("common.cycle"): [label] * len(units)} | columns(units)  # made once, for the download
    return {
        "count": len(units),
        "shown": dash.shown({title: values[:MAX_LISTED] for title, values in list(every.items())[1:]}),
        "all": lambda: dash.shown(every),
    }


@dash.cached
def _statuses(_engine, user_id: str, node_id: str, cycle_id: int, data: int, language: str) -> list[dict]:
    """Every unit under the node with its status in the cycle, shared by the four lists."""
    actor = state.actor_of(_engine, user_id, data)
    return rollup.unit_statuses(_engine, actor, node_id, cycle_id, language)
