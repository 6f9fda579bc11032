"""What the dashboard pages share: cached reads keyed on the data version, the node and
cycle pickers with drill-down, downloads, and the "rests on" line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from scoring.aggregate import groups_under, with_paths
from scoring.engine import OVERALL
from storage.access import Actor, actor_for
from storage.definitions import list_cycles
from storage.org import current_tree
from storage.results import completion, cycles_with_results, results_for_cycles
from storage.transfer import csv_bytes, xlsx_bytes
from views import state
from views.i18n import lang, t

READERS = ("admin", "management", "advisor", "leader")


# Large read-only frames live in st.cache_resource: one shared object per key, not a
# pickled copy per call as st.cache_data would give. Callers must not change them.


@st.cache_resource(show_spinner=False, max_entries=4)
def tree(_engine: Engine, data: int) -> pd.DataFrame:
    """The current organisation tree with ancestor paths."""
    paths = with_paths(current_tree(_engine))
    paths.attrs["data"] = data  # lets per-tree caches below key on the data version
    return paths


@st.cache_resource(show_spinner=False, max_entries=8)
def results(_engine: Engine, user_id: str, data: int) -> pd.DataFrame:
    """Every stored result the user may read (all cycles)."""
    frame = results_for_cycles(_engine, actor_for(_engine, user_id))
    frame["dimension_id"] = frame["dimension_id"].astype("category")
    return frame


@st.cache_resource(show_spinner=False, max_entries=16)
def cycle_results(_engine: Engine, user_id: str, cycle_id: int, data: int) -> pd.DataFrame:
    """The stored results of one cycle that the user may read."""
    frame = results_for_cycles(_engine, actor_for(_engine, user_id), [cycle_id])
    frame["dimension_id"] = frame["dimension_id"].astype("category")
    return frame


@st.cache_resource(show_spinner=False, max_entries=16)
def cycle_overall(_engine: Engine, user_id: str, cycle_id: int, data: int) -> pd.DataFrame:
    """Only the overall rows of one cycle's stored results (for comparisons with the past)."""
    return results_for_cycles(_engine, actor_for(_engine, user_id), [cycle_id], [OVERALL])


@st.cache_data(show_spinner=False, max_entries=4)
def cycles_with_data(_engine: Engine, data: int) -> list[int]:
    return cycles_with_results(_engine)


@st.cache_data(show_spinner=False, max_entries=16)
def cycle_completion(_engine: Engine, user_id: str, cycle_id: int, data: int) -> pd.DataFrame:
    return completion(_engine, actor_for(_engine, user_id), cycle_id)


@st.cache_data(show_spinner=False, max_entries=4)
def cycles(_engine: Engine, data: int) -> list[dict[str, Any]]:
    return list_cycles(_engine)


class Context(NamedTuple):
    """What a dashboard page starts from: who, which database state, which node."""

    actor: Actor
    engine: Engine
    data: int
    paths: pd.DataFrame
    node: str
    names: dict[str, str]


def start(title_key: str) -> Context | None:
    """Title, sign-in check and node picker shared by the dashboard pages; None to stop."""
    st.title(t(title_key))
    actor = state.signed_in_actor()
    if actor is None:
        return None
    engine, data = state.engine(), state.version()
    paths = tree(engine, data)
    node = pick_node(actor, paths)
    if node is None:
        st.info(t("dash.no_scope"))
        return None
    return Context(actor, engine, data, paths, node, name_of(paths))


def name_of(paths: pd.DataFrame) -> dict[str, str]:
    """Unit id -> name in the UI's language (computed once per tree and language)."""
    return _names(paths, lang(), paths.attrs.get("data"))


@st.cache_resource(show_spinner=False, max_entries=8)
def _names(_paths: pd.DataFrame, language: str, data: int | None) -> dict[str, str]:
    column = "name_nb" if language == "nb" else "name_en"
    return dict(zip(_paths["unit_id"], _paths[column], strict=True))


def top_nodes(actor: Actor, paths: pd.DataFrame) -> list[str]:
    """The highest nodes the actor may look at: their scopes, or the roots for an admin."""
    scopes = actor.units(*READERS[1:])
    if actor.is_admin or None in scopes:
        return paths.loc[paths["depth"] == 0, "unit_id"].tolist()
    known = set(paths["unit_id"])
    return sorted(s for s in scopes if s in known)


