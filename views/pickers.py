"""A row of choices at the top of a page as one light element (views/assets/pickers.js): where in
the organisation the page stands, as breadcrumbs, and native drop-down lists (unit, cycle, a
child to go down to).

Each Streamlit selectbox cost the browser 12-15 ms to draw on every visit of a page; the
dashboards showed two or three, and the answering form two. The row costs about as much as
one plain element. A choice reaches the server as the element's state; its callback acts on
it before the run that follows, and a run that finds a choice not yet acted on (no callback
ran: AppTest sets the state directly) acts on it and runs the page again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from views import guard, web

_ELEMENT = web.component("pickers")
ACTED = "_pickers_acted"  # session: per element key, the nonce of the last choice acted on


@dataclass(frozen=True)
class Choice:
    """One drop-down list (or, with kind "tabs", a tab bar of a page's sections):
    `apply(option)` is called when the user picks another option."""

    name: str
    label: str
    options: Sequence[Any]
    names: Mapping[Any, str]
    value: Any
    apply: Callable[[Any], None]
    help: str | None = None
    kind: str = "list"


@dataclass(frozen=True)
class Trail:
    """Breadcrumbs: the steps from the top (first) to where the page stands (last); a click
    on a step above calls `apply(step)`."""

    name: str
    label: str
    steps: Sequence[tuple[Any, str]]
    apply: Callable[[Any], None]


def row(key: str, choices: Sequence[Choice], trail: Trail | None = None) -> None:
    """Draw the row under `key`. Give a new key where the options change meaning (another
    node), so that a choice made among the old ones is never read against the new."""
    if _act(key, choices, trail):
        st.rerun()
    _ELEMENT(
        data=_data(key, choices, trail),
        key=key,
        default={"chosen": None},
        on_chosen_change=functools.partial(_on_chosen, key, tuple(choices), trail),
    )


def _data(key: str, choices: Sequence[Choice], trail: Trail | None) -> dict[str, Any]:
    """What the element draws; option values travel as strings and are matched back here."""
    return {
        "key": key,
        "crumbs": None
        if trail is None
        else {"name": trail.name, "label": trail.label, "steps": [[_wire(v), n] for v, n in trail.steps]},
        "choices": [
            {
                "name": c.name,
                "label": c.label,
                "options": [[_wire(o), c.names.get(o, str(o))] for o in c.options],
                "value": _wire(c.value),
                "help": c.help,
                "kind": c.kind,
            }
            for c in choices
        ],
    }


def _wire(value: Any) -> str:
    return "" if value is None else str(value)


@guard.callback
def _on_chosen(key: str, choices: tuple[Choice, ...], trail: Trail | None) -> None:
    _act(key, choices, trail)


def _act(key: str, choices: Sequence[Choice], trail: Trail | None) -> bool:
    """Act on the element's choices not acted on yet; True when one changed something. The
    browser's values are checked against the options drawn: anything else is ignored."""
    state = st.session_state.get(key)
    chosen = state.get("chosen") if isinstance(state, Mapping) else None
    if not isinstance(chosen, Mapping) or not isinstance(chosen.get("picks"), Mapping):
        return False
    acted = st.session_state.setdefault(ACTED, {})
    nonce = chosen.get("nonce")
    if not isinstance(nonce, str) or acted.get(key) == nonce:
        return False
    acted[key] = nonce
    picks: Mapping[str, Any] = chosen["picks"]
    changed = False
    for choice in choices:  # lists first, the way through the tree last: it may change the node
        option = _option(choice.options, picks.get(choice.name))
        if option is not None and _wire(option) != _wire(choice.value):
            choice.apply(option)
            changed = True
    if trail is not None:
        step = _option([v for v, _ in trail.steps[:-1]], picks.get(trail.name))
        if step is not None:
            trail.apply(step)
            changed = True
    return changed


def _option(options: Sequence[Any], sent: Any) -> Any:
    """The option the browser named (None: none, or one that was not drawn)."""
    if not isinstance(sent, str):
        return None
    return next((o for o in options if o is not None and _wire(o) == sent), None)
