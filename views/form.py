"""The answering form, shared by the self-assessment, the workshop's agreement and the
participants' private ratings: one dimension at a time, every answer saved as it is given.

Each item's answer fields are a fragment of their own: answering reruns that item alone,
which also redraws the progress bar in its slot above the form, so a click is about as
quick as in a one-question app however long the page. Moving to another dimension or
sending in reruns the page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from scoring.models import Item, Questionnaire
from storage.assessments import Answer
from storage.errors import ServiceError
from views import distribution as charts
from views import guard
from views.i18n import lang, t, tn
from views.text import plain, small

DONT_KNOW = "dk"


@dataclass
class Memory:
    """What a form keeps between reruns, as plain attributes of one object in the session.

    Every read and write of st.session_state is a point where Streamlit may stop a callback
    to serve a newer click; a write after a save could then be lost while the save stands
    (a row version that no longer matches the store, and every later save a conflict). A
    callback takes this object before it saves and only sets its attributes afterwards.
    """

    version: int | None = None  # the row version the user's page holds (assessments)
    answered: set[str] = field(default_factory=set)
    total: int = 0
    step: int = 0
    error: str | None = None


def memory(key: str) -> Memory:
    """The form's memory, made on first use."""
    return st.session_state.setdefault(f"memory_{key}", Memory())


@dataclass
class Sheet:
    """What one form edits and how: an assessment, or a participant's private ratings.

    `save(item_id, fields)` stores one answer's fields (level, yes, dont_know, comment,
    evidence) and `submit()` sends the whole in; both raise ServiceError, which the form
    shows. `answers` are as stored when the page was drawn.
    """

    key: str
    answers: dict[str, Answer]
    save: Callable[[str, dict[str, Any]], None]  # called with the form's Memory at hand
    submit: Callable[[], None]
    on_submitted: Callable[[], None]
    summary: list[str] = field(default_factory=list)  # what the confirmation names first
    comments: bool = True
    evidence: bool = True
    rationale: bool = False  # the comment is the team's rationale for what it agreed
    previous: tuple[str | None, dict[str, Answer]] = (None, {})
    distribution: Any = None  # storage.workshops.Distribution beside each item
    after_submit: str = ""  # what the confirmation says happens next
    reset: Callable[[], None] | None = None  # forget what the session holds (after a conflict)


def answer_label(questionnaire: Questionnaire, item: Item, answer: Answer | None) -> str:
    """How a stored answer reads, e.g. "Nivå 3 – Formalisert" or "Ja"."""
    if answer is None or not answer.answered:
        return "–"
    if answer.dont_know:
        return t("form.dont_know")
    if answer.yes is not None:
        return t("form.yes") if answer.yes else t("form.no")
    return t("common.level_label", level=answer.level, label=questionnaire.level_label(answer.level, lang()))


def render(sheet: Sheet, questionnaire: Questionnaire) -> None:
    """Draw the form for one editable sheet."""
    key = sheet.key
    dimensions = questionnaire.dimensions
    kept = memory(key)
    _catch_up(sheet, questionnaire, kept)
    kept.answered = {i for i, a in sheet.answers.items() if a.answered}
    kept.total = len(questionnaire.items())
    if f"step_{key}" not in st.session_state:
        st.session_state[f"step_{key}"] = _first_open_step(sheet, questionnaire)
    step = st.session_state[f"step_{key}"]
    kept.step = step
    slot = st.empty()  # the progress bar, redrawn by whichever item is answered
    _progress(slot, kept, len(dimensions))
    labels = [f"{n + 1}. {d.label.get(lang())}" for n, d in enumerate(dimensions)]
    st.segmented_control(  # a new control per step: a click meant for another step is ignored
        t("common.dimension"),
        list(range(len(dimensions))),
        default=step,
        format_func=lambda n: labels[n],
        key=f"jump_{key}_{step}",
        on_change=_jump,
        args=(key, step),
        label_visibility="collapsed",
    )
    _problem(sheet, kept)

    dimension = dimensions[step]
    st.subheader(dimension.label.get(lang()))
    if dimension.description:
        reference = f" ({dimension.reference})" if dimension.reference else ""
        st.caption(plain(dimension.description.get(lang()) + reference))
    for item in dimension.items:
        _item(sheet, questionnaire, item, slot, len(dimensions))

    left, middle, right = st.columns([1, 1, 2])
    if step > 0:
        left.button(
            t("form.previous"),
            key=f"prev_{key}_{step}",
            on_click=_go,
            args=(key, step, step - 1),
            width="stretch",
        )
    if step < len(dimensions) - 1:
        middle.button(
            t("form.next"),
            key=f"next_{key}_{step}",
            on_click=_go,
            args=(key, step, step + 1),
            width="stretch",
            type="primary",
        )
    else:
        right.button(
            t("form.review_and_submit"),
            key=f"submit_{key}",
            type="primary",
            width="stretch",
            on_click=_ask_to_submit,
            args=(key,),
        )
    if st.session_state.get(f"confirm_{key}"):  # open until sent in or put away
        dialog = st.dialog(
            t("form.confirm_title"), width="large", on_dismiss=functools.partial(_put_away, key)
        )
        dialog(_confirm)(sheet, questionnaire)


