"""Team workshops the MaPSaF way, in three phases the leader moves through.

1. Rating: participants open the leader's link (or type its code) on their own phones and
   rate privately. Each device is one participant, known only by a secret kept in its link
   and a cookie (stored here as a hash). The leader sees how many joined and sent in.
2. Reveal: the leader closes the round once at least three have sent in. Their ratings are
   counted into an anonymous distribution per item (how many chose each level) and then
   deleted; nothing later changes the distribution.
3. Agreement: the leader records the agreed level and rationale per item in the unit's
   consensus assessment. Sending that in closes the workshop.

Participants are never respondents of the unit: the unit's result is the agreed answers.
Their ratings are not written to the audit log (it keeps that they joined and sent in).
Joining by code is rate-limited per client, and a workshop takes no more participants than
the leader expects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from scoring.workshop import answer_key, count
from storage import audit
from storage.actors import Actor
from storage.assessments import Answer, ensure_consensus, on_consensus_submitted
from storage.db import reading, writing
from storage.definitions import questionnaire_of, questionnaire_version_for
from storage.errors import InvalidInput, NotFound, ServiceError
from storage.permissions import may, require
from storage.tables import (
    cycle,
    join_attempt,
    org_unit_version,
    workshop,
    workshop_distribution,
    workshop_participant,
    workshop_rating,
)

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (workshop, workshop_participant, workshop_rating, workshop_distribution, join_attempt)

MIN_PARTICIPANTS = 3  # fewer, and one person's answers could be read off the distribution
MAX_PARTICIPANTS = 200
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I
CODE_LENGTH = 6
MAX_FAILED_JOINS = 10  # wrong codes per client within JOIN_WINDOW
JOIN_WINDOW = dt.timedelta(minutes=15)
PARTICIPANT = "deltaker"  # the audit log's name for an anonymous participant
MIN_SECRET = 16  # characters of a device's secret (token_urlsafe(18) gives 24)
MAX_SECRET = 64  # a longer one proposed by a device is not kept: the app makes its own


@dataclass(frozen=True)
class WorkshopInfo:
    """A workshop as its leader sees it."""

    id: int
    unit_id: str
    cycle_id: int
    code: str
    token: str | None
    status: str
    phase: str
    expected: int | None
    consensus_assessment_id: int | None
    questionnaire_version_id: int


@dataclass(frozen=True)
class Progress:
    joined: int
    submitted: int
    expected: int | None


@dataclass(frozen=True)
class Invitation:
    """What a participant's link opens: which unit and cycle, and where the workshop is."""

    workshop_id: int
    unit_name_nb: str
    unit_name_en: str
    cycle_label: str
    status: str
    phase: str
    questionnaire_version_id: int

    @property
    def rating(self) -> bool:
        return self.status == "open" and self.phase == "rating"


@dataclass(frozen=True)
class Participation:
    """One device's part in a workshop: its private ratings until it sends them in."""

    participant_id: int
    submitted: bool
    ratings: dict[str, Answer] = field(default_factory=dict)


@dataclass(frozen=True)
class Distribution:
    """The revealed ratings of a workshop: item -> answer key -> how many."""

    workshop_id: int
    participants: int
    counts: dict[str, dict[str, int]]
    revealed_at: Any = None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """A code as typed, in the form it is stored: capitals, no spaces or dashes."""
    return "".join(c for c in code.upper() if c.isalnum())


def _new_code(connection: Connection) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if connection.execute(select(workshop.c.id).where(workshop.c.code == code)).first() is None:
            return code


def _info(row: Any) -> WorkshopInfo:
    return WorkshopInfo(
        row.id,
        row.unit_id,
        row.cycle_id,
        row.code,
        row.token,
        row.status,
        row.phase,
        row.expected,
        row.consensus_assessment_id,
        row.questionnaire_version_id,
    )


def _check_expected(expected: int) -> None:
    if not MIN_PARTICIPANTS <= expected <= MAX_PARTICIPANTS:
        raise InvalidInput(
            detail=f"expect between {MIN_PARTICIPANTS} and {MAX_PARTICIPANTS} participants",
            detail_nb=f"forvent mellom {MIN_PARTICIPANTS} og {MAX_PARTICIPANTS} deltakere",
        )


