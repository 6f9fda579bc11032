"""The cycle's campaign: an e-mail inviting every unit leader when a cycle opens, reminders
before its deadline to leaders whose units have not sent in, and the record of what was sent,
which management reads for the units they reach.

- Invited: every user holding the leader role on a unit of today's tree, about the units at
  the bottom of the tree they lead (those they may assess). A user whose id is not an e-mail
  address cannot be mailed and is listed as such.
- Reminded: leaders with a unit that has not sent in (no submitted or validated assessment in
  the cycle, as storage.rollup.unit_statuses tells), about those units; up to the deadline.
- Never twice: nobody is invited twice for a cycle, nor mailed twice the same day (Norwegian
  time); a failed message is tried again by the next send.

A message is written as "sending" before it goes to the mail server (in one transaction with
the check above, under a lock, so two sends at once never both take someone) and becomes
"sent" or "failed" after; a send that was cut off mid-way leaves "sending" rows, which stop
blocking a new send after STALE. Failures (no connection, a refused recipient) are recorded
and reported, never raised.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, text, update

from storage import audit, rollup
from storage.actors import Actor
from storage.db import fetch_rows, is_sqlite, reading, writing
from storage.errors import AccessDenied, NotFound, ServiceError
from storage.mail import Letter, Mailer, address_of, compose, describe
from storage.permissions import RULES, may_somewhere, reach, require
from storage.tables import app_user, cycle, mailing, mailing_unit, org_node, role_grant

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (mailing, mailing_unit)

ASSESS_PATH = "assess"  # the self-assessment page's address under the app (views/menu.py routes it)
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
STALE = dt.timedelta(minutes=30)  # a "sending" row older than this was cut off: try again
KINDS = ("invitation", "reminder")


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name_nb: str
    name_en: str


@dataclass(frozen=True)
class Recipient:
    """A leader as a send would treat them: `state` is "due" (mailed by the next send),
    "done" (invited already, or mailed today), "sending" (another send is at it) or
    "no_address" (their user id is not an e-mail address)."""

    user_id: str
    name: str
    units: tuple[Unit, ...]
    address: str | None
    state: str
    last: dt.datetime | None  # when a message of this kind last reached them in the cycle


@dataclass(frozen=True)
class Outcome:
    """What one send did: who got the message, whose failed and why, who cannot be mailed."""

    kind: str
    sent: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    no_address: tuple[str, ...]
    already: int  # leaders left out because they were mailed before (or are being)


def local_day(moment: dt.datetime) -> dt.date:
    """The day in Norway at a stored moment (naive UTC)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(OSLO).date()


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight in Norway at the start of `day`, as naive UTC."""
    return dt.datetime.combine(day, dt.time(), OSLO).astimezone(dt.UTC).replace(tzinfo=None)


def link(public_url: str) -> str:
    """The address a leader opens: the app's public address and the self-assessment page."""
    return f"{public_url.rstrip('/')}/{ASSESS_PATH}"


# Who ---------------------------------------------------------------------------------------


def plan(engine: Engine, actor: Actor, cycle_id: int, kind: str) -> list[Recipient]:
    """The leaders an invitation or a reminder concerns in the cycle, by name, each with their
    units and what the next send would do for them."""
    require(None, actor, "send_mail")
    if kind not in KINDS:
        raise ValueError(kind)
    rollup.ensure_rollups(engine)
    waiting = _not_submitted(engine, actor, cycle_id) if kind == "reminder" else None
    now = audit.now()
    with reading(engine) as connection:
        _cycle(connection, cycle_id)
        leaders = _leaders(connection)
        blocked, last = _mailed(connection, cycle_id, kind, now)
    found = []
    for user_id, (name, units) in leaders.items():
        if waiting is not None:
            units = tuple(u for u in units if u.unit_id in waiting)
        if not units:
            continue
        address = address_of(user_id)
        state = "no_address" if address is None else blocked.get(user_id, "due")
        found.append(Recipient(user_id, name, units, address, state, last.get(user_id)))
    return sorted(found, key=lambda r: (r.name.casefold(), r.user_id))