def _progress(slot: Any, kept: Memory, steps: int) -> None:
    """How far the form has come, in its slot above the form."""
    answered, total = len(kept.answered), kept.total
    slot.progress(
        answered / total if total else 0.0,
        text=t("form.progress", step=kept.step + 1, steps=steps, answered=answered, total=total),
    )


def _problem(sheet: Sheet, kept: Memory) -> None:
    """A refused save's message (once), with a way to draw the form afresh from the store."""
    if not kept.error:
        return
    st.error(kept.error, icon=":material/warning:")
    kept.error = None
    if sheet.reset is not None:
        st.button(t("common.reload"), key=f"reload_{sheet.key}", on_click=_reset, args=(sheet.reset,))


def _reset(reset: Callable[[], None]) -> None:
    reset()
    st.rerun()  # the whole page, not only the item where the problem showed


def _catch_up(sheet: Sheet, questionnaire: Questionnaire, kept: Memory) -> None:
    """Save what the form shows but the store does not have yet. A choice followed at once
    by another click (an answer, then "Neste" within a few milliseconds) can reach the server
    in one request whose callbacks Streamlit does not all call; the widget's value is still
    here, so nothing the user chose is lost."""
    key = sheet.key
    for item in questionnaire.items():
        stored = sheet.answers.get(item.id)
        shown = st.session_state.get(f"answer_{key}_{item.id}")
        fields: dict[str, Any] = {}
        if shown is not None and shown != _choice(stored):
            fields.update(_fields(shown))
        for name in ("comment", "evidence"):
            typed = st.session_state.get(f"{name}_{key}_{item.id}")
            if typed is not None and typed.strip() != ((getattr(stored, name, None) or "") if stored else ""):
                fields[name] = typed
        if fields and _saved(kept, item.id, sheet.save, fields):
            sheet.answers[item.id] = _merged(stored, item.id, fields)


def _choice(answer: Answer | None) -> Any:
    """The form's choice for a stored answer: a level, "yes", "no", "vet ikke", or None."""
    if answer is None or not answer.answered:
        return None
    if answer.dont_know:
        return DONT_KNOW
    if answer.yes is not None:
        return "yes" if answer.yes else "no"
    return answer.level


def _fields(choice: Any) -> dict[str, Any]:
    """What saving a choice stores."""
    if choice == DONT_KNOW:
        return {"dont_know": True}
    if choice in ("yes", "no"):
        return {"yes": choice == "yes"}
    return {"level": int(choice)}


def _merged(stored: Answer | None, item_id: str, fields: dict[str, Any]) -> Answer:
    """The stored answer with saved fields applied, as the store now holds it."""
    merged = Answer(item_id) if stored is None else Answer(**vars(stored))
    if {"level", "yes", "dont_know"} & set(fields):
        merged.level, merged.yes, merged.dont_know = (
            fields.get("level"),
            fields.get("yes"),
            bool(fields.get("dont_know")),
        )
    for name in ("comment", "evidence"):
        if name in fields:
            setattr(merged, name, fields[name].strip() or None)
    return merged