# The leader's side ------------------------------------------------------------------------


def start_workshop(engine: Engine, actor: Actor, unit_id: str, cycle_id: int, expected: int) -> WorkshopInfo:
    """Open a workshop for the unit in the cycle (or return the one already open).

    Refused when the unit's assessment for the cycle has been sent in: the agreement is
    recorded in that assessment, so it must still be a draft.
    """
    _check_expected(expected)
    with writing(engine) as connection:
        require(connection, actor, "hold_workshop", unit_id)
        existing = _open_row(connection, unit_id, cycle_id)
        if existing is not None:
            return _info(existing)
        consensus_id = ensure_consensus(connection, actor, unit_id, cycle_id)
        token = secrets.token_urlsafe(24)
        values = {
            "unit_id": unit_id,
            "cycle_id": cycle_id,
            "questionnaire_version_id": questionnaire_version_for(connection, cycle_id),
            "code": _new_code(connection),
            "token": token,
            "token_hash": _hash(token),
            "status": "open",
            "phase": "rating",
            "expected": expected,
            "created_by": actor.user_id,
            "created_at": audit.now(),
            "consensus_assessment_id": consensus_id,
        }
        workshop_id = int(connection.execute(insert(workshop).values(**values)).inserted_primary_key[0])
        audit.record(
            connection,
            actor.user_id,
            "create",
            "workshop",
            workshop_id,
            None,
            {k: v for k, v in values.items() if k not in ("token", "token_hash", "code")},
        )
        return _info(connection.execute(select(workshop).where(workshop.c.id == workshop_id)).one())


def _open_row(connection: Connection, unit_id: str, cycle_id: int) -> Any:
    return connection.execute(
        select(workshop).where(
            workshop.c.unit_id == unit_id, workshop.c.cycle_id == cycle_id, workshop.c.status == "open"
        )
    ).first()


def find_open_workshop(engine: Engine, actor: Actor, unit_id: str, cycle_id: int) -> WorkshopInfo | None:
    """The unit's open workshop in the cycle, for a leader of the unit; None otherwise."""
    with reading(engine) as connection:
        if not may(connection, actor, "hold_workshop", unit_id):
            return None
        row = _open_row(connection, unit_id, cycle_id)
    return None if row is None else _info(row)


def set_expected(engine: Engine, actor: Actor, workshop_id: int, expected: int) -> None:
    """Change how many participants the leader expects (and lets join)."""
    _check_expected(expected)
    with writing(engine) as connection:
        row = _leader_row(connection, actor, workshop_id)
        if row.status != "open":
            raise ServiceError("workshop_closed")
        connection.execute(update(workshop).where(workshop.c.id == row.id).values(expected=expected))
        audit.record(
            connection,
            actor.user_id,
            "update",
            "workshop",
            row.id,
            {"expected": row.expected},
            {"expected": expected},
        )


def workshop_progress(engine: Engine, actor: Actor, workshop_id: int) -> Progress:
    """How many devices joined and how many sent in; never what anyone answered."""
    with reading(engine) as connection:
        row = _leader_row(connection, actor, workshop_id)
        joined, submitted = connection.execute(
            select(func.count(), func.count(workshop_participant.c.submitted_at)).where(
                workshop_participant.c.workshop_id == row.id
            )
        ).one()
    return Progress(int(joined), int(submitted), row.expected)


