"""Rollups: results added up per organisation node, as the dashboards read them.

The pure part is checked against sums worked out directly from the leaf units under each
node, for random trees; the stored part, on SQLite and PostgreSQL, against a rebuild from
scratch and against the same direct sums after a mix of submissions, returns, drafts,
validations, a second cycle and a change of the tree.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from scoring import rollup as rolled
from scoring.engine import OVERALL
from storage import assessments as svc
from storage import rollup
from storage.actors import SYSTEM
from storage.backup import backup, restore
from storage.db import make_engine, migrate, reading, writing
from storage.definitions import create_cycle
from storage.errors import AccessDenied
from storage.org import UnitSpec, add_unit, close_unit, merge_units, move_unit, rename_unit
from storage.tables import assessment, node_result, org_node, unit_result

from .conftest import Clinic, fresh_database, full_answers, in_threads

DIMENSIONS = ["d1", "d2", OVERALL]


# The pure part ------------------------------------------------------------------------


@st.composite
def forests(draw: st.DrawFn) -> tuple[list[dict], list[dict], dict, list[int]]:
    """A random tree, results for some of its leaves in up to three cycles, and completion."""
    nodes = [{"unit_id": "n0", "parent_id": None}]
    for index in range(1, draw(st.integers(1, 14))):
        parent = draw(st.sampled_from([n["unit_id"] for n in nodes]))
        nodes.append({"unit_id": f"n{index}", "parent_id": parent})
    parents = {n["parent_id"] for n in nodes}
    depth: dict[str, int] = {}
    for node in nodes:
        depth[node["unit_id"]] = 0 if node["parent_id"] is None else depth[node["parent_id"]] + 1
        node["depth"] = depth[node["unit_id"]]
    for node in nodes:
        node["leaf"] = node["unit_id"] not in parents
    cycles = [1, 2, 3][: draw(st.integers(1, 3))]
    results, completion = [], {}
    for node in (n for n in nodes if n["leaf"]):
        for cycle_id in cycles:
            state = draw(st.sampled_from(["none", "draft", "result"]))
            if state == "draft":
                completion[(cycle_id, node["unit_id"])] = False
            if state != "result":
                continue
            completion[(cycle_id, node["unit_id"])] = True
            for dimension in DIMENSIONS:
                score = draw(st.one_of(st.none(), st.floats(1, 5, allow_nan=False)))
                results.append(
                    {
                        "cycle_id": cycle_id,
                        "unit_id": node["unit_id"],
                        "dimension_id": dimension,
                        "score": score,
                        "level": None if score is None else int(score),
                        "respondents": draw(st.integers(1, 6)),
                        "spread": draw(st.one_of(st.none(), st.floats(0, 4, allow_nan=False))),
                        "stage": draw(st.integers(0, 5)) if dimension == OVERALL else None,
                        "journey": draw(st.sampled_from([0.0, 0.25, 1.5, 2.75, 5.0]))
                        if dimension == OVERALL
                        else None,
                    }
                )
    return nodes, results, completion, cycles


def direct(nodes: list[dict], results: list[dict], completion: dict, cycles: list[int]) -> dict:
    """What each node's rows should hold, summed straight from the leaves under it."""
    parent = {n["unit_id"]: n["parent_id"] for n in nodes}

    def under(node: str, leaf: str) -> bool:
        while leaf is not None:
            if leaf == node:
                return True
            leaf = parent[leaf]
        return False

    previous = dict(zip(cycles[1:], cycles, strict=False))
    overall = {(r["cycle_id"], r["unit_id"]): r["score"] for r in results if r["dimension_id"] == OVERALL}
    expected = {}
    for node in nodes:
        for cycle_id in cycles:
            for dimension in DIMENSIONS:
                rows = [
                    r
                    for r in results
                    if r["cycle_id"] == cycle_id
                    and r["dimension_id"] == dimension
                    and under(node["unit_id"], r["unit_id"])
                ]
                states = [
                    done
                    for (c, unit), done in completion.items()
                    if c == cycle_id and under(node["unit_id"], unit)
                ]
                if not rows and not (dimension == OVERALL and states):
                    continue
                scores = [r["score"] for r in rows if r["score"] is not None]
                entry = {
                    "units": len(scores),
                    "score_sum": sum(scores),
                    "score_min": min(scores, default=None),
                    "score_max": max(scores, default=None),
                    "respondents": sum(r["respondents"] for r in rows),
                    "levels": dict(Counter(str(r["level"]) for r in rows if r["score"] is not None)),
                }
                if dimension == OVERALL:
                    changes = [
                        r["score"] - overall[(previous[cycle_id], r["unit_id"])]
                        for r in rows
                        if r["score"] is not None
                        and overall.get((previous.get(cycle_id), r["unit_id"])) is not None
                    ]
                    entry |= {
                        "stages": dict(Counter(str(r["stage"]) for r in rows)),
                        "journeys": dict(Counter(rolled.count_key(r["journey"]) for r in rows)),
                        "change_sum": sum(changes),
                        "change_units": len(changes),
                        "submitted": sum(states),
                        "drafts": len(states) - sum(states),
                    }
                expected[(cycle_id, node["unit_id"], dimension)] = entry
    return expected


