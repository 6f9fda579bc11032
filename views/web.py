"""The app's own Streamlit components: light HTML drawn by a few lines of JavaScript, where
Streamlit's elements cost the browser far more than what they show (see views/heatmap.py)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.components.v2.types import ComponentRenderer

ASSETS = Path(__file__).parent / "assets"


def component(name: str) -> ComponentRenderer:
    """Register the component `name` from views/assets/<name>.js and .css, after the helpers
    all of them share (views/assets/dom.js); its mount call. The JavaScript sets every text
    as text (textContent, attributes), never as HTML."""
    return st.components.v2.component(
        f"maturity_{name}",
        css=(ASSETS / f"{name}.css").read_text(encoding="utf-8"),
        js="".join((ASSETS / f).read_text(encoding="utf-8") for f in ("dom.js", f"{name}.js")),
    )