def reveal(engine: Engine, actor: Actor, workshop_id: int) -> Distribution:
    """Close the rating round: count the sent-in ratings into the distribution, delete every
    private rating, and move to the agreement. Refused below three sent-in participants."""
    with writing(engine) as connection:
        row = _leader_row(connection, actor, workshop_id)
        if row.status != "open":
            raise ServiceError("workshop_closed")
        if row.phase != "rating":
            raise ServiceError("wrong_phase")
        submitted = select(workshop_participant.c.id).where(
            workshop_participant.c.workshop_id == row.id, workshop_participant.c.submitted_at.is_not(None)
        )
        participants = len(connection.execute(submitted).all())
        if participants < MIN_PARTICIPANTS:
            raise ServiceError("too_few_ratings", minimum=MIN_PARTICIPANTS, n=participants)
        ratings = connection.execute(
            select(workshop_rating).where(workshop_rating.c.participant_id.in_(submitted))
        ).all()
        by_item: dict[str, list[str | None]] = {}
        for rating in ratings:
            by_item.setdefault(rating.item_id, []).append(
                answer_key(rating.level, rating.yes, bool(rating.dont_know))
            )
        counts = {item_id: count(keys) for item_id, keys in by_item.items()}
        rows = [
            {"workshop_id": row.id, "item_id": item_id, "answer": key, "count": n}
            for item_id, counted in counts.items()
            for key, n in counted.items()
        ]
        if rows:
            connection.execute(insert(workshop_distribution), rows)
        _forget_ratings(connection, row.id)
        moment = audit.now()
        connection.execute(
            update(workshop)
            .where(workshop.c.id == row.id)
            .values(phase="revealed", revealed_at=moment, participants=participants)
        )
        audit.record(
            connection,
            actor.user_id,
            "reveal",
            "workshop",
            row.id,
            {"phase": "rating"},
            {"phase": "revealed", "participants": participants, "distribution": counts},
        )
    return Distribution(row.id, participants, counts, moment)


def distribution(engine: Engine, actor: Actor, workshop_id: int) -> Distribution | None:
    """The revealed distribution of a workshop (None before the reveal), for those who may
    read the unit's results."""
    with reading(engine) as connection:
        row = _row_for(connection, actor, workshop_id, "read_results")
        return _distribution(connection, row)


def latest_distribution(engine: Engine, actor: Actor, unit_id: str, cycle_id: int) -> Distribution | None:
    """The distribution of the unit's latest revealed workshop in the cycle, if any."""
    with reading(engine) as connection:
        require(connection, actor, "read_results", unit_id)
        row = connection.execute(
            select(workshop)
            .where(
                workshop.c.unit_id == unit_id, workshop.c.cycle_id == cycle_id, workshop.c.phase == "revealed"
            )
            .order_by(workshop.c.revealed_at.desc(), workshop.c.id.desc())
        ).first()
        return None if row is None else _distribution(connection, row)


def _distribution(connection: Connection, row: Any) -> Distribution | None:
    if row.phase != "revealed":
        return None
    counts: dict[str, dict[str, int]] = {}
    for found in connection.execute(
        select(workshop_distribution).where(workshop_distribution.c.workshop_id == row.id)
    ):
        counts.setdefault(found.item_id, {})[found.answer] = int(found.count)
    return Distribution(row.id, int(row.participants or 0), counts, row.revealed_at)


def close_workshop(engine: Engine, actor: Actor, workshop_id: int) -> None:
    """Close the workshop: its link and code stop working at once. Ratings not yet revealed
    are deleted unseen."""
    with writing(engine) as connection:
        row = _leader_row(connection, actor, workshop_id)
        if row.status == "closed":
            return
        _close(connection, actor.user_id, row)


