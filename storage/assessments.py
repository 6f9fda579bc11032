"""Assessments from draft to validated, their answers, and the scores stored on submit.

Every change checks the actor's rights and the assessment's row version (optimistic
locking): a second writer gets Conflict, never a silent overwrite. Scores are computed
by `scoring` on submit and stored per assessment and per unit and cycle, so dashboards
read small score tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, text, update

from scoring.engine import OVERALL, ScoreResult, score
from scoring.models import Questionnaire
from storage import audit, bulk, rollup
from storage.actors import Actor
from storage.db import is_sqlite, reading, writing
from storage.definitions import (
    questionnaire_of,
    questionnaire_version_for,
    roadmap_for,
)
from storage.errors import AccessDenied, Conflict, InvalidInput, NotFound, ServiceError
from storage.faults import checkpoint
from storage.permissions import may, require
from storage.tables import answer, assessment, assessment_score, cycle, unit_result

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (assessment, answer, assessment_score, unit_result)

EDITABLE = ("draft", "returned")
COUNTED = ("submitted", "validated")
STATUS_NB = {
    "draft": "utkast",
    "submitted": "sendt inn",
    "validated": "validert",
    "returned": "sendt tilbake",
}


@dataclass
class Answer:
    item_id: str
    level: int | None = None
    yes: bool | None = None
    dont_know: bool = False
    comment: str | None = None
    evidence: str | None = None

    @property
    def answered(self) -> bool:
        return self.dont_know or self.level is not None or self.yes is not None


@dataclass
class AssessmentView:
    """One assessment as a reader may see it."""

    id: int
    unit_id: str
    cycle_id: int
    cycle_label: str
    questionnaire_version_id: int
    respondent: str
    role: str | None
    mode: str
    status: str
    status_comment: str | None
    row_version: int
    workshop_id: int | None
    created_at: Any
    updated_at: Any
    submitted_at: Any
    validated_at: Any
    answers: dict[str, Answer] = field(default_factory=dict)

    def missing(self, questionnaire: Questionnaire) -> list[str]:
        """Ids of items not answered yet, in questionnaire order."""
        return [i.id for i in questionnaire.items() if not (a := self.answers.get(i.id)) or not a.answered]


# Rights -------------------------------------------------------------------------------


def _may_edit(connection: Connection, actor: Actor, row: Any) -> bool:
    if actor.is_admin or row.respondent == actor.user_id:
        return True
    return row.mode == "consensus" and may(connection, actor, "assess", row.unit_id)


def _may_read(connection: Connection, actor: Actor, row: Any) -> bool:
    if _may_edit(connection, actor, row):
        return True
    if row.status in COUNTED:
        return may(connection, actor, "read_results", row.unit_id)
    if row.status == "returned":  # the advisor who sent it back follows it until it comes again
        return may(connection, actor, "validate", row.unit_id)
    return False


# The statements of an answer's save, built once: building them took longer than running them.
_ROW = (
    select(assessment, cycle.c.label.label("cycle_label"), cycle.c.status.label("cycle_status"))
    .join(cycle, cycle.c.id == assessment.c.cycle_id)
    .where(assessment.c.id == bindparam("row_id"))
)
_BUMP = (
    update(assessment)
    .where(assessment.c.id == bindparam("row_id"), assessment.c.row_version == bindparam("expected"))
    .values(row_version=assessment.c.row_version + 1, updated_at=bindparam("moment"))
)
_OLD_ANSWER = select(answer).where(
    answer.c.assessment_id == bindparam("row_id"), answer.c.item_id == bindparam("item")
)


def _load_row(connection: Connection, assessment_id: int) -> Any:
    row = connection.execute(_ROW, {"row_id": assessment_id}).first()
    if row is None:
        raise NotFound(what="assessment", what_nb="vurderingen", id=assessment_id)
    return row


def _denied(what: str, what_nb: str) -> AccessDenied:
    return AccessDenied(what=what, what_nb=what_nb)


def _wrong_status(row: Any, action: str, action_nb: str) -> ServiceError:
    return ServiceError(
        "wrong_status", status=row.status, status_nb=STATUS_NB[row.status], action=action, action_nb=action_nb
    )


# Life cycle ---------------------------------------------------------------------------


def start_assessment(
    engine: Engine,
    actor: Actor,
    unit_id: str,
    cycle_id: int,
    mode: str = "consensus",
    respondent: str | None = None,
    role: str | None = None,
    questionnaire_version_id: int | None = None,
    workshop_id: int | None = None,
) -> int:
    """The id of the respondent's assessment of the unit in the cycle, created if new.

    Only a leader of the unit (or an admin) starts assessments. (The pages look for the
    unit's consensus assessment first, `find_consensus`, so a unit with two leaders gets one.)
    """
    if mode not in ("consensus", "individual"):
        raise InvalidInput(detail=f"unknown mode {mode}", detail_nb=f"ukjent modus {mode}")
    respondent = respondent or actor.user_id
    with writing(engine) as connection:
        require(connection, actor, "assess", unit_id)
        return _start(
            connection,
            actor,
            unit_id,
            cycle_id,
            mode,
            respondent,
            role,
            questionnaire_version_id,
            workshop_id,
        )


def _start(
    connection: Connection,
    actor: Actor,
    unit_id: str,
    cycle_id: int,
    mode: str,
    respondent: str,
    role: str | None,
    questionnaire_version_id: int | None,
    workshop_id: int | None,
) -> int:
    cycle_row = connection.execute(select(cycle).where(cycle.c.id == cycle_id)).first()
    if cycle_row is None:
        raise NotFound(what="cycle", what_nb="syklusen", id=cycle_id)
    existing = _respondents_assessment(connection, unit_id, cycle_id, respondent)
    if existing is not None:
        return existing
    if cycle_row.status != "open":
        raise ServiceError("cycle_closed", cycle=cycle_row.label)
    version = questionnaire_version_id or questionnaire_version_for(connection, cycle_id)
    moment = audit.now()
    values = {
        "unit_id": unit_id,
        "cycle_id": cycle_id,
        "questionnaire_version_id": version,
        "respondent": respondent,
        "role": role,
        "mode": mode,
        "status": "draft",
        "workshop_id": workshop_id,
        "created_by": actor.user_id,
        "created_at": moment,
        "updated_at": moment,
        "row_version": 1,
    }
    new_id = int(connection.execute(insert(assessment).values(**values)).inserted_primary_key[0])
    rollup.refresh(connection, unit_id, cycle_id)
    audit.record(connection, actor.user_id, "create", "assessment", new_id, None, values)
    return new_id


def unit_consensus(connection: Connection, unit_id: str, cycle_id: int) -> Any:
    """The unit's consensus assessment in the cycle (the oldest, should there be two), or None."""
    return connection.execute(
        select(assessment)
        .where(
            assessment.c.unit_id == unit_id,
            assessment.c.cycle_id == cycle_id,
            assessment.c.mode == "consensus",
        )
        .order_by(assessment.c.id)
    ).first()


def ensure_consensus(connection: Connection, actor: Actor, unit_id: str, cycle_id: int) -> int:
    """The id of the unit's consensus assessment for a workshop to record its agreement in,
    started if there is none; refused once it has been sent in (the caller checked rights)."""
    found = unit_consensus(connection, unit_id, cycle_id)
    if found is None:
        return _start(
            connection, actor, unit_id, cycle_id, "consensus", actor.user_id, "enhetsleder", None, None
        )
    if found.status not in EDITABLE:
        label = connection.execute(select(cycle.c.label).where(cycle.c.id == cycle_id)).scalar()
        raise ServiceError(
            "already_submitted", cycle=label, status=found.status, status_nb=STATUS_NB[found.status]
        )
    return int(found.id)


def find_consensus(engine: Engine, actor: Actor, unit_id: str, cycle_id: int) -> int | None:
    """The id of the unit's consensus assessment in a cycle, if the actor may read it."""
    with reading(engine) as connection:
        found = unit_consensus(connection, unit_id, cycle_id)
        if found is None:
            return None
        if not _may_read(connection, actor, _load_row(connection, found.id)):
            raise _denied("read this assessment", "lese denne vurderingen")
        return int(found.id)


def get_assessment(engine: Engine, actor: Actor, assessment_id: int) -> AssessmentView:
    with reading(engine) as connection:
        row = _load_row(connection, assessment_id)
        if not _may_read(connection, actor, row):
            raise _denied("read this assessment", "lese denne vurderingen")
        answers = connection.execute(select(answer).where(answer.c.assessment_id == assessment_id)).all()
    return _view(row, answers)


def find_assessment(engine: Engine, actor: Actor, unit_id: str, cycle_id: int, respondent: str) -> int | None:
    """The id of a respondent's assessment of a unit in a cycle, if the actor may read it."""
    with reading(engine) as connection:
        found = _respondents_assessment(connection, unit_id, cycle_id, respondent)
        if found is None:
            return None
        if not _may_read(connection, actor, _load_row(connection, found)):
            raise _denied("read this assessment", "lese denne vurderingen")
        return found


def _respondents_assessment(
    connection: Connection, unit_id: str, cycle_id: int, respondent: str
) -> int | None:
    """The id of a respondent's assessment of a unit in a cycle (one at most), if any."""
    found = connection.execute(
        select(assessment.c.id).where(
            assessment.c.unit_id == unit_id,
            assessment.c.cycle_id == cycle_id,
            assessment.c.respondent == respondent,
        )
    ).scalar()
    return None if found is None else int(found)


def _view(row: Any, answers: list[Any]) -> AssessmentView:
    data = {k: row._mapping[k] for k in AssessmentView.__dataclass_fields__ if k in row._mapping}
    view = AssessmentView(**data)
    for a in answers:
        view.answers[a.item_id] = Answer(a.item_id, a.level, a.yes, bool(a.dont_know), a.comment, a.evidence)
    return view


def save_answer(
    engine: Engine,
    actor: Actor,
    assessment_id: int,
    item_id: str,
    expected_version: int,
    *,
    level: int | None = None,
    yes: bool | None = None,
    dont_know: bool = False,
    comment: str | None = None,
    evidence: str | None = None,
) -> int:
    """Save one answer (with its comment and evidence); returns the new row version.

    Give `level` for a scored item, `yes` for a yes/no item, `dont_know=True` for
    "vet ikke / ikke aktuelt", or none of them to keep the answer and change only the
    comment or evidence. A comment or evidence of None keeps the stored text; "" clears it.
    """
    with writing(engine) as connection:
        row = _editable_row(connection, actor, assessment_id)
        questionnaire = questionnaire_of(connection, row.questionnaire_version_id)
        _check_answer(questionnaire, item_id, level, yes, dont_know)
        new_version = _bump(connection, row, expected_version)
        _upsert_answer(
            connection, actor, assessment_id, Answer(item_id, level, yes, dont_know, comment, evidence)
        )
    return new_version


def save_answers(
    engine: Engine, actor: Actor, assessment_id: int, expected_version: int, answers: list[Answer]
) -> int:
    """Save several answers in one transaction (e.g. a workshop's agreed answers)."""
    with writing(engine) as connection:
        row = _editable_row(connection, actor, assessment_id)
        questionnaire = questionnaire_of(connection, row.questionnaire_version_id)
        for a in answers:
            _check_answer(questionnaire, a.item_id, a.level, a.yes, a.dont_know)
        new_version = _bump(connection, row, expected_version)
        _upsert_answers(connection, actor, assessment_id, answers)
    return new_version


def _editable_row(connection: Connection, actor: Actor, assessment_id: int) -> Any:
    row = _load_row(connection, assessment_id)
    if not _may_edit(connection, actor, row):
        raise _denied("change this assessment", "endre denne vurderingen")
    if row.status not in EDITABLE:
        raise _wrong_status(row, "changed", "endres")
    if row.cycle_status != "open":
        raise ServiceError("cycle_closed", cycle=row.cycle_label)
    return row


def _check_answer(
    questionnaire: Questionnaire, item_id: str, level: int | None, yes: bool | None, dont_know: bool
) -> None:
    item = questionnaire.item(item_id)
    if item is None:
        raise InvalidInput(detail=f"unknown item {item_id}", detail_nb=f"ukjent spørsmål {item_id}")
    given = sum(x is not None for x in (level, yes)) + bool(dont_know)
    if given > 1:
        raise InvalidInput(detail=f"{item_id}: give one answer", detail_nb=f"{item_id}: gi ett svar")
    if item.scored and yes is not None:
        raise InvalidInput(
            detail=f"{item_id} takes a level, not yes/no", detail_nb=f"{item_id} skal ha et nivå, ikke ja/nei"
        )
    if not item.scored and level is not None:
        raise InvalidInput(detail=f"{item_id} takes yes or no", detail_nb=f"{item_id} skal ha ja eller nei")
    if level is not None and level not in questionnaire.levels:
        raise InvalidInput(
            detail=f"{item_id}: level {level} is not on the scale",
            detail_nb=f"{item_id}: nivå {level} finnes ikke på skalaen",
        )


def _bump(connection: Connection, row: Any, expected_version: int, **values: Any) -> int:
    """Advance the row version if it is still `expected_version`; Conflict otherwise."""
    bump = _BUMP.values(**values) if values else _BUMP
    given = {"row_id": row.id, "expected": expected_version, "moment": audit.now()}
    done = connection.execute(bump, given).rowcount
    if done != 1:
        raise Conflict(what="assessment", what_nb="vurderingen")
    return expected_version + 1


ANSWER_FIELDS = ("level", "yes", "dont_know", "comment", "evidence")
_UPDATE_ANSWER = (
    update(answer)
    .where(answer.c.assessment_id == bindparam("b_assessment"), answer.c.item_id == bindparam("b_item"))
    .values({k: bindparam(k) for k in (*ANSWER_FIELDS, "updated_by", "updated_at")})
)


def _upsert_answer(connection: Connection, actor: Actor, assessment_id: int, new: Answer) -> None:
    _upsert_answers(connection, actor, assessment_id, [new])


def _upsert_answers(connection: Connection, actor: Actor, assessment_id: int, answers: list[Answer]) -> None:
    """Insert or update answers of one assessment, with one audit entry each."""
    if len(answers) == 1:
        found = connection.execute(_OLD_ANSWER, {"row_id": assessment_id, "item": answers[0].item_id})
    else:
        found = connection.execute(
            select(answer).where(
                answer.c.assessment_id == assessment_id, answer.c.item_id.in_([a.item_id for a in answers])
            )
        )
    old_rows = {r.item_id: r for r in found}
    moment = audit.now()
    inserts, updates, entries = [], [], []
    for new in answers:
        values = {
            "level": new.level,
            "yes": new.yes,
            "dont_know": new.dont_know,
            "comment": new.comment,
            "evidence": new.evidence,
        }
        old = old_rows.get(new.item_id)
        if old is not None:
            if not new.answered:  # a comment or evidence alone keeps the answer already given
                values.update(level=old.level, yes=old.yes, dont_know=old.dont_know)
            for text_field in ("comment", "evidence"):  # None keeps the text; "" clears it
                if values[text_field] is None:
                    values[text_field] = getattr(old, text_field)
        for text_field in ("comment", "evidence"):
            values[text_field] = (values[text_field] or "").strip() or None
        row = {
            "assessment_id": assessment_id,
            "item_id": new.item_id,
            **values,
            "updated_by": actor.user_id,
            "updated_at": moment,
        }
        (inserts if old is None else updates).append(row)
        before = None if old is None else {k: getattr(old, k) for k in ANSWER_FIELDS}
        entries.append((f"{assessment_id}/{new.item_id}", before, values))
    if inserts:
        connection.execute(insert(answer), inserts)
    if updates:
        keyed = [{**u, "b_assessment": u["assessment_id"], "b_item": u["item_id"]} for u in updates]
        connection.execute(_UPDATE_ANSWER, keyed)
    audit.record_many(connection, actor.user_id, "answer", "assessment", entries)


ConsensusHook = Callable[[Connection, Actor, str, int], None]
_on_consensus_submitted: list[ConsensusHook] = []


def on_consensus_submitted(hook: ConsensusHook) -> ConsensusHook:
    """Register what must happen in the same transaction when a unit's consensus assessment
    is sent in (its workshops close): the modules that build on this one react to it
    without this one importing them. `storage/__init__.py` imports them all."""
    if hook not in _on_consensus_submitted:
        _on_consensus_submitted.append(hook)
    return hook


def submit_assessment(engine: Engine, actor: Actor, assessment_id: int, expected_version: int) -> int:
    """Submit a complete assessment: store its scores and its unit's; returns the new row version.

    An incomplete assessment is refused with the list of what is missing.
    """
    with writing(engine) as connection:
        row = _editable_row(connection, actor, assessment_id)
        questionnaire = questionnaire_of(connection, row.questionnaire_version_id)
        answers = connection.execute(select(answer).where(answer.c.assessment_id == assessment_id)).all()
        missing = _view(row, answers).missing(questionnaire)
        if missing:
            raise ServiceError("incomplete", items=", ".join(missing), missing=missing)
        moment = audit.now()
        new_version = _bump(
            connection, row, expected_version, status="submitted", submitted_at=moment, status_comment=None
        )
        store_assessment_scores(connection, row, questionnaire)
        checkpoint("submit:half")
        refresh_unit_result(connection, row.unit_id, row.cycle_id)
        audit.record(
            connection,
            actor.user_id,
            "submit",
            "assessment",
            assessment_id,
            {"status": row.status},
            {"status": "submitted"},
        )
        if row.mode == "consensus":
            for hook in _on_consensus_submitted:
                hook(connection, actor, row.unit_id, row.cycle_id)
    return new_version


def reopen_assessment(engine: Engine, actor: Actor, assessment_id: int, expected_version: int) -> int:
    """Take a sent-in assessment back to draft, while no advisor has validated it and its
    cycle is open (the leader changed their mind); returns the new row version."""
    with writing(engine) as connection:
        row = _load_row(connection, assessment_id)
        if not _may_edit(connection, actor, row):
            raise _denied("take this assessment back", "trekke tilbake denne vurderingen")
        if row.status != "submitted":
            raise _wrong_status(row, "taken back", "trekkes tilbake")
        if row.cycle_status != "open":
            raise ServiceError("cycle_closed", cycle=row.cycle_label)
        new_version = _bump(connection, row, expected_version, status="draft", submitted_at=None)
        connection.execute(delete(assessment_score).where(assessment_score.c.assessment_id == assessment_id))
        refresh_unit_result(connection, row.unit_id, row.cycle_id)
        audit.record(
            connection,
            actor.user_id,
            "reopen",
            "assessment",
            assessment_id,
            {"status": row.status},
            {"status": "draft"},
        )
    return new_version


def validate_assessment(engine: Engine, actor: Actor, assessment_id: int, expected_version: int) -> int:
    """An advisor confirms a submitted assessment."""
    with writing(engine) as connection:
        row = _load_row(connection, assessment_id)
        if not may(connection, actor, "validate", row.unit_id):
            raise _denied("validate this assessment", "validere denne vurderingen")
        if row.status != "submitted":
            raise _wrong_status(row, "validated", "valideres")
        new_version = _bump(connection, row, expected_version, status="validated", validated_at=audit.now())
        refresh_unit_result(connection, row.unit_id, row.cycle_id)
        audit.record(
            connection,
            actor.user_id,
            "validate",
            "assessment",
            assessment_id,
            {"status": row.status},
            {"status": "validated"},
        )
    return new_version


def return_assessment(
    engine: Engine, actor: Actor, assessment_id: int, expected_version: int, comment: str
) -> int:
    """An advisor sends a submitted assessment back to the unit with a comment."""
    if not comment.strip():
        raise InvalidInput(
            detail="say why the assessment is returned", detail_nb="skriv hvorfor vurderingen sendes tilbake"
        )
    with writing(engine) as connection:
        row = _load_row(connection, assessment_id)
        if not may(connection, actor, "validate", row.unit_id):
            raise _denied("return this assessment", "sende tilbake denne vurderingen")
        if row.status not in COUNTED:
            raise _wrong_status(row, "returned", "sendes tilbake")
        new_version = _bump(connection, row, expected_version, status="returned", status_comment=comment)
        refresh_unit_result(connection, row.unit_id, row.cycle_id)
        audit.record(
            connection,
            actor.user_id,
            "return",
            "assessment",
            assessment_id,
            {"status": row.status},
            {"status": "returned", "comment": comment},
        )
    return new_version


def list_assessments(
    engine: Engine,
    actor: Actor,
    cycle_id: int | None = None,
    unit_id: str | None = None,
    mode: str | None = None,
    statuses: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Assessments the actor may read (without answers), newest first; optionally only one
    mode and some statuses, chosen in the query (a cycle may hold thousands of imported
    individual assessments beside the units' consensus ones)."""
    query = select(assessment, cycle.c.label.label("cycle_label"), cycle.c.status.label("cycle_status")).join(
        cycle, cycle.c.id == assessment.c.cycle_id
    )
    if cycle_id is not None:
        query = query.where(assessment.c.cycle_id == cycle_id)
    if unit_id is not None:
        query = query.where(assessment.c.unit_id == unit_id)
    if mode is not None:
        query = query.where(assessment.c.mode == mode)
    if statuses is not None:
        query = query.where(assessment.c.status.in_(statuses))
    with reading(engine) as connection:
        rows = [
            r
            for r in connection.execute(query.order_by(assessment.c.id.desc()))
            if _may_read(connection, actor, r)
        ]
    columns = [
        "id",
        "unit_id",
        "cycle_id",
        "cycle_label",
        "respondent",
        "role",
        "mode",
        "status",
        "status_comment",
        "row_version",
        "workshop_id",
        "updated_at",
        "submitted_at",
    ]
    return pd.DataFrame([{c: r._mapping[c] for c in columns} for r in rows], columns=columns)


# Scores -------------------------------------------------------------------------------


def answers_frame(
    connection: Connection, assessment_ids: list[int], unit_id: str, cycle_label: str
) -> pd.DataFrame:
    """The stored answers of some assessments as an answer frame (respondent = assessment id)."""
    rows = connection.execute(
        select(answer.c.assessment_id, answer.c.item_id, answer.c.level, answer.c.yes).where(
            answer.c.assessment_id.in_(assessment_ids)
        )
    ).all()
    value = [
        float(r.level) if r.level is not None else (float(r.yes) if r.yes is not None else np.nan)
        for r in rows
    ]
    return pd.DataFrame(
        {
            "unit": pd.Categorical([unit_id] * len(rows)),
            "cycle": pd.Categorical([cycle_label] * len(rows)),
            "respondent": pd.Categorical([str(r.assessment_id) for r in rows]),
            "item": pd.Categorical([r.item_id for r in rows]),
            "value": np.array(value, dtype="float64"),
        }
    )


def store_assessment_scores(connection: Connection, row: Any, questionnaire: Questionnaire) -> None:
    frame = answers_frame(connection, [row.id], row.unit_id, row.cycle_label)
    result = score(questionnaire, frame)
    coverage = dict(
        zip(result.respondents["dimension"].astype(str), result.respondents["coverage"], strict=True)
    )
    rows = [
        {
            "assessment_id": row.id,
            "dimension_id": str(r.dimension),
            "score": _number(r.score),
            "level": _integer(r.level),
            "coverage": coverage.get(str(r.dimension)) if str(r.dimension) != OVERALL else None,
        }
        for r in result.table().itertuples()
    ]
    connection.execute(delete(assessment_score).where(assessment_score.c.assessment_id == row.id))
    connection.execute(insert(assessment_score), rows)


def many_scores(frame: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """Many assessments' scores in one pass, each as `store_assessment_scores` stores it.

    `frame`: one row per answer, columns key (one value per assessment), item and value (as in
    an answer frame). Returns key, dimension_id, score, level and coverage (None for overall
    and for a dimension answered too thinly to score)."""
    columns = ["key", "dimension_id", "score", "level", "coverage"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    codes, keys = pd.factorize(frame["key"])
    names = [str(n) for n in range(len(keys))]
    answers = pd.DataFrame(
        {
            "unit": pd.Categorical.from_codes(codes, names),
            "cycle": pd.Categorical(["c"] * len(codes)),
            "respondent": pd.Categorical(["r"] * len(codes)),
            "item": pd.Categorical(frame["item"].astype(str)),
            "value": frame["value"].to_numpy(dtype="float64"),
        }
    )
    result = score(questionnaire, answers)
    table = result.table()
    table["dimension_id"] = table["dimension"].astype(str)
    covered = result.respondents.assign(
        unit=result.respondents["unit"].astype(str), dimension_id=result.respondents["dimension"].astype(str)
    )[["unit", "dimension_id", "coverage"]]
    table = table.merge(covered, how="left", on=["unit", "dimension_id"])
    table["key"] = keys.take(table["unit"].astype(int).to_numpy())
    table["level"] = table["level"].astype("Int64")
    return table[columns].astype(object).where(table[columns].notna(), None)


def stored_in(connection: Connection, pairs: set[tuple[str, int]]) -> list[Any]:
    """The assessments of the given (unit, cycle) pairs, in as few queries as the pairs allow."""
    found = []
    by_cycle: dict[int, list[str]] = {}
    for unit_id, cycle_id in pairs:
        by_cycle.setdefault(cycle_id, []).append(unit_id)
    columns = (
        assessment.c.id,
        assessment.c.unit_id,
        assessment.c.cycle_id,
        assessment.c.respondent,
        assessment.c.mode,
        assessment.c.status,
        assessment.c.questionnaire_version_id,
        assessment.c.row_version,
    )
    for cycle_id, units in by_cycle.items():
        for start in range(0, len(units), 500):
            found += connection.execute(
                select(*columns)
                .where(
                    assessment.c.cycle_id == cycle_id, assessment.c.unit_id.in_(units[start : start + 500])
                )
                .order_by(assessment.c.id)
            ).all()
    return found


# Imports, written by storage.importing's swap ---------------------------------------


def add_imported(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """An import's new assessments, under the ids reserved for them."""
    if rows:
        bulk.insert_rows(connection, assessment, list(rows[0]), [tuple(r.values()) for r in rows])


def replace_imported(
    connection: Connection, ids: list[int], status: str, version: int, moment: dt.datetime
) -> None:
    """Stored assessments an import replaces: new status, questionnaire version and row
    version, their answers and scores gone (the import's staged ones follow)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        connection.execute(
            update(assessment)
            .where(assessment.c.id.in_(chunk))
            .values(
                status=status,
                updated_at=moment,
                row_version=assessment.c.row_version + 1,
                questionnaire_version_id=version,
                submitted_at=moment if status != "draft" else None,
            )
        )
        connection.execute(delete(answer).where(answer.c.assessment_id.in_(chunk)))
        connection.execute(delete(assessment_score).where(assessment_score.c.assessment_id.in_(chunk)))


def adopt_staged(
    connection: Connection, stage: str, actor_id: str, moment: dt.datetime, scored: bool
) -> None:
    """An import's staged answers (and scores) into place, in one statement each."""
    connection.execute(
        text(
            "INSERT INTO answer (assessment_id, item_id, level, yes, dont_know, comment, evidence, "
            "updated_by, updated_at) SELECT assessment_id, item_id, level, yes, dont_know, comment, "
            "NULL, :actor, :at FROM staged_answer WHERE stage_id = :stage"
        ),
        {"stage": stage, "actor": actor_id, "at": moment},
    )
    if scored:
        connection.execute(
            text(
                "INSERT INTO assessment_score (assessment_id, dimension_id, score, level, coverage) "
                "SELECT assessment_id, dimension_id, score, level, coverage FROM staged_score "
                "WHERE stage_id = :stage"
            ),
            {"stage": stage},
        )


def store_unit_results(
    connection: Connection,
    pairs: set[tuple[str, int]],
    results: list[dict[str, Any]],
    changed: set[tuple[str, int]],
) -> None:
    """An import's units' results: the ones it computed, or computed again here where the
    units' other assessments (`changed`) changed since."""
    by_cycle: dict[int, list[str]] = {}
    for unit_id, cycle_id in pairs:
        by_cycle.setdefault(cycle_id, []).append(unit_id)
    for cycle_id, units in by_cycle.items():
        for start in range(0, len(units), 500):
            connection.execute(
                delete(unit_result).where(
                    unit_result.c.cycle_id == cycle_id, unit_result.c.unit_id.in_(units[start : start + 500])
                )
            )
    kept = [r for r in results if (r["unit_id"], r["cycle_id"]) not in changed]
    for start in range(0, len(kept), 20_000):
        connection.execute(insert(unit_result), kept[start : start + 20_000])
    for unit_id, cycle_id in sorted(changed):
        refresh_unit_result(connection, unit_id, cycle_id)


def load_results(connection: Connection, results: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """Write units' results and the assessment rows that stand for them, without answers
    (a benchmark tier's history: results computed elsewhere by `scoring`). The caller
    rebuilds the rollups."""
    if results:
        connection.execute(insert(unit_result), results)
    if rows:
        connection.execute(insert(assessment), rows)


def load_history(
    connection: Connection,
    rows: list[dict[str, Any]],
    answers: list[dict[str, Any]],
    questionnaire: Questionnaire,
    version: int,
) -> dict[tuple[str, int, str], int]:
    """Write many assessments at once with their answers, scores and units' results, as if
    each had gone through the form (a history loaded in bulk: the demo's years). `rows` are
    assessment rows without ids; `answers` carry the assessment's key (unit_id, cycle_id,
    respondent) as `key`. Returns each key's new id. The caller rebuilds the rollups."""
    for start in range(0, len(rows), 5_000):
        connection.execute(insert(assessment), rows[start : start + 5_000])
    found = stored_in(connection, {(r["unit_id"], r["cycle_id"]) for r in rows})
    ids = {(r.unit_id, r.cycle_id, r.respondent): r.id for r in found}
    connection.execute(
        insert(answer),
        [{k: v for k, v in a.items() if k != "key"} | {"assessment_id": ids[a["key"]]} for a in answers],
    )
    frame = pd.DataFrame(
        {
            "key": [ids[a["key"]] for a in answers],
            "item": [a["item_id"] for a in answers],
            "value": [
                float(a["level"])
                if a["level"] is not None
                else float(a["yes"])
                if a["yes"] is not None
                else np.nan
                for a in answers
            ],
        }
    )
    counted_ids = {r.id for r in found if r.status in COUNTED}
    scores = many_scores(frame[frame["key"].isin(counted_ids)], questionnaire)
    if not scores.empty:
        connection.execute(
            insert(assessment_score),
            [
                {
                    "assessment_id": r.key,
                    "dimension_id": r.dimension_id,
                    "score": r.score,
                    "level": r.level,
                    "coverage": r.coverage,
                }
                for r in scores.itertuples(index=False)
            ],
        )
    by_pair: dict[tuple[str, int], list[Any]] = {}
    for r in found:
        by_pair.setdefault((r.unit_id, r.cycle_id), []).append(r)
    counted = {pair: choose_counted(members) for pair, members in by_pair.items()}
    chosen = {r.id: (pair, r.status) for pair, members in counted.items() for r in members}
    labels = dict(connection.execute(select(cycle.c.id, cycle.c.label)).all())
    part = frame[frame["key"].isin(chosen)]
    if part.empty:
        return ids
    units = [chosen[k][0][0] for k in part["key"]]
    cycles = [labels[chosen[k][0][1]] for k in part["key"]]
    result = score(
        questionnaire,
        pd.DataFrame(
            {
                "unit": pd.Categorical(units),
                "cycle": pd.Categorical(cycles),
                "respondent": pd.Categorical(part["key"].astype(str)),
                "item": pd.Categorical(part["item"]),
                "value": part["value"].to_numpy(),
            }
        ),
        roadmap_for(connection, version),
    )
    made = result_rows(
        result, {u: u for u, _ in counted}, {labels[c]: c for _, c in counted}, version, "submitted"
    )
    for row in made:
        if all(r.status == "validated" for r in counted[(row["unit_id"], row["cycle_id"])]):
            row["status"] = "validated"
    connection.execute(insert(unit_result), made)
    return ids


def refresh_unit_result(connection: Connection, unit_id: str, cycle_id: int) -> None:
    """Recompute the unit's stored result for a cycle from its counted assessments.

    Counted: submitted or validated ones; consensus assessments when there are any
    (a workshop's agreed answers), otherwise every individual one. When the counted
    assessments used different questionnaire versions, the newest version's count.
    """
    _lock_unit_cycle(connection, unit_id, cycle_id)
    connection.execute(
        delete(unit_result).where(unit_result.c.unit_id == unit_id, unit_result.c.cycle_id == cycle_id)
    )
    counted = counted_assessments(connection, unit_id, cycle_id)
    if not counted:
        rollup.refresh(connection, unit_id, cycle_id)
        return
    version = counted[0].questionnaire_version_id
    questionnaire = questionnaire_of(connection, version)
    roadmap = roadmap_for(connection, version)
    frame = answers_frame(connection, [r.id for r in counted], unit_id, counted[0].label)
    result = score(questionnaire, frame, roadmap)
    status = "validated" if all(r.status == "validated" for r in counted) else "submitted"
    connection.execute(
        insert(unit_result),
        result_rows(result, {unit_id: unit_id}, {counted[0].label: cycle_id}, version, status),
    )
    rollup.refresh(connection, unit_id, cycle_id)


def result_rows(
    result: ScoreResult, unit_ids: dict[str, str], cycle_ids: dict[str, int], version: int, status: str
) -> list[dict[str, Any]]:
    """The rows of unit_result for a score result."""
    moment = audit.now()
    table = result.table()
    return [
        {
            "cycle_id": cycle_ids[r.cycle],
            "unit_id": unit_ids[r.unit],
            "dimension_id": str(r.dimension),
            "questionnaire_version_id": version,
            "score": _number(r.score),
            "level": _integer(r.level),
            "respondents": int(r.respondents),
            "spread": _number(r.spread),
            "stage": _integer(getattr(r, "stage", None)),
            "journey": _number(getattr(r, "journey", None)),
            "status": status,
            "computed_at": moment,
        }
        for r in table.itertuples()
    ]


def counted_assessments(connection: Connection, unit_id: str, cycle_id: int) -> list[Any]:
    """The assessments a unit's result rests on: submitted or validated; the consensus ones
    when there are any (a workshop's agreed answers), otherwise every individual one; of
    those, the ones answered with the newest questionnaire version."""
    return counted_by_cycle(connection, unit_id, cycle_id).get(cycle_id, [])


def counted_by_cycle(
    connection: Connection, unit_id: str, cycle_id: int | None = None
) -> dict[int, list[Any]]:
    """`counted_assessments` for every cycle of the unit (or one), in one query."""
    query = (
        select(
            assessment.c.id,
            assessment.c.cycle_id,
            assessment.c.mode,
            assessment.c.status,
            assessment.c.questionnaire_version_id,
            cycle.c.label,
        )
        .join(cycle, cycle.c.id == assessment.c.cycle_id)
        .where(assessment.c.unit_id == unit_id, assessment.c.status.in_(COUNTED))
        .order_by(assessment.c.id)
    )
    if cycle_id is not None:
        query = query.where(assessment.c.cycle_id == cycle_id)
    by_cycle: dict[int, list[Any]] = {}
    for row in connection.execute(query).all():
        by_cycle.setdefault(row.cycle_id, []).append(row)
    return {key: choose_counted(rows) for key, rows in by_cycle.items()}


def choose_counted(rows: list[Any]) -> list[Any]:
    """Of one unit's assessments in one cycle (rows or dicts with mode, status and
    questionnaire_version_id), those its result rests on: see `counted_assessments`."""

    def get(row: Any, name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    done = [r for r in rows if get(r, "status") in COUNTED]
    chosen = [r for r in done if get(r, "mode") == "consensus"] or done
    if not chosen:
        return []
    version = max(get(r, "questionnaire_version_id") for r in chosen)
    return [r for r in chosen if get(r, "questionnaire_version_id") == version]


def _lock_unit_cycle(connection: Connection, unit_id: str, cycle_id: int) -> None:
    """Serialise recomputations of one unit's result (SQLite serialises all writes anyway)."""
    if not is_sqlite(connection.engine):
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"unit_result/{unit_id}/{cycle_id}"}
        )


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _integer(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def count_assessments(engine: Engine, status: str | None = None) -> int:
    with reading(engine) as connection:
        query = select(func.count()).select_from(assessment)
        if status:
            query = query.where(assessment.c.status == status)
        return int(connection.execute(query).scalar_one())


def consensus_statuses(
    engine: Engine, actor: Actor, unit_ids: list[str], cycle_id: int
) -> dict[str, dict[str, Any]]:
    """For each of the units the actor leads: its consensus assessment's status, comment and
    how many questions are answered, in one read (for the start page's to-do list)."""
    answered = (
        select(answer.c.assessment_id, func.count().label("answered"))
        .where((answer.c.level.is_not(None)) | (answer.c.yes.is_not(None)) | answer.c.dont_know.is_(True))
        .group_by(answer.c.assessment_id)
        .subquery()
    )
    with reading(engine) as connection:
        allowed = [u for u in unit_ids if may(connection, actor, "assess", u)]
        rows = connection.execute(
            select(
                assessment.c.unit_id, assessment.c.status, assessment.c.status_comment, answered.c.answered
            )
            .join(answered, answered.c.assessment_id == assessment.c.id, isouter=True)
            .where(
                assessment.c.unit_id.in_(allowed),
                assessment.c.cycle_id == cycle_id,
                assessment.c.mode == "consensus",
            )
            .order_by(assessment.c.id.desc())
        ).all()
    return {
        r.unit_id: {"status": r.status, "comment": r.status_comment, "answered": int(r.answered or 0)}
        for r in rows
    }