def _cycle(connection: Connection, cycle_id: int) -> Any:
    row = connection.execute(select(cycle).where(cycle.c.id == cycle_id)).first()
    if row is None:
        raise NotFound(what="cycle", what_nb="syklusen", id=cycle_id)
    return row


def _leaders(connection: Connection) -> dict[str, tuple[str, tuple[Unit, ...]]]:
    """Every user holding the leader role on a unit of today's tree: their name and the units
    at the bottom of the tree they lead, by name. Read from the flattened tree (org_node,
    kept current by storage.rollup), as storage.results.assessable_units does."""
    _, nodes = fetch_rows(
        connection,
        select(
            org_node.c.unit_id, org_node.c.parent_id, org_node.c.name_nb, org_node.c.name_en, org_node.c.leaf
        ),
    )
    children: dict[str | None, list[str]] = {}
    units: dict[str, Unit] = {}
    leaf: set[str] = set()
    for unit_id, parent_id, name_nb, name_en, is_leaf in nodes:
        children.setdefault(parent_id, []).append(unit_id)
        units[unit_id] = Unit(unit_id, name_nb, name_en)
        if is_leaf:
            leaf.add(unit_id)

    def leaves_under(tops: list[str]) -> list[Unit]:
        found, stack, seen = [], list(tops), set()
        while stack:
            unit = stack.pop()
            if unit in seen:
                continue
            seen.add(unit)
            if unit in leaf:
                found.append(units[unit])
            stack.extend(children.get(unit, []))
        return sorted(found, key=lambda u: (u.name_nb.casefold(), u.unit_id))

    grants = connection.execute(
        select(role_grant.c.user_id, role_grant.c.unit_id, app_user.c.name)
        .join(app_user, app_user.c.id == role_grant.c.user_id)
        .where(role_grant.c.role == "leader")
    ).all()
    tops: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for user_id, unit_id, name in grants:
        names[user_id] = name
        if unit_id is None:  # a leader of the whole organisation
            tops.setdefault(user_id, []).extend(children.get(None, []))
        elif unit_id in units:
            tops.setdefault(user_id, []).append(unit_id)
    leaders = {}
    for user_id, chosen in tops.items():
        led = leaves_under(chosen)
        if led:
            leaders[user_id] = (names[user_id], tuple(led))
    return leaders


def _not_submitted(engine: Engine, actor: Actor, cycle_id: int) -> set[str]:
    """The units at the bottom of the tree that have not sent in for the cycle: whose furthest
    assessment is not submitted or validated (the start page's and the overview's rule)."""
    waiting = set()
    for top in rollup.top_nodes(engine, actor):
        for unit in rollup.unit_statuses(engine, actor, top, cycle_id, "nb"):
            if unit["status"] not in rollup.COUNTED:
                waiting.add(unit["unit_id"])
    return waiting


def _mailed(
    connection: Connection, cycle_id: int, kind: str, now: dt.datetime
) -> tuple[dict[str, str], dict[str, dt.datetime]]:
    """Who a send of `kind` must leave out now ("done" or "sending"), and when a message of
    that kind last reached each leader in the cycle."""
    rows = connection.execute(
        select(mailing.c.user_id, mailing.c.kind, mailing.c.status, mailing.c.attempted_at, mailing.c.sent_at)
        .where(mailing.c.cycle_id == cycle_id)
        .order_by(mailing.c.id)
    ).all()
    today = _day_start(local_day(now))
    blocked: dict[str, str] = {}
    last: dict[str, dt.datetime] = {}
    for row in rows:
        if row.kind == kind and row.status == "sent":
            last[row.user_id] = row.sent_at
        live = row.status == "sent" or (row.status == "sending" and row.attempted_at > now - STALE)
        if not live:
            continue
        counts = row.kind == "invitation" if kind == "invitation" else row.attempted_at >= today
        if counts and blocked.get(row.user_id) != "done":
            blocked[row.user_id] = "done" if row.status == "sent" else "sending"
    return blocked, last


# Sending -----------------------------------------------------------------------------------