def comparable(row: dict, keys: list[str]) -> dict:
    return {k: round(row[k], 9) if isinstance(row[k], float) else row[k] for k in keys}


@settings(max_examples=120, deadline=None)
@given(forests())
def test_rollup_equals_sums_straight_from_the_leaves(forest) -> None:
    nodes, results, completion, cycles = forest
    rows = rolled.rollup(nodes, rolled.leaf_rows(results, completion, cycles))
    got = {(r["cycle_id"], r["node_id"], r["dimension_id"]): r for r in rows}
    expected = direct(nodes, results, completion, cycles)
    assert set(got) == set(expected)
    for key, entry in expected.items():
        assert comparable(got[key], list(entry)) == comparable(entry, list(entry)), key


@settings(max_examples=80, deadline=None)
@given(forests())
def test_combining_children_one_node_at_a_time_gives_the_same_rows(forest) -> None:
    """What storage does after one submission (combine the children of each node on the
    path) agrees with the bulk rollup."""
    nodes, results, completion, cycles = forest
    every = rolled.rollup(nodes, rolled.leaf_rows(results, completion, cycles))
    by_node: dict[str, list[dict]] = {}
    for row in every:
        by_node.setdefault(row["node_id"], []).append(row)
    for node in (n for n in nodes if not n["leaf"]):
        children = [
            r for n in nodes if n["parent_id"] == node["unit_id"] for r in by_node.get(n["unit_id"], [])
        ]
        combined = {(r["cycle_id"], r["dimension_id"]): r for r in rolled.combine(children, node["unit_id"])}
        bulk = {(r["cycle_id"], r["dimension_id"]): r for r in by_node.get(node["unit_id"], [])}
        assert set(combined) == set(bulk)
        for key, row in bulk.items():
            assert comparable(combined[key], rolled.COLUMNS) == comparable(row, rolled.COLUMNS)


@settings(max_examples=120, deadline=None)
@given(forests(), st.data())
def test_a_part_added_or_taken_away_is_worked_out_from_the_row_or_left_to_the_children(forest, data) -> None:
    """What storage does when a unit or subtree moves (scoring.rollup.shifted): a node's row
    with one child's rows added equals the combination with it; with them taken away, it
    equals the combination without it, or says it cannot tell (None)."""
    nodes, results, completion, cycles = forest
    every = rolled.rollup(nodes, rolled.leaf_rows(results, completion, cycles))
    by_node: dict[str, list[dict]] = {}
    for row in every:
        by_node.setdefault(row["node_id"], []).append(row)
    parents = [n for n in nodes if not n["leaf"]]
    assume(parents)
    node = data.draw(st.sampled_from(parents))["unit_id"]
    children = [n["unit_id"] for n in nodes if n["parent_id"] == node]
    moved = data.draw(st.sampled_from(children))
    rest = [r for c in children if c != moved for r in by_node.get(c, [])]
    without = {(r["cycle_id"], r["dimension_id"]): r for r in rolled.combine(rest, node)}
    whole = {
        (r["cycle_id"], r["dimension_id"]): r for r in rolled.combine([*rest, *by_node.get(moved, [])], node)
    }
    for part in by_node.get(moved, []):
        key = (part["cycle_id"], part["dimension_id"])
        added = rolled.shifted(without.get(key), part, 1, node)
        assert added is not None
        assert comparable(added, rolled.COLUMNS) == comparable(whole[key], rolled.COLUMNS)
        taken = rolled.shifted(whole[key], part, -1, node)
        if taken is not None:
            assert key in without
            assert comparable(taken, rolled.COLUMNS) == comparable(without[key], rolled.COLUMNS)


