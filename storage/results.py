"""Reads of stored results for the dashboards: small score tables, never raw answers."""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import Connection, Engine, select

from scoring.engine import ScoreResult, score
from storage import audit, rollup
from storage.actors import Actor
from storage.assessments import Answer, answers_frame, counted_assessments, counted_by_cycle
from storage.db import fetch_rows, reading
from storage.definitions import questionnaire_of, roadmap_for
from storage.errors import AccessDenied
from storage.permissions import may, reach
from storage.planning import action_item_rows, target_rows
from storage.tables import answer, assessment, cycle, org_node, unit_result
from storage.tree import subtree

RESULT_COLUMNS = [
    "unit_id",
    "dimension_id",
    "score",
    "level",
    "respondents",
    "spread",
    "stage",
    "journey",
    "status",
]


def data_version(engine: Engine) -> int:
    """Changes with every write through the services, in any process sharing the database."""
    with reading(engine) as connection:
        return audit.data_version(connection)


def visible_units(connection: Connection, actor: Actor) -> set[str] | None:
    """Units whose results the actor may read; None means all of them."""
    tops = reach(actor, "read_results")
    return None if tops is None else subtree(connection, tops)


def cycle_results(engine: Engine, actor: Actor, cycle_id: int) -> pd.DataFrame:
    """The stored unit results of one cycle that the actor may read, one row per unit and dimension."""
    return results_for_cycles(engine, actor, [cycle_id]).drop(columns="cycle_id")


def assessable_units(engine: Engine, actor: Actor) -> pd.DataFrame:
    """Units (leaves of the current tree) the actor may assess: unit_id, name_nb, name_en, by
    name. Read from the flattened tree: a leader's units and the leaves below them, level by
    level through the parent index, never the whole tree unless the actor may assess it all."""
    columns = ["unit_id", "name_nb", "name_en"]
    rollup.ensure_rollups(engine)
    picked = (org_node.c.unit_id, org_node.c.name_nb, org_node.c.name_en, org_node.c.leaf)
    with reading(engine) as connection:
        tops = reach(actor, "assess")
        if tops is None:
            found = connection.execute(select(*picked).where(org_node.c.leaf.is_(True))).all()
        else:
            found, frontier = [], sorted(tops)
            query = select(*picked).where(org_node.c.unit_id.in_(frontier))
            while frontier:
                below = connection.execute(query).all()
                found += [r for r in below if r.leaf]
                frontier = [r.unit_id for r in below if not r.leaf]
                query = select(*picked).where(org_node.c.parent_id.in_(frontier))
    rows = sorted(
        {r.unit_id: (r.unit_id, r.name_nb, r.name_en) for r in found if r.leaf}.values(), key=lambda r: r[1]
    )
    return pd.DataFrame(rows, columns=columns)


def open_cycles(engine: Engine) -> list[dict[str, object]]:
    """Open cycles, newest first."""
    with reading(engine) as connection:
        rows = connection.execute(
            select(cycle).where(cycle.c.status == "open").order_by(cycle.c.starts_on.desc())
        )
        return [dict(r._mapping) for r in rows]


def unit_history_results(engine: Engine, actor: Actor, unit_id: str) -> pd.DataFrame:
    """The unit's stored results in every cycle: cycle label and start, dimension, score, ..."""
    with reading(engine) as connection:
        _require_reader(connection, actor, unit_id)
        rows = history_rows(connection, unit_id)
    return pd.DataFrame(rows, columns=["cycle", "starts_on", *RESULT_COLUMNS])


def history_rows(connection: Connection, unit_id: str) -> list[dict[str, Any]]:
    query = (
        select(cycle.c.label.label("cycle"), cycle.c.starts_on, *[unit_result.c[c] for c in RESULT_COLUMNS])
        .join(cycle, cycle.c.id == unit_result.c.cycle_id)
        .where(unit_result.c.unit_id == unit_id)
        .order_by(cycle.c.starts_on)
    )
    return [r._asdict() for r in connection.execute(query)]


class UnitProfile(NamedTuple):
    """What the unit profile shows, read in one go: results by cycle, targets, the status of
    each cycle's consensus assessment, action items and comments (all oldest first)."""

    history: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    statuses: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    comments: list[dict[str, Any]]


def unit_profile(engine: Engine, actor: Actor, unit_id: str) -> UnitProfile:
    """One read for the unit profile; the same rights as reading the unit's results and plans."""
    with reading(engine) as connection:
        _require_reader(connection, actor, unit_id)
        return UnitProfile(
            history_rows(connection, unit_id),
            target_rows(connection, unit_id),
            status_rows(connection, unit_id),
            action_item_rows(connection, unit_id),
            comment_rows(connection, unit_id),
        )


def _require_reader(connection: Connection, actor: Actor, unit_id: str) -> None:
    if not may(connection, actor, "read_results", unit_id):
        raise AccessDenied(what="read this unit's results", what_nb="lese enhetens resultater")