def send(
    engine: Engine,
    actor: Actor,
    cycle_id: int,
    kind: str,
    mailer: Mailer | None,
    public_url: str | None,
) -> Outcome:
    """Send the cycle's invitations or reminders to every leader who is due one, through
    `mailer`, linking to `public_url`; each message is recorded as sent or failed."""
    require(None, actor, "send_mail")
    if mailer is None:
        raise ServiceError("mail_off")
    if not public_url:
        raise ServiceError("mail_no_public_url")
    with reading(engine) as connection:
        row = _cycle(connection, cycle_id)
    if row.status != "open":
        raise ServiceError("cycle_closed", cycle=row.label)
    today = local_day(audit.now())
    if row.deadline is not None and today > row.deadline:
        raise ServiceError("deadline_passed", cycle=row.label, deadline=row.deadline.strftime("%d.%m.%Y"))
    recipients = plan(engine, actor, cycle_id, kind)
    no_address = tuple(r.user_id for r in recipients if r.state == "no_address")
    messages: dict[str, tuple[Recipient, EmailMessage]] = {}
    for r in recipients:
        if r.state == "due" and r.address:
            letter = Letter(
                kind,
                r.address,
                r.name,
                row.label,
                row.deadline,
                tuple(u.name_nb for u in r.units),
                link(public_url),
            )
            try:
                messages[r.user_id] = (r, compose(letter, mailer.sender))
            except (ValueError, TypeError):  # a name or address the e-mail headers refuse
                no_address += (r.user_id,)
    claimed = _claim(engine, actor, cycle_id, kind, messages)
    already = sum(1 for r in recipients if r.state in ("done", "sending")) + len(messages) - len(claimed)
    if not claimed:
        return Outcome(kind, (), (), no_address, already)
    users = list(claimed)
    try:
        results = list(mailer.send([messages[u][1] for u in users]))
    except Exception as error:  # a mailer that raises after all: every message counts as failed
        results = [describe(error)] * len(users)
    results += ["no answer from the mailer"] * (len(users) - len(results))
    _finish(
        engine,
        actor,
        row.label,
        kind,
        [(u, claimed[u], messages[u][0], results[i]) for i, u in enumerate(users)],
    )
    return Outcome(
        kind,
        tuple(u for u, result in zip(users, results, strict=False) if result is None),
        tuple((u, result) for u, result in zip(users, results, strict=False) if result is not None),
        no_address,
        already,
    )


def _claim(
    engine: Engine,
    actor: Actor,
    cycle_id: int,
    kind: str,
    messages: dict[str, tuple[Recipient, EmailMessage]],
) -> dict[str, int]:
    """Write a "sending" row for each leader no other send has taken meanwhile; their ids."""
    if not messages:
        return {}
    claimed: dict[str, int] = {}
    with writing(engine) as connection:
        if not is_sqlite(engine):  # SQLite's writes are one at a time already
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"mailing/{cycle_id}"}
            )
        now = audit.now()
        blocked, _ = _mailed(connection, cycle_id, kind, now)
        for user_id, (recipient, _) in messages.items():
            if user_id in blocked:
                continue
            new_id = connection.execute(
                insert(mailing).values(
                    cycle_id=cycle_id,
                    user_id=user_id,
                    kind=kind,
                    status="sending",
                    units=len(recipient.units),
                    sent_by=actor.user_id,
                    attempted_at=now,
                )
            ).inserted_primary_key[0]
            connection.execute(
                insert(mailing_unit), [{"mailing_id": new_id, "unit_id": u.unit_id} for u in recipient.units]
            )
            claimed[user_id] = int(new_id)
    return claimed


def _finish(
    engine: Engine, actor: Actor, label: str, kind: str, done: list[tuple[str, int, Recipient, str | None]]
) -> None:
    """Each claimed message as sent or failed, with one audit entry each, in one transaction."""
    with writing(engine) as connection:
        moment = audit.now()
        for _, mailing_id, _, error in done:
            connection.execute(
                update(mailing)
                .where(mailing.c.id == mailing_id)
                .values(
                    status="sent" if error is None else "failed",
                    sent_at=moment if error is None else None,
                    error=error,
                )
            )
        audit.record_many(
            connection,
            actor.user_id,
            "send",
            "mailing",
            [
                (
                    mailing_id,
                    None,
                    {
                        "cycle": label,
                        "kind": kind,
                        "to": user_id,
                        "units": [u.unit_id for u in recipient.units],
                        "status": "sent" if error is None else "failed",
                        "error": error,
                    },
                )
                for user_id, mailing_id, recipient, error in done
            ],
        )


