"""Who may do what, named once (DESIGN.md section 7): each action a user can take, with the
roles that may take it. Services ask `require` before they act, pages ask `may` or
`may_somewhere` before they offer a control, and tests/test_permissions.py walks the table.

A role is held on a unit and reaches the units below it; held on no unit it reaches the
whole organisation. The administrator may take every action everywhere. A participant's
one right (answering their workshop's ratings) goes by the workshop's link, not by a role.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from storage.actors import Actor
from storage.errors import AccessDenied
from storage.tree import ancestors


@dataclass(frozen=True)
class Rule:
    """Who besides the administrator may take an action, and how a refusal names it."""

    roles: tuple[str, ...]
    what: str
    what_nb: str


READERS = ("leader", "management", "advisor")

RULES: dict[str, Rule] = {
    # on a unit and the units below it
    "assess": Rule(("leader",), "assess this unit", "vurdere denne enheten"),
    "hold_workshop": Rule(("leader",), "hold a workshop for this unit", "holde arbeidsmøte for enheten"),
    "read_results": Rule(READERS, "read this unit's results", "lese enhetens resultater"),
    "read_plans": Rule(READERS, "read this unit's plans", "lese enhetens planer"),
    "plan": Rule(("leader", "management"), "plan actions for this unit", "planlegge tiltak for enheten"),
    "set_targets": Rule(("leader", "management"), "set targets for this unit", "sette mål for enheten"),
    "validate": Rule(
        ("advisor",), "validate or return this assessment", "validere eller returnere vurderingen"
    ),
    "read_mailings": Rule(
        ("management", "advisor"),
        "see who was sent e-mail about this unit",
        "se hvem som har fått e-post om enheten",
    ),
    # the whole organisation: the administrator alone
    "manage_users": Rule((), "manage users", "administrere brukere"),
    "change_organisation": Rule((), "change the organisation", "endre organisasjonen"),
    "change_questionnaires": Rule((), "change questionnaires", "endre spørreskjemaer"),
    "manage_cycles": Rule((), "open, close and create cycles", "åpne, lukke og opprette sykluser"),
    "import_answers": Rule((), "import answers", "importere svar"),
    "read_audit": Rule((), "read the audit log", "lese revisjonsloggen"),
    "send_mail": Rule((), "send e-mail to the unit leaders", "sende e-post til enhetslederne"),
}


def may(connection: Connection | None, actor: Actor, action: str, unit_id: str | None = None) -> bool:
    """Whether the actor may take `action` on the unit (on the whole organisation when
    `unit_id` is None, which only a role held on no unit reaches). `connection` is needed
    only to look up a unit's place in the tree."""
    rule = RULES[action]
    if actor.is_admin:
        return True
    scopes = actor.units(*rule.roles)
    if not scopes:
        return False
    if None in scopes or unit_id in scopes:
        return True
    if unit_id is None or connection is None:
        return False
    return any(above in scopes for above in ancestors(connection, unit_id))


def require(connection: Connection | None, actor: Actor, action: str, unit_id: str | None = None) -> None:
    """AccessDenied, naming the action, unless the actor `may` take it."""
    if not may(connection, actor, action, unit_id):
        rule = RULES[action]
        raise AccessDenied(what=rule.what, what_nb=rule.what_nb)


def may_somewhere(actor: Actor, action: str) -> bool:
    """Whether the actor may take `action` on some unit (a page offers it at all)."""
    return actor.is_admin or bool(actor.units(*RULES[action].roles))


def reach(actor: Actor, action: str) -> set[str] | None:
    """The units at the top of the actor's reach for `action` (each with the units below
    it); None when it is the whole organisation."""
    scopes = actor.units(*RULES[action].roles)
    if actor.is_admin or None in scopes:
        return None
    return {s for s in scopes if s is not None}
