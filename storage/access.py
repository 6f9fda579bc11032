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
from storage.tables import ROLES, app_user, role_grant

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
    require(None, actor, "manage_users")
    grants = list(grants)
    for grant in grants:
        if grant.role not in ROLES:
            raise InvalidInput(
                detail=f"unknown role '{grant.role}'", detail_nb=f"ukjent rolle «{grant.role}»"
            )
    with writing(engine) as connection:
        _upsert_user(connection, actor, user_id, name, grants)


def upsert_users(engine: Engine, actor: Actor, users: list[tuple[str, str, list[Grant]]]) -> None:
    """`upsert_user` for many (user id, name, grants) in one transaction."""
    require(None, actor, "manage_users")
    for _, _, grants in users:
        for grant in grants:
            if grant.role not in ROLES:
                raise InvalidInput(
                    detail=f"unknown role '{grant.role}'", detail_nb=f"ukjent rolle «{grant.role}»"
                )
    with writing(engine) as connection:
        for user_id, name, grants in users:
            _upsert_user(connection, actor, user_id, name, grants)


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
    with writing(engine) as connection:
        for user_id, name, grants in users:
            _upsert_user(connection, actor, user_id, name, grants)
    return len(users)


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