def _first_open_step(sheet: Sheet, questionnaire: Questionnaire) -> int:
    for n, dimension in enumerate(questionnaire.dimensions):
        if any(not (a := sheet.answers.get(i.id)) or not a.answered for i in dimension.items):
            return n
    return len(questionnaire.dimensions) - 1


def _go(key: str, shown: int, step: int) -> None:
    """Move to `step` from the buttons drawn for step `shown` (a tap that arrives late, after
    the form has moved on, does nothing)."""
    if st.session_state.get(f"step_{key}") == shown:
        st.session_state[f"step_{key}"] = step


def _jump(key: str, shown: int) -> None:
    """A dimension picked in the control drawn for step `shown` (clicking the chosen one
    again unpicks it: stay)."""
    chosen = st.session_state.get(f"jump_{key}_{shown}")
    if chosen is not None and st.session_state.get(f"step_{key}") == shown:
        st.session_state[f"step_{key}"] = chosen


def _item(sheet: Sheet, questionnaire: Questionnaire, item: Item, slot: Any, steps: int) -> None:
    """One question: what it asks and what helps to answer it, then its answer fields as a
    fragment (a click reruns only those, and the progress bar)."""
    with st.container(border=True):
        heading = item.text.get(lang())
        if not item.scored:
            heading = t("form.checklist_heading", text=heading)
        cycle_label, before = sheet.previous
        last = None
        if cycle_label and item.id in before:
            answer = answer_label(questionnaire, item, before[item.id])
            last = t("form.last_cycle", cycle=cycle_label, answer=answer)
        notes = [
            item.help.get(lang()) if item.help else None,
            t("form.reference", reference=item.reference) if item.reference else None,
            last if sheet.distribution is None else None,  # else under the distribution
        ]
        # one element for the question and its notes: every element on the page costs the
        # browser work on each click, and a form step has five questions
        st.markdown("  \n".join([f"**{plain(heading)}**", *(small(n) for n in notes if n)]))
        if sheet.distribution is not None:
            counts = sheet.distribution.counts.get(item.id, {})
            st.caption(tn("form.distribution", sheet.distribution.participants))
            charts.draw(
                charts.item_chart(questionnaire, item, counts, lang()), key=f"dist_{sheet.key}_{item.id}"
            )
            if last:
                st.caption(plain(last))
        st.fragment(_choice_field)(sheet, questionnaire, item, slot, steps)
        if sheet.comments or (sheet.evidence and item.scored):
            st.fragment(_text_fields)(sheet, item)


@guard.body
def _choice_field(sheet: Sheet, questionnaire: Questionnaire, item: Item, slot: Any, steps: int) -> None:
    """The item's answer: a click saves it and reruns only this and the progress bar."""
    key = sheet.key
    kept = memory(key)
    options = _options(questionnaire, item)
    st.radio(
        item.id,
        list(options),
        index=_index(list(options), sheet.answers.get(item.id)),
        format_func=options.__getitem__,
        key=f"answer_{key}_{item.id}",
        on_change=_save_choice,
        args=(key, item.id, sheet.save),
        label_visibility="collapsed",
    )
    _problem(sheet, kept)  # a save of this item refused: say so here, where it was given
    _progress(slot, kept, steps)


@guard.body
def _text_fields(sheet: Sheet, item: Item) -> None:
    """The item's comment (or rationale) and evidence, saved when the user leaves a field."""
    key = sheet.key
    stored = sheet.answers.get(item.id)
    if sheet.comments:
        st.text_area(
            t("form.rationale") if sheet.rationale else t("form.comment"),
            value=(stored.comment or "") if stored else "",
            key=f"comment_{key}_{item.id}",
            on_change=_save_text,
            args=(key, item.id, sheet.save, "comment"),
            height=68,
            max_chars=2000,
        )
    if sheet.evidence and item.scored:
        hint = item.evidence_hint.get(lang()) if item.evidence_hint else None
        st.text_input(
            t("form.evidence"),
            value=(stored.evidence or "") if stored else "",
            key=f"evidence_{key}_{item.id}",
            on_change=_save_text,
            args=(key, item.id, sheet.save, "evidence"),
            help=t("form.evidence_help", hint=hint) if hint else None,
            max_chars=500,
        )
    _problem(sheet, memory(key))