@given(st.lists(st.sampled_from([0.0, 0.5, 1.25, 2.0, 3.75, 5.0]), min_size=1, max_size=40))
def test_median_of_counts_is_the_median(values: list[float]) -> None:
    counts = Counter(rolled.count_key(v) for v in values)
    assert rolled.median_of_counts(counts) == pytest.approx(statistics.median(values))


def test_key_figures_worked_by_hand() -> None:
    overall = {
        "levels": {"2": 1, "3": 2, "4": 1},
        "stages": {"1": 1, "2": 2, "3": 1},
        "journeys": {"1.5000": 1, "2": 1, "2.2500": 1, "3": 1},
        "change_sum": 0.9,
        "change_units": 3,
        "submitted": 4,
    }
    figures = rolled.figures(overall, planned=2)
    assert figures["share_level_3"] == 0.75
    assert figures["median_journey"] == pytest.approx(2.125)
    assert figures["share_on_plan"] == 0.75  # stage 2 twice and stage 3 once, of four
    assert figures["share_behind"] == 0.25
    assert figures["change"] == pytest.approx(0.3)
    assert rolled.figures(overall, planned=None)["share_on_plan"] is None


def test_cells_spread_is_a_single_units_own_or_the_range_of_several() -> None:
    row = {"cycle_id": 1, "node_id": "x", "dimension_id": "d1", "respondents": 9, "score_sum": 7.0}
    one = rolled.cells([row | {"units": 1, "score_min": 3.5, "score_max": 3.5, "spread": 1.25}])[0]
    two = rolled.cells([row | {"units": 2, "score_min": 3.0, "score_max": 4.0, "spread": None}])[0]
    assert (one["score"], one["level"], one["spread"]) == (7.0, 7, 1.25)
    assert (two["score"], two["level"], two["spread"]) == (3.5, 3, 1.0)
    assert rolled.cells([row | {"units": 0, "score_min": None, "score_max": None, "spread": None}]) == []


# The stored part, on SQLite and PostgreSQL ----------------------------------------------


def stored(engine) -> dict:
    with reading(engine) as connection:
        rows = connection.execute(select(node_result)).all()
    out = {}
    for r in rows:
        row = r._asdict()
        for column in rolled.COUNTS:
            row[column] = json.loads(row[column]) if row[column] is not None else None
        out[(row["cycle_id"], row["node_id"], row["dimension_id"])] = {
            k: round(v, 9) if isinstance(v, float) else v for k, v in row.items()
        }
    return out


def straight_from_the_tables(engine) -> dict:
    """The direct sums of `direct`, fed from the stored unit results and assessments."""
    with reading(engine) as connection:
        nodes = [r._asdict() for r in connection.execute(select(org_node))]
        results = [
            {**r._asdict(), "dimension_id": r.dimension_id}
            for r in connection.execute(select(unit_result))
            if r.unit_id in {n["unit_id"] for n in nodes}
        ]
        statuses: dict[tuple[int, str], bool] = {}
        for a in connection.execute(select(assessment.c.cycle_id, assessment.c.unit_id, assessment.c.status)):
            key = (a.cycle_id, a.unit_id)
            statuses[key] = statuses.get(key, False) or a.status in ("submitted", "validated")
        cycles = sorted({r["cycle_id"] for r in results} | {c for c, _ in statuses})
    leaves = {n["unit_id"] for n in nodes if n["leaf"]}
    completion = {key: done for key, done in statuses.items() if key[1] in leaves}
    return direct(nodes, [r for r in results if r["unit_id"] in leaves], completion, cycles)


def tree_rows(engine) -> dict:
    with reading(engine) as connection:
        return {r.unit_id: r._asdict() for r in connection.execute(select(org_node))}


def check(engine) -> None:
    """Stored rows = a rebuild from scratch = the direct sums."""
    kept, tree = stored(engine), tree_rows(engine)
    with writing(engine) as connection:
        rollup.rebuild(connection)
    assert tree_rows(engine) == tree
    assert stored(engine) == kept
    for key, entry in straight_from_the_tables(engine).items():
        assert comparable(kept[key], list(entry)) == comparable(entry, list(entry)), key


