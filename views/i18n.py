"""The UI's language: `t(key)` looks a string up in the catalog for the chosen language."""

from __future__ import annotations

from typing import Any

import streamlit as st

from views.catalog import STRINGS

LANGUAGES = {"nb": "Norsk (bokmål)", "en": "English"}


def lang() -> str:
    return st.session_state.get("lang", "nb")


def t(key: str, **params: Any) -> str:
    entry = STRINGS[key]
    text = entry.get(lang()) or entry["nb"]
    return text.format(**params) if params else text


def tn(key: str, n: int, **params: Any) -> str:
    """A text that depends on a count: `key.one` when n is 1, `key.other` otherwise
    ("1 enhet", "25 enheter"); `n` is passed on as a parameter too."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", n=n, **params)
