"""Users and their role grants: who they are, added and changed by an administrator one
by one or from an access.yaml. The roles themselves (DESIGN.md section 7):
- admin: everything;
- management of a subtree: reads submitted assessments, results and plans in it, sets targets;
- leader of given units (and their subtrees): assesses them, sees their drafts, plans actions;
- advisor of a subtree (all when no unit is given): reads submitted work, validates or returns it;
- participant of one assessment: answers that assessment while it is a draft.
What each may do is named in storage.permissions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, select

from scoring.problems import Problem
from scoring.yamlsource import format_path, parse_yaml
from storage import audit
from storage.actors import Actor, Grant
from storage.db import reading, writing
from storage.errors import ImportRejected, InvalidInput, NotFound, read_input_file
from storage.permissions import require
from storage.tables import ROLES, app_user, org_unit, role_grant

# The tables this module alone writes (tests/test_storage_shape.py).
WRITES = (app_user, role_grant)


def actor_for(engine: Engine, user_id: str) -> Actor:
    """The actor for a known user, with their grants; NotFound for an unknown user."""
    with reading(engine) as connection:
        user = connection.execute(select(app_user).where(app_user.c.id == user_id)).first()
        if user is None:
            raise NotFound(what="user", what_nb="brukeren", id=user_id)
        rows = connection.execute(
            select(role_grant.c.role, role_grant.c.unit_id, role_grant.c.assessment_id)
            .where(role_grant.c.user_id == user_id)
            .order_by(role_grant.c.id)
        ).all()
    return Actor(user_id, user.name, tuple(Grant(r.role, r.unit_id, r.assessment_id) for r in rows))


def list_users(engine: Engine) -> list[dict[str, object]]:
    """Users with a one-line summary of their roles (for the sign-in list of a demo)."""
    with reading(engine) as connection:
        users = connection.execute(select(app_user).order_by(app_user.c.id)).all()
        grants = connection.execute(select(role_grant).where(role_grant.c.role != "participant")).all()
    roles: dict[str, list[str]] = {}
    for g in grants:
        roles.setdefault(g.user_id, []).append(g.role if g.unit_id is None else f"{g.role}:{g.unit_id}")
    return [{"id": u.id, "name": u.name, "roles": roles.get(u.id, [])} for u in users]


def upsert_user(engine: Engine, actor: Actor, user_id: str, name: str, grants: Iterable[Grant]) -> None:
    """Create or update a user and replace their grants (participants' grants are kept)."""
    upsert_users(engine, actor, [(user_id, name, list(grants))])


def upsert_users(engine: Engine, actor: Actor, users: list[tuple[str, str, list[Grant]]]) -> None:
    """`upsert_user` for many (user id, name, grants) in one transaction, all or none."""
    require(None, actor, "manage_users")
    for user_id, _, grants in users:
        _check_user(user_id, grants)
    with writing(engine) as connection:
        _check_units(connection, [g for _, _, grants in users for g in grants])
        for user_id, name, grants in users:
            _upsert_user(connection, actor, user_id, name, grants)


def grant_role(engine: Engine, actor: Actor, user_id: str, name: str, grant: Grant) -> None:
    """Give a user (created if new, renamed if `name` differs) one more role, keeping theirs."""
    require(None, actor, "manage_users")
    _check_user(user_id, [grant])
    if grant.role == "participant":  # given by a workshop's link, never by hand
        raise InvalidInput(detail="unknown role 'participant'", detail_nb="ukjent rolle «participant»")
    with writing(engine) as connection:
        _check_units(connection, [grant])
        grants = _grants_of(connection, user_id)
        if grant not in grants:
            grants.append(grant)
        _upsert_user(connection, actor, user_id, name or _name_of(connection, user_id) or user_id, grants)


def revoke_role(engine: Engine, actor: Actor, user_id: str, grant: Grant) -> None:
    """Take one role from a user; the user and their other roles stay."""
    require(None, actor, "manage_users")
    with writing(engine) as connection:
        name = _name_of(connection, user_id)
        if name is None:
            raise NotFound(what="user", what_nb="brukeren", id=user_id)
        _refuse_own_admin(actor, user_id, [grant])
        grants = [g for g in _grants_of(connection, user_id) if g != grant]
        _upsert_user(connection, actor, user_id, name, grants)


def remove_user(engine: Engine, actor: Actor, user_id: str) -> None:
    """Remove a user and every role they hold; what they did stays in the audit log and in
    the assessments they made."""
    require(None, actor, "manage_users")
    with writing(engine) as connection:
        existing = connection.execute(select(app_user).where(app_user.c.id == user_id)).first()
        if existing is None:
            raise NotFound(what="user", what_nb="brukeren", id=user_id)
        before = _grants_of(connection, user_id)
        _refuse_own_admin(actor, user_id, before)
        connection.execute(delete(role_grant).where(role_grant.c.user_id == user_id))
        connection.execute(delete(app_user).where(app_user.c.id == user_id))
        audit.record(
            connection,
            actor.user_id,
            "remove",
            "user",
            user_id,
            {"name": existing.name, "grants": [{"role": g.role, "unit_id": g.unit_id} for g in before]},
            None,
        )


def _check_user(user_id: str, grants: list[Grant]) -> None:
    if not user_id or not user_id.strip() or len(user_id) > 100 or user_id != user_id.strip():
        raise InvalidInput(
            detail="a user is named by an e-mail address (or user name) of 1 to 100 characters",
            detail_nb="en bruker angis med e-postadresse (eller brukernavn) på 1 til 100 tegn",
        )
    for grant in grants:
        if grant.role not in ROLES or grant.role == "participant":
            raise InvalidInput(
                detail=f"unknown role '{grant.role}'", detail_nb=f"ukjent rolle «{grant.role}»"
            )


def _check_units(connection: Connection, grants: list[Grant]) -> None:
    wanted = {g.unit_id for g in grants if g.unit_id is not None}
    if not wanted:
        return
    known = set(connection.execute(select(org_unit.c.id).where(org_unit.c.id.in_(sorted(wanted)))).scalars())
    missing = sorted(wanted - known)
    if missing:
        raise InvalidInput(
            detail=f"no unit with the id {', '.join(missing)}",
            detail_nb=f"ingen enhet har id {', '.join(missing)}",
        )


def _refuse_own_admin(actor: Actor, user_id: str, taken: list[Grant]) -> None:
    """An administrator cannot take their own administrator role: someone must be left to
    give it back."""
    if user_id == actor.user_id and any(g.role == "admin" for g in taken):
        raise InvalidInput(
            detail="you cannot take your own administrator role; ask another administrator",
            detail_nb="du kan ikke ta fra deg din egen administratorrolle; be en annen administrator",
        )


def _grants_of(connection: Connection, user_id: str) -> list[Grant]:
    rows = connection.execute(
        select(role_grant.c.role, role_grant.c.unit_id)
        .where(role_grant.c.user_id == user_id, role_grant.c.role != "participant")
        .order_by(role_grant.c.id)
    ).all()
    return [Grant(r.role, r.unit_id) for r in rows]


def _name_of(connection: Connection, user_id: str) -> str | None:
    return connection.execute(select(app_user.c.name).where(app_user.c.id == user_id)).scalar()


def _upsert_user(connection: Connection, actor: Actor, user_id: str, name: str, grants: list[Grant]) -> None:
    existing = connection.execute(select(app_user).where(app_user.c.id == user_id)).first()
    before_grants = [
        {"role": r.role, "unit_id": r.unit_id}
        for r in connection.execute(
            select(role_grant).where(role_grant.c.user_id == user_id, role_grant.c.role != "participant")
        )
    ]
    if existing is None:
        connection.execute(insert(app_user).values(id=user_id, name=name, created_at=audit.now()))
    elif existing.name != name:
        connection.execute(app_user.update().where(app_user.c.id == user_id).values(name=name))
    connection.execute(
        delete(role_grant).where(role_grant.c.user_id == user_id, role_grant.c.role != "participant")
    )
    after_grants = [{"role": g.role, "unit_id": g.unit_id} for g in grants if g.role != "participant"]
    if after_grants:
        connection.execute(insert(role_grant), [{"user_id": user_id, **g} for g in after_grants])
    before = None if existing is None else {"name": existing.name, "grants": before_grants}
    after = {"name": name, "grants": after_grants}
    if before != after:
        audit.record(connection, actor.user_id, "upsert", "user", user_id, before, after)


def load_access_yaml(engine: Engine, actor: Actor, path: str | Path) -> int:
    """Create or update the users and grants listed in access.yaml; returns how many users.
    The whole file is checked first: a problem anywhere changes nothing."""
    require(None, actor, "manage_users")
    users = parse_access_yaml(read_input_file(path), str(path))
    upsert_users(engine, actor, users)
    return len(users)


ROLE_NAMES = {  # what a CSV may call a role, in bokmål or English
    "administrator": "admin",
    "admin": "admin",
    "ledelse": "management",
    "management": "management",
    "leder": "leader",
    "enhetsleder": "leader",
    "leader": "leader",
    "rådgiver": "advisor",
    "kvalitetsrådgiver": "advisor",
    "advisor": "advisor",
}
CSV_COLUMNS = {
    "email": ("e-post", "epost", "email"),
    "name": ("navn", "name"),
    "role": ("rolle", "role"),
    "unit": ("enhet", "unit"),
}


def parse_users_csv(text: str, file: str = "brukere.csv") -> list[tuple[str, str, list[Grant]]]:
    """Users from a CSV with the columns e-post, navn, rolle, enhet (or email, name, role,
    unit), one role per row; rows of the same address add up. ImportRejected lists every bad
    row with its line."""
    reader = csv.reader(
        io.StringIO(text.lstrip("\ufeff")), delimiter=";" if ";" in text.split("\n", 1)[0] else ","
    )
    header = [h.strip().lower() for h in next(reader, [])]
    where = {
        key: next((header.index(n) for n in names if n in header), None) for key, names in CSV_COLUMNS.items()
    }
    if where["email"] is None or where["role"] is None:
        raise ImportRejected(
            [
                Problem(
                    file,
                    1,
                    "invalid",
                    {"path": "", "detail": "the header needs e-post and rolle (or email and role)"},
                )
            ]
        )
    users: dict[str, tuple[str, list[Grant]]] = {}
    problems: list[Problem] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            index = where[key]
            return row[index].strip() if index is not None and index < len(row) else ""

        email, role, unit = cell("email"), ROLE_NAMES.get(cell("role").lower()), cell("unit") or None
        if not email or len(email) > 100:
            problems.append(
                Problem(file, line, "invalid", {"path": "", "detail": "e-post mangler / missing e-mail"})
            )
            continue
        if role is None:
            problems.append(
                Problem(
                    file,
                    line,
                    "bad_choice",
                    {"path": "rolle", "choices": ", ".join(sorted(ROLE_NAMES)), "value": cell("role")},
                )
            )
            continue
        name, grants = users.get(email, (cell("name") or email, []))
        users[email] = (cell("name") or name, [*grants, Grant(role, None if role == "admin" else unit)])
    if problems:
        raise ImportRejected(problems)
    return [(email, name, grants) for email, (name, grants) in users.items()]


def parse_access_yaml(text: str, file: str = "access.yaml") -> list[tuple[str, str, list[Grant]]]:
    """The users of an access.yaml (id, name, grants); ImportRejected lists every problem
    with its line."""
    document, problems = parse_yaml(text, file)
    if document is None or problems:
        raise ImportRejected(problems)
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict) or not isinstance(data.get("users", []), list):
        where = () if not isinstance(data, dict) else ("users",)
        raise ImportRejected(
            [
                Problem(
                    file, document.line_of(where), "expected_type", _expected(where, "a list of users", data)
                )
            ]
        )
    users: list[tuple[str, str, list[Grant]]] = []
    for index, entry in enumerate(data.get("users") or []):
        at: tuple[str | int, ...] = ("users", index)
        if not isinstance(entry, dict):
            problems.append(
                Problem(file, document.line_of(at), "expected_type", _expected(at, "a user", entry))
            )
            continue
        user_id = entry.get("id")
        if not isinstance(user_id, str) or not user_id.strip():
            problems.append(
                Problem(file, document.line_of(at), "missing", {"path": format_path(at), "field": "id"})
            )
            continue
        grants: list[Grant] = []
        roles = entry.get("roles") or []
        if not isinstance(roles, list):
            roles_at = (*at, "roles")
            problems.append(
                Problem(
                    file, document.line_of(roles_at), "expected_type", _expected(roles_at, "a list", roles)
                )
            )
            continue
        for number, role in enumerate(roles):
            role_at = (*at, "roles", number)
            if not isinstance(role, dict) or role.get("role") not in ROLES:
                value = role.get("role") if isinstance(role, dict) else role
                problems.append(
                    Problem(
                        file,
                        document.line_of(role_at),
                        "bad_choice",
                        {
                            "path": format_path((*role_at, "role")),
                            "choices": ", ".join(ROLES),
                            "value": value,
                        },
                    )
                )
                continue
            units = role.get("units") or [role.get("unit")]
            if not isinstance(units, list) or not all(u is None or isinstance(u, str) for u in units):
                units_at = (*role_at, "units")
                problems.append(
                    Problem(
                        file,
                        document.line_of(units_at),
                        "expected_type",
                        _expected(units_at, "unit ids", units),
                    )
                )
                continue
            grants += [Grant(role["role"], unit) for unit in units]
        name = entry.get("name")
        users.append((user_id, str(name) if name else user_id, grants))
    if problems:
        raise ImportRejected(problems)
    return users


def _expected(path: tuple[str | int, ...], expected: str, got: object) -> dict[str, str]:
    return {"path": format_path(path), "expected": expected, "got": type(got).__name__}