def submit(
    clinic: Clinic, actor: str, unit: str, cycle_id: int, level: int, respondent: str | None = None
) -> int:
    who = clinic.actor(actor)
    assessment_id = svc.start_assessment(clinic.engine, who, unit, cycle_id, "consensus", respondent)
    version = svc.save_answers(
        clinic.engine, who, assessment_id, 1, full_answers(clinic.questionnaire, level)
    )
    svc.submit_assessment(clinic.engine, who, assessment_id, version)
    return assessment_id


def test_stored_rollups_follow_every_kind_of_change(clinic: Clinic) -> None:
    engine = clinic.engine
    later = create_cycle(engine, SYSTEM, "2025/2026", dt.date(2025, 9, 1), dt.date(2026, 9, 1))
    first = submit(clinic, "leader-a", "a", clinic.cycle_id, 2)
    submit(clinic, "admin", "b", clinic.cycle_id, 4)
    check(engine)
    top = stored(engine)[(clinic.cycle_id, "hf", OVERALL)]
    assert (top["units"], top["submitted"], top["drafts"]) == (2, 2, 0)

    svc.start_assessment(engine, clinic.actor("leader-c"), "c", clinic.cycle_id)  # a draft
    submit(clinic, "leader-a", "a", later, 4)  # a rises from 2 to 4 in the next cycle
    check(engine)
    rows = stored(engine)
    assert rows[(clinic.cycle_id, "s2", OVERALL)]["drafts"] == 1
    assert (rows[(later, "hf", OVERALL)]["change_units"], rows[(later, "hf", OVERALL)]["change_sum"]) == (
        1,
        2.0,
    )

    view = svc.get_assessment(engine, clinic.actor("advisor"), first)
    svc.return_assessment(engine, clinic.actor("advisor"), first, view.row_version, "Mangler dokumentasjon")
    check(engine)
    rows = stored(engine)
    assert rows[(clinic.cycle_id, "s1", OVERALL)]["units"] == 1  # only b counts now
    assert rows[(later, "hf", OVERALL)]["change_units"] == 0  # a has no score to compare with

    move_unit(engine, SYSTEM, "b", "s2", on=dt.date(2021, 1, 1))
    check(engine)
    assert stored(engine)[(clinic.cycle_id, "s2", OVERALL)]["units"] == 1


def test_a_change_of_the_tree_touches_only_what_changed_and_equals_a_rebuild(clinic: Clinic) -> None:
    """Each kind of change, followed unit by unit (storage.rollup.follow_unit), leaves the
    same rows as a rebuild; a rename writes no result row."""
    engine, admin = clinic.engine, clinic.actor("admin")
    later = create_cycle(engine, SYSTEM, "2025/2026", dt.date(2025, 9, 1), dt.date(2026, 9, 1))
    for unit, leader, level in (("a", "leader-a", 2), ("b", "admin", 4), ("c", "leader-c", 3)):
        submit(clinic, leader, unit, clinic.cycle_id, level)
    submit(clinic, "leader-a", "a", later, 4)
    svc.start_assessment(engine, clinic.actor("leader-c"), "c", later)  # a draft
    check(engine)

    before = stored(engine)
    rename_unit(engine, admin, "b", "Post B (ny)", "Ward B (new)")
    assert stored(engine) == before and tree_rows(engine)["b"]["name_nb"] == "Post B (ny)"
    check(engine)

    add_unit(engine, admin, UnitSpec("d", "enhet", "Post D", "Ward D", "s2"), on=dt.date(2024, 1, 1))
    assert tree_rows(engine)["s2"]["leaves"] == 2
    check(engine)
    move_unit(engine, admin, "b", "s2")  # a ward to the other section
    assert stored(engine)[(clinic.cycle_id, "s2", OVERALL)]["units"] == 2
    check(engine)
    move_unit(engine, admin, "s2", "s1")  # a section with its wards under the other
    assert tree_rows(engine)["c"]["path"] == "/hf/k/s1/s2/c/" and tree_rows(engine)["c"]["depth"] == 4
    check(engine)
    close_unit(engine, admin, "d")
    assert "d" not in tree_rows(engine)
    check(engine)
    merge_units(engine, admin, "c", "a")
    assert stored(engine)[(clinic.cycle_id, "s1", OVERALL)]["units"] == 2  # a and b
    check(engine)
    move_unit(engine, admin, "b", "k")  # s2 is left without wards: it becomes a leaf
    check(engine)
    assert tree_rows(engine)["s2"]["leaf"] and tree_rows(engine)["s2"]["leaves"] == 1
    move_unit(engine, admin, "b", "s2")  # a ward with results into the empty section: a leaf no more
    assert not tree_rows(engine)["s2"]["leaf"] and tree_rows(engine)["s1"]["leaves"] == 2
    check(engine)
    move_unit(engine, admin, "b", "k")  # and out again
    check(engine)
    add_unit(engine, admin, UnitSpec("e", "enhet", "Post E", "Ward E", "s2"), on=dt.date(2024, 1, 1))
    check(engine)