def _options(questionnaire: Questionnaire, item: Item) -> dict[Any, str]:
    """The choices of an item and how each reads, lowest level first, "vet ikke" last."""
    if not item.scored:
        return {"yes": t("form.yes"), "no": t("form.no"), DONT_KNOW: t("form.dont_know")}
    options: dict[Any, str] = {}
    for level in questionnaire.levels:
        anchor = item.anchors[level].get(lang()) if item.anchors else ""
        options[level] = f"{level} – {questionnaire.level_label(level, lang())}: {anchor}"
    options[DONT_KNOW] = t("form.dont_know")
    return options


def _index(options: list[Any], stored: Answer | None) -> int | None:
    choice = _choice(stored)
    return options.index(choice) if choice in options else None


@guard.callback
def _save_choice(key: str, item_id: str, save: Callable[[str, dict[str, Any]], None]) -> None:
    kept = memory(key)
    choice = st.session_state.get(f"answer_{key}_{item_id}")
    if choice is None:
        return
    if _saved(kept, item_id, save, _fields(choice)):
        kept.answered.add(item_id)


@guard.callback
def _save_text(key: str, item_id: str, save: Callable[[str, dict[str, Any]], None], name: str) -> None:
    kept = memory(key)
    _saved(kept, item_id, save, {name: st.session_state.get(f"{name}_{key}_{item_id}", "")})


def _saved(
    kept: Memory, item_id: str, save: Callable[[str, dict[str, Any]], None], fields: dict[str, Any]
) -> bool:
    """Save; on a refusal keep the message for the page (which then reruns whole) and say so.
    Nothing here touches st.session_state once the save has begun."""
    try:
        save(item_id, fields)
    except ServiceError as error:
        kept.error = error.message(lang())
        return False
    return True


def _ask_to_submit(key: str) -> None:
    st.session_state[f"confirm_{key}"] = True


def _put_away(key: str) -> None:
    st.session_state.pop(f"confirm_{key}", None)


def _confirm(sheet: Sheet, questionnaire: Questionnaire) -> None:
    """The confirmation before sending in: what will be sent, what is missing, what happens."""
    answered = memory(sheet.key).answered
    answers = sheet.answers
    for line in sheet.summary:
        st.markdown(f"**{plain(line)}**")
    missing: list[tuple[str, str]] = []
    lines = []
    for dimension in questionnaire.dimensions:
        done = [i for i in dimension.items if i.id in answered]
        unknown = sum(1 for i in done if (a := answers.get(i.id)) is not None and a.dont_know)
        line = t(
            "form.confirm_line",
            dimension=dimension.label.get(lang()),
            done=len(done),
            of=len(dimension.items),
        )
        lines.append(line + (" " + tn("form.confirm_unknown", unknown) if unknown else ""))
        missing += [
            (dimension.label.get(lang()), i.text.get(lang())) for i in dimension.items if i.id not in answered
        ]
    st.markdown("\n".join(f"- {plain(line)}" for line in lines))
    if missing:
        st.error(t("form.missing"), icon=":material/warning:")
        for dimension_label, text in missing:
            st.text(t("form.missing_item", dimension=dimension_label, item=text))
        if st.button(t("form.confirm_back"), key=f"confirm_back_{sheet.key}"):
            _put_away(sheet.key)
            st.rerun()  # closes the dialog
        return
    if sheet.after_submit:
        st.caption(sheet.after_submit)
    left, right = st.columns(2)
    if left.button(t("form.confirm_send"), key=f"confirm_send_{sheet.key}", type="primary", width="stretch"):
        try:
            sheet.submit()
        except ServiceError as error:
            st.error(error.message(lang()), icon=":material/warning:")
            return
        _put_away(sheet.key)
        sheet.on_submitted()
    if right.button(t("form.confirm_back"), key=f"confirm_cancel_{sheet.key}", width="stretch"):
        _put_away(sheet.key)
        st.rerun()  # closes the dialog


def forget(key: str) -> None:
    """Drop what the session holds for a form (widget values, step, version), so it is drawn
    again from what is stored."""
    for name in list(st.session_state):
        text = str(name)
        if text.endswith(f"_{key}") or f"_{key}_" in text:
            del st.session_state[name]
