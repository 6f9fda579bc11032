"""Level colours (colour-blind safe, Okabe-Ito orange to blue) and small drawing helpers.

A colour never stands alone: every badge and chart mark carries the level's label too.
"""

from __future__ import annotations

import html

import streamlit as st

from scoring.engine import shown_score

LEVEL_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#F0E442", 4: "#56B4E9", 5: "#0072B2"}
LEVEL_TEXT_COLOURS = {1: "#FFFFFF", 2: "#000000", 3: "#000000", 4: "#000000", 5: "#FFFFFF"}
NO_SCORE_COLOUR = "#BBBBBB"


def level_badge(level: int | None, label: str, score: float | None = None) -> str:
    """An HTML badge with the level's colour, number and label (and the score, if given)."""
    if level is None:
        background, colour = NO_SCORE_COLOUR, "#000000"
        text = html.escape(label)
    else:
        background, colour = LEVEL_COLOURS.get(level, NO_SCORE_COLOUR), LEVEL_TEXT_COLOURS.get(level, "#000")
        text = f"{level} · {html.escape(label)}"
        if score is not None:
            text += f" ({shown_score(score, 2)})"
    return (
        f'<span style="background:{background};color:{colour};padding:0.15rem 0.6rem;'
        f'border-radius:0.8rem;font-weight:600;white-space:nowrap">{text}</span>'
    )


def badge(level: int | None, label: str, score: float | None = None) -> None:
    st.markdown(level_badge(level, label, score), unsafe_allow_html=True)


def format_score(score: float | None) -> str:
    """Two decimals for display (cut, never rounded up into the next level); a dash for no score."""
    return "–" if score is None or score != score else shown_score(score, 2)