def test_a_new_day_rebuilds_only_when_a_dated_change_comes_into_force(clinic: Clinic) -> None:
    """A national rebuild holds the write lock for minutes: a new day alone does not cause
    one, a change of the tree dated that day (or before it) does."""
    engine = clinic.engine
    submit(clinic, "leader-a", "a", clinic.cycle_id, 3)
    today = dt.date.today()
    rollup.ensure_rollups(engine, today)
    with writing(engine) as connection:  # a mark that only a rebuild would wipe out
        connection.execute(node_result.update().where(node_result.c.node_id == "a").values(drafts=99))

    def marked() -> bool:
        with reading(engine) as connection:
            return (
                99
                in connection.execute(
                    select(node_result.c.drafts).where(node_result.c.node_id == "a")
                ).scalars()
            )

    rollup.ensure_rollups(engine, today + dt.timedelta(days=1))
    assert marked()  # a new day, nothing came into force: no rebuild
    move_unit(engine, SYSTEM, "b", "s2", on=today + dt.timedelta(days=3))
    assert tree_rows(engine)["b"]["parent_id"] == "s1"  # dated ahead: not yet
    rollup.ensure_rollups(engine, today + dt.timedelta(days=2))
    assert marked()
    rollup.ensure_rollups(engine, today + dt.timedelta(days=3))
    assert not marked() and tree_rows(engine)["b"]["parent_id"] == "s2"


def test_concurrent_submissions_leave_the_same_rollups_as_a_rebuild(clinic: Clinic) -> None:
    """Eight writers in sibling units: no refresh of a shared parent loses another's."""

    def work(thread: int) -> None:
        for n in range(6):
            submit(clinic, "admin", "abc"[(thread + n) % 3], clinic.cycle_id, 1 + n % 5, f"t{thread}-{n}")

    assert in_threads(work, 8) == []
    check(clinic.engine)


def test_restore_rebuilds_the_rollups(clinic: Clinic, tmp_path: Path) -> None:
    submit(clinic, "leader-a", "a", clinic.cycle_id, 3)
    file = tmp_path / "backup.jsonl.gz"
    counts = backup(clinic.engine, file)
    assert "node_result" not in counts and "org_node" not in counts  # derived: not backed up
    (tmp_path / "restored").mkdir()
    with fresh_database("sqlite", tmp_path / "restored") as url:
        target = make_engine(url)
        migrate(target)
        rollup.ensure_rollups(target)  # a started app has made its (empty) derived tables
        restore(target, file)
        assert stored(target) == stored(clinic.engine)
        target.dispose()


def test_reads_check_the_actors_rights(clinic: Clinic) -> None:
    submit(clinic, "leader-a", "a", clinic.cycle_id, 3)
    engine = clinic.engine
    assert rollup.top_nodes(engine, clinic.actor("manager-s1")) == ["s1"]
    assert rollup.top_nodes(engine, clinic.actor("admin")) == ["hf"]
    node = rollup.node(engine, clinic.actor("manager-s1"), "a")
    assert [step["unit_id"] for step in node.trail] == ["s1", "a"]  # not above what they may read
    with pytest.raises(AccessDenied):
        rollup.node_rows(engine, clinic.actor("leader-c"), "s1")
    with pytest.raises(AccessDenied):
        rollup.child_rows(engine, clinic.actor("nobody"), "hf", clinic.cycle_id)
    assert rollup.units_under(engine, clinic.actor("manager-k"), "k", 2) is None  # three units: too many
    assert [u["unit_id"] for u in rollup.units_under(engine, clinic.actor("manager-k"), "k", 5)] == [
        "a",
        "b",
        "c",
    ]
    assert [
        u["unit_id"] for u in rollup.not_started(engine, clinic.actor("manager-k"), "k", clinic.cycle_id, 5)
    ] == [
        "b",
        "c",
    ]
