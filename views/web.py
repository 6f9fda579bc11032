"""The app's own Streamlit components: light HTML drawn by a few lines of JavaScript, where
Streamlit's elements cost the browser far more than what they show (see views/heatmap.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.components.v2.types import ComponentRenderer

ASSETS = Path(__file__).parent / "assets"


class Component:
    """One of the app's components, mounted by calling it with its `data` and Streamlit's
    options (key, default, on_<name>_change). The data travels as the only item of a list:
    Streamlit looks for data frames among a dict's values, which cost 0.3-2 ms a mount."""

    def __init__(self, name: str) -> None:
        self._mount: ComponentRenderer = st.components.v2.component(
            f"maturity_{name}",
            css=(ASSETS / f"{name}.css").read_text(encoding="utf-8"),
            js="".join((ASSETS / f).read_text(encoding="utf-8") for f in ("dom.js", f"{name}.js")),
        )

    def __call__(self, *, data: Any, **options: Any) -> Any:
        return self._mount(data=[data], **options)


def component(name: str) -> Component:
    """Register the component `name` from views/assets/<name>.js and .css, after the helpers
    all of them share (views/assets/dom.js). The JavaScript reads its data as data[0] and
    sets every text as text (textContent, attributes), never as HTML."""
    return Component(name)