def pick_node(actor: Actor, paths: pd.DataFrame) -> str | None:
    """The chosen node, with breadcrumbs up and a picker for the children (drill-down)."""
    names = name_of(paths)
    tops = top_nodes(actor, paths)
    if not tops:
        return None
    node = st.session_state.get("dash_node")
    allowed = _within(paths, tuple(tops), paths.attrs.get("data"))
    if node not in allowed:
        node = tops[0]
    row = paths[paths["unit_id"] == node].iloc[0]
    trail = [row[f"anc_{d}"] for d in range(int(row["depth"]) + 1)]
    trail = trail[next(i for i, n in enumerate(trail) if n in allowed) :]
    crumbs = st.columns(len(trail) + 1)
    for column, step in zip(crumbs, trail, strict=False):
        column.button(
            names.get(step, step),
            key=f"crumb_{step}",
            on_click=_set_node,
            args=(step,),
            type="primary" if step == node else "secondary",
            width="stretch",
        )
    if len(tops) > 1:
        st.selectbox(
            t("dash.node"),
            tops,
            index=tops.index(trail[0]) if trail[0] in tops else 0,
            format_func=names.get,
            key="_dash_top",
            on_change=_copy_node,
            args=("_dash_top",),
        )
    children = paths[paths["parent_id"] == node]["unit_id"].tolist()
    if children:
        st.selectbox(
            t("dash.drill"),
            [None, *sorted(children, key=lambda c: names.get(c, c))],
            format_func=lambda c: "–" if c is None else names.get(c, c),
            key="_dash_child",
            on_change=_copy_node,
            args=("_dash_child",),
        )
    st.session_state["dash_node"] = node
    return node


@st.cache_resource(show_spinner=False, max_entries=16)
def _within(_paths: pd.DataFrame, tops: tuple[str, ...], data: int | None) -> set[str]:
    """Every unit in the subtrees of `tops`."""
    paths = _paths
    inside: set[str] = set()
    for top in tops:
        row = paths[paths["unit_id"] == top]
        if row.empty:
            continue
        column = f"anc_{int(row['depth'].iloc[0])}"
        inside |= set(paths.loc[paths[column] == top, "unit_id"])
    return inside


def _set_node(node: str) -> None:
    st.session_state["dash_node"] = node
    st.session_state.pop("_dash_child", None)


def _copy_node(key: str) -> None:
    chosen = st.session_state.get(key)
    if chosen is not None:
        _set_node(chosen)


def drill_to(node: str) -> None:
    """Make `node` the chosen one (from a click in a chart) and draw again."""
    _set_node(node)
    st.rerun()


def pick_cycle(key: str = "dash_cycle") -> dict[str, Any] | None:
    """The chosen cycle among those with results (newest by default)."""
    all_cycles = cycles(state.engine(), state.version())
    with_data = set(cycles_with_data(state.engine(), state.version()))
    options = [c for c in reversed(all_cycles) if c["id"] in with_data] or list(reversed(all_cycles))
    if not options:
        return None
    ids = [c["id"] for c in options]
    labels = {c["id"]: c["label"] for c in options}
    chosen = state.pick(t("common.cycle"), ids, labels, key)
    return next(c for c in options if c["id"] == chosen)


def under(paths: pd.DataFrame, node: str) -> pd.DataFrame:
    return groups_under(paths, node)


def rests_on(units: int, respondents: int) -> None:
    st.caption(t("dash.rests_on", units=units, respondents=respondents))


def downloads(frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Excel of a table, with text that could run as a formula neutralised. The
    files are made when the button is clicked, not on every rerun."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        t("common.download_csv"),
        lambda: csv_bytes(frame),
        f"{name}.csv",
        "text/csv",
        key=f"csv_{key}",
        on_click="ignore",
        width="stretch",
    )
    right.download_button(
        t("common.download_xlsx"),
        lambda: xlsx_bytes(frame, name),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        on_click="ignore",
        width="stretch",
    )


def chart(cache_key: tuple[Any, ...], build: Callable[[], alt.TopLevelMixin], **options: Any) -> Any:
    """Draw an Altair chart whose Vega-Lite spec is built once per `cache_key` (which must
    name everything the chart depends on, the data version included) and reused on reruns."""
    full_key = (*cache_key, lang())
    spec = _spec(full_key, build)
    return st.vega_lite_chart(spec=spec, width="stretch", **options)


@st.cache_data(show_spinner=False, max_entries=256)
def _spec(key: tuple[Any, ...], _build: Callable[[], alt.TopLevelMixin]) -> dict[str, Any]:
    return _build().to_dict()


def no_data(node_name: str, cycle_label: str) -> None:
    st.info(t("dash.no_data", node=node_name, cycle=cycle_label), icon=":material/info:")


def dimension_labels(questionnaire: Any) -> dict[str, str]:
    labels = {d.id: d.label.get(lang()) for d in questionnaire.dimensions}
    labels["overall"] = t("common.overall")
    return labels