def unit_score_result(engine: Engine, actor: Actor, unit_id: str, cycle_id: int) -> ScoreResult | None:
    """The full scoring of a unit in a cycle (criteria included), from its counted assessments.

    The same selection and scoring as the stored result, for the detail a result page
    needs: which roadmap criteria are met and each respondent's scores.
    """
    with reading(engine) as connection:
        if not may(connection, actor, "read_results", unit_id):
            raise AccessDenied(what="read this unit's results", what_nb="lese enhetens resultater")
        counted = counted_assessments(connection, unit_id, cycle_id)
        if not counted:
            return None
        version = counted[0].questionnaire_version_id
        frame = answers_frame(connection, [r.id for r in counted], unit_id, counted[0].label)
        return score(questionnaire_of(connection, version), frame, roadmap_for(connection, version))


def previous_answers(engine: Engine, actor: Actor, unit_id: str, cycle_id: int) -> tuple[str | None, dict]:
    """The unit's agreed answers in the latest earlier cycle: (cycle label, item -> Answer)."""
    with reading(engine) as connection:
        if not may(connection, actor, "read_results", unit_id):
            return None, {}
        this = connection.execute(select(cycle.c.starts_on).where(cycle.c.id == cycle_id)).scalar()
        earlier = connection.execute(
            select(cycle.c.id, cycle.c.label)
            .join(assessment, assessment.c.cycle_id == cycle.c.id)
            .where(
                assessment.c.unit_id == unit_id,
                cycle.c.starts_on < this,
                assessment.c.mode == "consensus",
                assessment.c.status.in_(("submitted", "validated")),
            )
            .order_by(cycle.c.starts_on.desc())
        ).first()
        if earlier is None:
            return None, {}
        row = connection.execute(
            select(assessment.c.id)
            .where(
                assessment.c.unit_id == unit_id,
                assessment.c.cycle_id == earlier.id,
                assessment.c.mode == "consensus",
                assessment.c.status.in_(("submitted", "validated")),
            )
            .order_by(assessment.c.submitted_at.desc())
        ).first()
        rows = connection.execute(select(answer).where(answer.c.assessment_id == row.id)).all()
    return earlier.label, {
        r.item_id: Answer(r.item_id, r.level, r.yes, bool(r.dont_know), r.comment, r.evidence) for r in rows
    }


def results_for_cycles(
    engine: Engine, actor: Actor, cycle_ids: list[int] | None = None, dimensions: list[str] | None = None
) -> pd.DataFrame:
    """Stored unit results the actor may read, for some cycles (all by default) and some
    dimensions (all by default, 'overall' included), with cycle_id."""
    columns = ["cycle_id", *RESULT_COLUMNS]
    query = select(*[unit_result.c[c] for c in columns])
    if cycle_ids is not None:
        query = query.where(unit_result.c.cycle_id.in_(cycle_ids))
    if dimensions is not None:
        query = query.where(unit_result.c.dimension_id.in_(dimensions))
    with reading(engine) as connection:
        _, rows = fetch_rows(connection, query)
        allowed = visible_units(connection, actor)
    frame = pd.DataFrame.from_records(rows, columns=columns)
    if allowed is not None:
        frame = frame[frame["unit_id"].isin(allowed)].reset_index(drop=True)
    return frame


def unit_comments(engine: Engine, actor: Actor, unit_id: str) -> pd.DataFrame:
    """Comments and evidence in the unit's counted assessments, oldest cycle first: cycle,
    item_id, comment, evidence."""
    with reading(engine) as connection:
        _require_reader(connection, actor, unit_id)
        rows = comment_rows(connection, unit_id)
    return pd.DataFrame(rows, columns=["cycle", "item_id", "comment", "evidence"])


def comment_rows(connection: Connection, unit_id: str) -> list[dict[str, Any]]:
    counted = {r.id: r.label for rows in counted_by_cycle(connection, unit_id).values() for r in rows}
    found = connection.execute(
        select(answer.c.assessment_id, answer.c.item_id, answer.c.comment, answer.c.evidence)
        .join(assessment, assessment.c.id == answer.c.assessment_id)
        .join(cycle, cycle.c.id == assessment.c.cycle_id)
        .where(
            answer.c.assessment_id.in_(list(counted)),
            (answer.c.comment.is_not(None)) | (answer.c.evidence.is_not(None)),
        )
        .order_by(cycle.c.starts_on, answer.c.item_id)
    ).all()
    return [
        {
            "cycle": counted[r.assessment_id],
            "item_id": r.item_id,
            "comment": r.comment,
            "evidence": r.evidence,
        }
        for r in found
    ]


def unit_statuses(engine: Engine, actor: Actor, unit_id: str) -> pd.DataFrame:
    """The unit's consensus assessments per cycle with their status: cycle, mode, status,
    submitted_at, validated_at."""
    with reading(engine) as connection:
        _require_reader(connection, actor, unit_id)
        rows = status_rows(connection, unit_id)
    return pd.DataFrame(rows, columns=["cycle", "mode", "status", "submitted_at", "validated_at"])


def status_rows(connection: Connection, unit_id: str) -> list[dict[str, Any]]:
    query = (
        select(
            cycle.c.label.label("cycle"),
            assessment.c.mode,
            assessment.c.status,
            assessment.c.submitted_at,
            assessment.c.validated_at,
        )
        .join(cycle, cycle.c.id == assessment.c.cycle_id)
        .where(assessment.c.unit_id == unit_id, assessment.c.mode == "consensus")
        .order_by(cycle.c.starts_on)
    )
    return [r._asdict() for r in connection.execute(query)]