# The record --------------------------------------------------------------------------------


def record(
    engine: Engine, actor: Actor, cycle_id: int, kind: str | None = None, limit: int = 1_000
) -> list[dict[str, Any]]:
    """The messages of the cycle about units the actor may see the mailings of, newest first:
    id, kind, user_id, name, status ("interrupted" for a send cut off mid-way), attempted_at,
    sent_at, error (to those who may send only) and units (those within the actor's reach)."""
    if not may_somewhere(actor, "read_mailings"):
        rule = RULES["read_mailings"]
        raise AccessDenied(what=rule.what, what_nb=rule.what_nb)
    tops = reach(actor, "read_mailings")
    now = audit.now()
    with reading(engine) as connection:
        units = (
            select(mailing_unit.c.mailing_id, mailing_unit.c.unit_id, org_node.c.name_nb, org_node.c.name_en)
            .join(mailing, mailing.c.id == mailing_unit.c.mailing_id)
            .where(mailing.c.cycle_id == cycle_id)
        )
        if kind is not None:
            units = units.where(mailing.c.kind == kind)
        if tops is None:
            units = units.outerjoin(org_node, org_node.c.unit_id == mailing_unit.c.unit_id)
        else:
            paths = list(
                connection.execute(
                    select(org_node.c.path).where(org_node.c.unit_id.in_(sorted(tops)))
                ).scalars()
            )
            if not paths:
                return []
            units = units.join(org_node, org_node.c.unit_id == mailing_unit.c.unit_id).where(
                or_(*(org_node.c.path.startswith(p, autoescape=True) for p in paths))
            )
        about: dict[int, list[Unit]] = {}
        for r in connection.execute(units):
            about.setdefault(r.mailing_id, []).append(
                Unit(r.unit_id, r.name_nb or r.unit_id, r.name_en or r.unit_id)
            )
        if not about:
            return []
        rows = connection.execute(
            select(mailing, app_user.c.name)
            .join(app_user, app_user.c.id == mailing.c.user_id)
            .where(mailing.c.cycle_id == cycle_id, mailing.c.id.in_(sorted(about)))
            .order_by(mailing.c.attempted_at.desc(), mailing.c.id.desc())
            .limit(limit)
        ).all()
    sees_errors = may_somewhere(actor, "send_mail")
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "user_id": r.user_id,
            "name": r.name,
            "status": "interrupted" if r.status == "sending" and r.attempted_at <= now - STALE else r.status,
            "attempted_at": r.attempted_at,
            "sent_at": r.sent_at,
            "error": r.error if sees_errors else None,
            "units": sorted(about[r.id], key=lambda u: (u.name_nb.casefold(), u.unit_id)),
        }
        for r in rows
    ]


def last_reminders(engine: Engine, actor: Actor, cycle_id: int) -> list[dict[str, Any]]:
    """Per unit the actor may see the mailings of: when its leader was last reminded in the
    cycle (a reminder the mail server took), and who; by unit name."""
    latest: dict[str, dict[str, Any]] = {}
    for r in record(engine, actor, cycle_id, "reminder", limit=20_000):
        if r["status"] != "sent":
            continue
        for unit in r["units"]:
            seen = latest.get(unit.unit_id)
            if seen is None or r["sent_at"] > seen["at"]:
                latest[unit.unit_id] = {"unit": unit, "at": r["sent_at"], "leaders": {r["name"]}}
            elif r["sent_at"] == seen["at"]:
                seen["leaders"].add(r["name"])
    return [
        {
            "unit_id": v["unit"].unit_id,
            "name_nb": v["unit"].name_nb,
            "name_en": v["unit"].name_en,
            "at": v["at"],
            "leaders": sorted(v["leaders"]),
        }
        for v in sorted(latest.values(), key=lambda v: (v["unit"].name_nb.casefold(), v["unit"].unit_id))
    ]
