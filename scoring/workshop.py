"""A workshop's anonymous distribution of private ratings: how many chose each answer per
item, how far apart they were, and which items to discuss first. Pure: no Streamlit, no SQL.

Answers are keyed as stored: a level as its number in text ("1".."5"), "yes", "no", or
"dk" (don't know).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scoring.models import Item, Questionnaire

DONT_KNOW = "dk"

Counts = Mapping[str, int]


def answer_key(level: int | None, yes: bool | None, dont_know: bool) -> str | None:
    """The key one rating is counted under; None for no answer."""
    if dont_know:
        return DONT_KNOW
    if level is not None:
        return str(level)
    if yes is not None:
        return "yes" if yes else "no"
    return None


def count(keys: Iterable[str | None]) -> dict[str, int]:
    """How many times each answer was given (no answer is not counted)."""
    counted: dict[str, int] = {}
    for key in keys:
        if key is not None:
            counted[key] = counted.get(key, 0) + 1
    return counted


def levels(counts: Counts) -> list[int]:
    """The levels chosen at least once, lowest first."""
    return sorted(int(k) for k, n in counts.items() if k.isdigit() and n > 0)


def spread(counts: Counts) -> int | None:
    """Highest minus lowest level chosen; None when no level was chosen (yes/no items too)."""
    chosen = levels(counts)
    return chosen[-1] - chosen[0] if chosen else None


def disagreement(counts: Counts) -> float:
    """How split a yes/no item is: 1 when half said yes, 0 when all agreed."""
    yes, no = counts.get("yes", 0), counts.get("no", 0)
    return 0.0 if yes + no == 0 else 1 - abs(yes - no) / (yes + no)


def discussion_order(questionnaire: Questionnaire, counts: Mapping[str, Counts]) -> list[Item]:
    """The items to discuss first: scored items by widest spread, then checklist items by how
    split they are; ties keep the questionnaire's order."""
    items = questionnaire.items()
    position = {item.id: n for n, item in enumerate(items)}

    def key(item: Item) -> tuple[int, float, int]:
        given = counts.get(item.id, {})
        if item.scored:
            return (0, -float(spread(given) or 0), position[item.id])
        return (1, -disagreement(given), position[item.id])

    return sorted(items, key=key)


def median_level(counts: Counts) -> int | None:
    """The lower median of the chosen levels, a starting point for the agreement."""
    expanded = [level for level in levels(counts) for _ in range(counts[str(level)])]
    return expanded[(len(expanded) - 1) // 2] if expanded else None
