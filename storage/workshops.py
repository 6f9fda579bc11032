"""Team workshops: participants rate privately through a link or a short code, the leader
sees how the ratings spread (never who said what, nothing below 3 participants) and
records the agreed answers in the unit's consensus assessment.

Links carry an unguessable token (only its hash is stored); a link and a code work for
one workshop only and stop working when it closes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from storage import audit
from storage.access import Actor, Grant, holds_on_unit, require_on_unit
from storage.assessments import _start
from storage.db import reading, writing
from storage.definitions import current_questionnaire_version, questionnaire_of
from storage.errors import AccessDenied, NotFound
from storage.tables import answer, assessment, workshop

MIN_PARTICIPANTS_FOR_SPREAD = 3
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I


@dataclass
class WorkshopInfo:
    id: int
    unit_id: str
    cycle_id: int
    code: str
    status: str
    consensus_assessment_id: int | None
    token: str | None = None  # only right after the link was made


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_code(connection: Connection) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if connection.execute(select(workshop.c.id).where(workshop.c.code == code)).first() is None:
            return code


def start_workshop(engine: Engine, actor: Actor, unit_id: str, cycle_id: int) -> WorkshopInfo:
    """Open a workshop for the unit (or return the open one, with a fresh link)."""
    with writing(engine) as connection:
        require_on_unit(
            connection,
            actor,
            unit_id,
            ("leader",),
            "hold a workshop for this unit",
            "holde arbeidsmøte for enheten",
        )
        token = secrets.token_urlsafe(24)
        existing = connection.execute(
            select(workshop).where(
                workshop.c.unit_id == unit_id, workshop.c.cycle_id == cycle_id, workshop.c.status == "open"
            )
        ).first()
        if existing is not None:
            connection.execute(
                update(workshop).where(workshop.c.id == existing.id).values(token_hash=_hash(token))
            )
            audit.record(connection, actor.user_id, "new_link", "workshop", existing.id)
            return _info(existing, token)
        consensus_id = _start(
            connection, actor, unit_id, cycle_id, "consensus", actor.user_id, "enhetsleder", None, None
        )
        values = {
            "unit_id": unit_id,
            "cycle_id": cycle_id,
            "questionnaire_version_id": current_questionnaire_version(connection),
            "code": _new_code(connection),
            "token_hash": _hash(token),
            "status": "open",
            "created_by": actor.user_id,
            "created_at": audit.now(),
            "consensus_assessment_id": consensus_id,
        }
        workshop_id = int(connection.execute(insert(workshop).values(**values)).inserted_primary_key[0])
        connection.execute(
            update(assessment).where(assessment.c.id == consensus_id).values(workshop_id=workshop_id)
        )
        audit.record(
            connection,
            actor.user_id,
            "create",
            "workshop",
            workshop_id,
            None,
            {k: v for k, v in values.items() if k != "token_hash"},
        )
        row = connection.execute(select(workshop).where(workshop.c.id == workshop_id)).one()
    return _info(row, token)


def _info(row: Any, token: str | None = None) -> WorkshopInfo:
    return WorkshopInfo(
        row.id, row.unit_id, row.cycle_id, row.code, row.status, row.consensus_assessment_id, token
    )


def find_open_workshop(engine: Engine, actor: Actor, unit_id: str, cycle_id: int) -> WorkshopInfo | None:
    with reading(engine) as connection:
        if not holds_on_unit(connection, actor, unit_id, ("leader",)):
            return None
        row = connection.execute(
            select(workshop).where(
                workshop.c.unit_id == unit_id, workshop.c.cycle_id == cycle_id, workshop.c.status == "open"
            )
        ).first()
    return None if row is None else _info(row)


def join_workshop(
    engine: Engine, key: str, participant: str | None = None, role: str | None = None
) -> tuple[Actor, int]:
    """A participant's actor and own assessment for the open workshop a link token or code opens.

    `participant` is the participant's own secret (kept in their link), so a reload
    resumes the same assessment. NotFound when the key opens no open workshop.
    """
    key = key.strip()
    with writing(engine) as connection:
        row = connection.execute(
            select(workshop).where(
                (workshop.c.token_hash == _hash(key)) | (workshop.c.code == key.upper()),
                workshop.c.status == "open",
            )
        ).first()
        if row is None:
            raise NotFound(what="workshop", what_nb="arbeidsmøtet", id="")
        participant = participant or secrets.token_urlsafe(12)
        respondent = f"ws{row.id}-{participant}"
        system = Actor("participant", "", (Grant("admin"),))
        assessment_id = _start(
            connection,
            system,
            row.unit_id,
            row.cycle_id,
            "individual",
            respondent,
            role,
            row.questionnaire_version_id,
            row.id,
        )
        if role:
            connection.execute(update(assessment).where(assessment.c.id == assessment_id).values(role=role))
    return Actor(respondent, "", (Grant("participant", assessment_id=assessment_id),)), assessment_id


def workshop_progress(engine: Engine, actor: Actor, workshop_id: int) -> dict[str, int]:
    """How many participants joined and how many submitted."""
    with reading(engine) as connection:
        row = _leader_row(connection, actor, workshop_id)
        counts = dict(
            connection.execute(
                select(assessment.c.status, func.count())
                .where(assessment.c.workshop_id == row.id, assessment.c.mode == "individual")
                .group_by(assessment.c.status)
            ).all()
        )
    return {
        "joined": sum(counts.values()),
        "submitted": counts.get("submitted", 0) + counts.get("validated", 0),
    }


def workshop_spread(
    engine: Engine, actor: Actor, workshop_id: int
) -> tuple[int, dict[str, dict[Any, int]] | None]:
    """(participants who submitted, item -> {answer: count}); the counts only from 3 participants up.

    Answers are keyed by level, 'yes', 'no' or 'dk'; nothing says who answered what.
    """
    with reading(engine) as connection:
        row = _leader_row(connection, actor, workshop_id)
        submitted = (
            connection.execute(
                select(assessment.c.id).where(
                    assessment.c.workshop_id == row.id,
                    assessment.c.mode == "individual",
                    assessment.c.status.in_(("submitted", "validated")),
                )
            )
            .scalars()
            .all()
        )
        if len(submitted) < MIN_PARTICIPANTS_FOR_SPREAD:
            return len(submitted), None
        questionnaire = questionnaire_of(connection, row.questionnaire_version_id)
        rows = connection.execute(
            select(answer.c.item_id, answer.c.level, answer.c.yes, answer.c.dont_know).where(
                answer.c.assessment_id.in_(submitted)
            )
        ).all()
    spread: dict[str, dict[Any, int]] = {}
    for item in questionnaire.items():
        keys: list[Any] = [*questionnaire.levels, "dk"] if item.scored else ["yes", "no", "dk"]
        spread[item.id] = dict.fromkeys(keys, 0)
    for r in rows:
        key = "dk" if r.dont_know else (r.level if r.level is not None else ("yes" if r.yes else "no"))
        if r.item_id in spread and key in spread[r.item_id]:
            spread[r.item_id][key] += 1
    return len(submitted), spread


def close_workshop(engine: Engine, actor: Actor, workshop_id: int) -> None:
    """Close the workshop: its link and code stop working at once."""
    with writing(engine) as connection:
        row = _leader_row(connection, actor, workshop_id)
        connection.execute(
            update(workshop).where(workshop.c.id == row.id).values(status="closed", closed_at=audit.now())
        )
        audit.record(
            connection,
            actor.user_id,
            "close",
            "workshop",
            row.id,
            {"status": row.status},
            {"status": "closed"},
        )


def _leader_row(connection: Connection, actor: Actor, workshop_id: int) -> Any:
    row = connection.execute(select(workshop).where(workshop.c.id == workshop_id)).first()
    if row is None:
        raise NotFound(what="workshop", what_nb="arbeidsmøtet", id=workshop_id)
    if not holds_on_unit(connection, actor, row.unit_id, ("leader",)):
        raise AccessDenied(what="lead this workshop", what_nb="lede dette arbeidsmøtet")
    return row