def load_history(connection: Connection, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write many past workshops at once, each as its leader left it (a history loaded in
    bulk: the demo's years). A record: unit_id, cycle_id, questionnaire_version_id,
    consensus_assessment_id, created_by, created_at, revealed_at, closed_at (None while
    open), expected, participants (their (joined_at, submitted_at)), and counts (item ->
    answer -> how many, as the reveal counts them). Nothing private is kept, as after a
    reveal. Returns audit entries for the caller to append."""
    codes = set(connection.execute(select(workshop.c.code)).scalars())
    entries: list[dict[str, Any]] = []
    for record in records:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        while code in codes:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        codes.add(code)
        token = secrets.token_urlsafe(24)
        participants = record["participants"]
        workshop_id = int(
            connection.execute(
                insert(workshop).values(
                    unit_id=record["unit_id"],
                    cycle_id=record["cycle_id"],
                    questionnaire_version_id=record["questionnaire_version_id"],
                    code=code,
                    token=token,
                    token_hash=_hash(token),
                    status="open" if record["closed_at"] is None else "closed",
                    phase="revealed",
                    expected=record["expected"],
                    created_by=record["created_by"],
                    created_at=record["created_at"],
                    closed_at=record["closed_at"],
                    revealed_at=record["revealed_at"],
                    participants=len(participants),
                    consensus_assessment_id=record["consensus_assessment_id"],
                )
            ).inserted_primary_key[0]
        )
        connection.execute(
            insert(workshop_participant),
            [
                {
                    "workshop_id": workshop_id,
                    "secret_hash": _hash(secrets.token_urlsafe(18)),
                    "joined_at": joined,
                    "submitted_at": submitted,
                }
                for joined, submitted in participants
            ],
        )
        connection.execute(
            insert(workshop_distribution),
            [
                {"workshop_id": workshop_id, "item_id": item_id, "answer": key, "count": n}
                for item_id, counted in record["counts"].items()
                for key, n in counted.items()
            ],
        )
        who = record["created_by"]
        entries += [
            _entry(record["created_at"], who, "create", workshop_id, None, {"expected": record["expected"]}),
            _entry(
                record["revealed_at"],
                who,
                "reveal",
                workshop_id,
                {"phase": "rating"},
                {"phase": "revealed", "participants": len(participants), "distribution": record["counts"]},
            ),
        ]
        if record["closed_at"] is not None:
            entries.append(
                _entry(
                    record["closed_at"], who, "close", workshop_id, {"status": "open"}, {"status": "closed"}
                )
            )
    return entries


def _entry(
    at: dt.datetime, actor: str, action: str, workshop_id: int, before: Any, after: Any
) -> dict[str, Any]:
    return {
        "at": at,
        "actor": actor,
        "action": action,
        "entity": "workshop",
        "entity_id": workshop_id,
        "before": before,
        "after": after,
    }


@on_consensus_submitted
def close_for_unit(connection: Connection, actor: Actor, unit_id: str, cycle_id: int) -> None:
    """Close the unit's open workshops in the cycle (its assessment was just sent in)."""
    for row in connection.execute(
        select(workshop).where(
            workshop.c.unit_id == unit_id, workshop.c.cycle_id == cycle_id, workshop.c.status == "open"
        )
    ).all():
        _close(connection, actor.user_id, row)


def _close(connection: Connection, actor_id: str, row: Any) -> None:
    _forget_ratings(connection, row.id)
    connection.execute(
        update(workshop).where(workshop.c.id == row.id).values(status="closed", closed_at=audit.now())
    )
    audit.record(
        connection, actor_id, "close", "workshop", row.id, {"status": row.status}, {"status": "closed"}
    )


def _forget_ratings(connection: Connection, workshop_id: int) -> None:
    participants = select(workshop_participant.c.id).where(workshop_participant.c.workshop_id == workshop_id)
    connection.execute(delete(workshop_rating).where(workshop_rating.c.participant_id.in_(participants)))


def _leader_row(connection: Connection, actor: Actor, workshop_id: int) -> Any:
    return _row_for(connection, actor, workshop_id, "hold_workshop")


def _row_for(connection: Connection, actor: Actor, workshop_id: int, action: str) -> Any:
    """The workshop's row, if it exists and the actor may take `action` on its unit."""
    row = connection.execute(select(workshop).where(workshop.c.id == workshop_id)).first()
    if row is None:
        raise NotFound(what="workshop", what_nb="arbeidsmøtet", id=workshop_id)
    require(connection, actor, action, row.unit_id)
    return row


# The participants' side: no user, only the workshop's link token and the device's secret --


def join_by_code(engine: Engine, code: str, client: str) -> str:
    """The link token of the open workshop a code opens. A client that has typed too many
    wrong codes lately must wait: six characters are guessable only at machine speed."""
    wanted = normalise_code(code)
    moment = audit.now()
    with writing(engine) as connection:
        connection.execute(delete(join_attempt).where(join_attempt.c.at < moment - JOIN_WINDOW))
        failed = connection.execute(
            select(func.count()).where(
                join_attempt.c.client == client,
                join_attempt.c.ok.is_(False),
                join_attempt.c.at >= moment - JOIN_WINDOW,
            )
        ).scalar_one()
        if failed >= MAX_FAILED_JOINS:
            refused: ServiceError | None = ServiceError(
                "too_many_attempts", minutes=int(JOIN_WINDOW.total_seconds() // 60)
            )
            row = None
        else:
            refused = None
            row = connection.execute(
                select(workshop.c.token, workshop.c.phase).where(
                    workshop.c.code == wanted, workshop.c.status == "open", workshop.c.token.is_not(None)
                )
            ).first()
            connection.execute(
                insert(join_attempt).values(client=client[:100], at=moment, ok=row is not None)
            )
    # raised after the block, so the attempt is kept
    if refused is not None:
        raise refused
    if row is None:
        raise NotFound(what="workshop", what_nb="arbeidsmøtet", id=wanted)
    return str(row.token)


def invitation(engine: Engine, token: str) -> Invitation:
    """The workshop a link token opens, open or closed; NotFound for an unknown token."""
    with reading(engine) as connection:
        row = _by_token(connection, token)
        return _invitation(connection, row)


def _by_token(connection: Connection, token: str) -> Any:
    row = connection.execute(select(workshop).where(workshop.c.token_hash == _hash(token.strip()))).first()
    if row is None:
        raise NotFound(what="workshop", what_nb="arbeidsmøtet", id="")
    return row


def _invitation(connection: Connection, row: Any) -> Invitation:
    day = connection.execute(select(cycle.c.label, cycle.c.starts_on).where(cycle.c.id == row.cycle_id)).one()
    name = connection.execute(
        select(org_unit_version.c.name_nb, org_unit_version.c.name_en)
        .where(org_unit_version.c.unit_id == row.unit_id)
        .order_by(org_unit_version.c.valid_to.is_(None).desc(), org_unit_version.c.valid_from.desc())
    ).first()
    nb, en = (name.name_nb, name.name_en) if name is not None else (row.unit_id, row.unit_id)
    return Invitation(row.id, nb, en, day.label, row.status, row.phase, row.questionnaire_version_id)


def distribution_for_participants(engine: Engine, token: str) -> Distribution | None:
    """The revealed distribution of the workshop a link opens: the group looks at it together."""
    with reading(engine) as connection:
        return _distribution(connection, _by_token(connection, token))


def participation(engine: Engine, token: str, secret: str | None) -> Participation | None:
    """The device's part in the workshop the token opens, if its secret belongs to it."""
    if not secret:
        return None
    with reading(engine) as connection:
        row = _by_token(connection, token)
        return _participation(connection, row, secret)


def _participation(connection: Connection, row: Any, secret: str) -> Participation | None:
    found = connection.execute(
        select(workshop_participant).where(
            workshop_participant.c.secret_hash == _hash(secret), workshop_participant.c.workshop_id == row.id
        )
    ).first()
    if found is None:
        return None
    ratings = {
        r.item_id: Answer(r.item_id, r.level, r.yes, bool(r.dont_know))
        for r in connection.execute(
            select(workshop_rating).where(workshop_rating.c.participant_id == found.id)
        )
    }
    return Participation(found.id, found.submitted_at is not None, ratings)


def join(engine: Engine, token: str, secret: str | None = None) -> tuple[str, Participation]:
    """Join the workshop from a device: its secret and its part. A device that already joined
    (its secret given) gets its own part back and adds no participant; a new one is refused
    once the round is over or as many have joined as the leader expects. A new participant
    keeps the secret the device proposes (so asking twice cannot make two), unless it is too
    short, too long or taken."""
    with writing(engine) as connection:
        row = _by_token(connection, token)
        if secret and (found := _participation(connection, row, secret)) is not None:
            return secret, found
        if row.status != "open":
            raise ServiceError("workshop_closed")
        if row.phase != "rating":
            raise ServiceError("round_closed")
        joined = connection.execute(
            select(func.count()).where(workshop_participant.c.workshop_id == row.id)
        ).scalar_one()
        if row.expected is not None and joined >= row.expected:
            raise ServiceError("workshop_full", expected=row.expected)
        taken = secret is not None and (
            connection.execute(
                select(workshop_participant.c.id).where(workshop_participant.c.secret_hash == _hash(secret))
            ).first()
            is not None
        )
        if not secret or not MIN_SECRET <= len(secret) <= MAX_SECRET or taken:
            secret = secrets.token_urlsafe(18)
        participant_id = int(
            connection.execute(
                insert(workshop_participant).values(
                    workshop_id=row.id, secret_hash=_hash(secret), joined_at=audit.now()
                )
            ).inserted_primary_key[0]
        )
        audit.record(connection, PARTICIPANT, "join", "workshop", row.id, None, {"joined": joined + 1})
    return secret, Participation(participant_id, False, {})


def save_rating(
    engine: Engine,
    token: str,
    secret: str,
    item_id: str,
    *,
    level: int | None = None,
    yes: bool | None = None,
    dont_know: bool = False,
) -> None:
    """Save one private rating: a level, yes/no, or "vet ikke"."""
    save_ratings(engine, token, secret, [Answer(item_id, level, yes, dont_know)])


def save_ratings(engine: Engine, token: str, secret: str, ratings: list[Answer]) -> None:
    """Save private ratings in one transaction. Not audited: they are deleted when the round
    closes, and the audit log must not keep one person's answers."""
    with writing(engine) as connection:
        row, part = _rating_part(connection, token, secret)
        questionnaire = questionnaire_of(connection, row.questionnaire_version_id)
        for rating in ratings:
            _check_rating(questionnaire, rating)
        wanted = {r.item_id for r in ratings}
        connection.execute(
            delete(workshop_rating).where(
                workshop_rating.c.participant_id == part.participant_id, workshop_rating.c.item_id.in_(wanted)
            )
        )
        connection.execute(
            insert(workshop_rating),
            [
                {
                    "participant_id": part.participant_id,
                    "item_id": r.item_id,
                    "level": r.level,
                    "yes": r.yes,
                    "dont_know": bool(r.dont_know),
                }
                for r in {r.item_id: r for r in ratings}.values()
            ],
        )


def _check_rating(questionnaire: Any, rating: Answer) -> None:
    item = questionnaire.item(rating.item_id)
    given = sum(x is not None for x in (rating.level, rating.yes)) + bool(rating.dont_know)
    if (
        item is None
        or given != 1
        or (item.scored and rating.yes is not None)
        or (not item.scored and rating.level is not None)
    ):
        raise InvalidInput(
            detail=f"{rating.item_id}: not an answer to this question",
            detail_nb=f"{rating.item_id}: ikke et svar på dette spørsmålet",
        )
    if rating.level is not None and rating.level not in questionnaire.levels:
        raise InvalidInput(
            detail=f"{rating.item_id}: level {rating.level} is not on the scale",
            detail_nb=f"{rating.item_id}: nivå {rating.level} finnes ikke på skalaen",
        )


def submit_rating(engine: Engine, token: str, secret: str) -> None:
    """Send in the device's ratings: every question answered ("vet ikke" counts); after this
    they cannot change."""
    with writing(engine) as connection:
        row, part = _rating_part(connection, token, secret)
        questionnaire = questionnaire_of(connection, row.questionnaire_version_id)
        missing = [i.id for i in questionnaire.items() if i.id not in part.ratings]
        if missing:
            raise ServiceError("incomplete", items=", ".join(missing), missing=missing)
        connection.execute(
            update(workshop_participant)
            .where(workshop_participant.c.id == part.participant_id)
            .values(submitted_at=audit.now())
        )
        submitted = connection.execute(
            select(func.count(workshop_participant.c.submitted_at)).where(
                workshop_participant.c.workshop_id == row.id
            )
        ).scalar_one()
        audit.record(connection, PARTICIPANT, "rate", "workshop", row.id, None, {"submitted": submitted})


def _rating_part(connection: Connection, token: str, secret: str) -> tuple[Any, Participation]:
    """The workshop and the device's part, while the device may still change its ratings."""
    row = _by_token(connection, token)
    part = _participation(connection, row, secret)
    if part is None:
        raise NotFound(what="participant", what_nb="deltakeren", id="")
    if row.status != "open":
        raise ServiceError("workshop_closed")
    if row.phase != "rating":
        raise ServiceError("round_closed")
    if part.submitted:
        raise ServiceError("rating_submitted")
    return row, part
