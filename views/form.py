"""The answering form, shared by the self-assessment, the workshop's agreement and the
participants' private ratings: one dimension at a time, every answer saved as it is given.

A step (its progress, heading and questions) is one light element in a fragment of its own:
answering reruns that fragment alone, so a click is about as quick as in a one-question app.
Moving to another dimension or sending in reruns the page.

An answer that meets a busy database (another writer holds its lock, e.g. a large import) is
kept in the form's memory, shown as given, and saved by itself every few seconds until it
goes through; meanwhile a calm notice says so.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from scoring.models import Item, Questionnaire
from storage.assessments import Answer
from storage.db import patience
from storage.errors import ServiceError
from views import distribution as charts
from views import guard, web
from views.i18n import lang, t, tn
from views.text import plain

DONT_KNOW = "dk"
TEXT_MAX = {"comment": 2000, "evidence": 500}  # characters, as the fields take them
EPOCHS = "form_epochs"  # how often each form was reloaded from the store (never forgotten)
PATIENCE_MS = 5_000  # how long a click's save waits for a busy database before its answer is kept
RETRY_PATIENCE_MS = 1_000  # how long each later try waits, so the page stays quick meanwhile
RETRY_EVERY = 3.0  # seconds between tries while an answer waits for the database
RETRY_GAP = 2.0  # seconds at least between two tries, whatever reruns the page
_SHEET = web.component("sheet")


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
    waiting: dict[str, dict[str, Any]] = field(default_factory=dict)  # item: fields not saved yet
    busy: bool = False  # the last try to save what waits met a busy database
    tried: float = 0.0  # when (time.monotonic()) that try ended

    def held(self) -> bool:
        """Whether answers wait for a busy database (the notice shows, the step tries again)."""
        return self.busy and bool(self.waiting)


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
    drawn: dict[Any, Any] = field(default_factory=dict)  # the steps' texts, made once per page


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
    timed = kept.held()  # while an answer waits, the step tries again every few seconds
    st.fragment(_step, run_every=RETRY_EVERY if timed else None)(sheet, questionnaire, step, timed)

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


def _progress(kept: Memory, steps: int) -> dict[str, Any]:
    """How far the form has come: the step's element draws it above the questions."""
    answered, total = len(kept.answered), kept.total
    text = t("form.progress", step=kept.step + 1, steps=steps, answered=answered, total=total)
    return {"answered": answered, "total": total, "text": text}


def _problem(sheet: Sheet, kept: Memory) -> None:
    """A refused save's message (once), with a way to draw the form afresh from the store."""
    if not kept.error:
        return
    st.error(kept.error, icon=":material/warning:")
    kept.error = None
    if sheet.reset is not None:
        st.button(
            t("common.reload"), key=f"reload_{sheet.key}", on_click=_reset, args=(sheet.key, sheet.reset)
        )


def _reset(key: str, reset: Callable[[], None]) -> None:
    epochs = st.session_state.setdefault(EPOCHS, {})
    epochs[key] = epochs.get(key, 0) + 1
    reset()
    st.rerun()  # the whole page, not only the item where the problem showed


def _catch_up(sheet: Sheet, questionnaire: Questionnaire, kept: Memory) -> None:
    """Save what the form shows but the store does not have yet. A choice followed at once
    by another click (an answer, then "Neste" within a few milliseconds) can reach the server
    in one request whose callbacks Streamlit does not all call; the element's state is still
    here, so nothing the user chose is lost. What the element holds is kept in the form's
    memory first: Streamlit forgets the state of a step no longer drawn."""
    for step in range(len(questionnaire.dimensions)):
        component_key = _component_key(sheet.key, step)
        if component_key in st.session_state:
            choices, texts = _shown(component_key)
            _keep_shown(sheet, questionnaire, step, kept, choices, texts)
    _save_waiting(sheet, kept)


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


@guard.body
def _step(sheet: Sheet, questionnaire: Questionnaire, step: int, timed: bool) -> None:
    """The step's questions as one light element (views/assets/sheet.js), in a fragment: an
    answer reruns only this and the progress bar. Each Streamlit element on the page costs the
    browser work on every click; a step of five questions as radios, text areas and notes is
    some thirty of them. Drawn `timed` (every few seconds) while an answer waits for a busy
    database; when one begins or ends to wait, the page reruns to start or stop the timer."""
    key = sheet.key
    kept = memory(key)
    _save_waiting(sheet, kept)
    if kept.held() != timed:
        st.rerun()
    dimension = questionnaire.dimensions[step]
    component_key = _component_key(key, step)
    changed = functools.partial(_sync, sheet, questionnaire, step, component_key)
    notice = st.empty()  # always there, so the element below keeps its place when it shows
    _SHEET(
        data=_step_data(sheet, questionnaire, dimension, component_key, kept)
        | {"progress": _progress(kept, len(questionnaire.dimensions))},
        key=component_key,
        default={"choices": {}, "texts": {}},
        on_choices_change=changed,
        on_texts_change=changed,
    )
    if kept.held():
        notice.info(t("form.busy"), icon=guard.BUSY_ICON)
    _problem(sheet, kept)  # a save refused: say so here, where it was given


def _component_key(key: str, step: int) -> str:
    """The step's element; a new one after the form is reloaded from the store, so that what
    the browser still holds of the old one is never saved again."""
    return f"sheet_{key}_{step}_{st.session_state.get(EPOCHS, {}).get(key, 0)}"


def _step_data(
    sheet: Sheet, questionnaire: Questionnaire, dimension: Any, component_key: str, kept: Memory
) -> dict[str, Any]:
    """What the step's element draws: each question, its notes, answers and fields, as stored
    or, for an answer waiting for the database, as given. What does not change while the page
    stands is made once, not on every answer."""
    language = lang()
    drawn = sheet.drawn.get((component_key, language))
    if drawn is None:
        drawn = [_item_data(sheet, questionnaire, item, language) for item in dimension.items]
        sheet.drawn[(component_key, language)] = drawn
    items = []
    shown = _as_shown(sheet, kept)
    for item in drawn:
        stored = shown.get(item["id"])
        fields = [{**f, "value": getattr(stored, f["name"], None) or ""} for f in item["fields"]]
        items.append({**item, "chosen": _choice(stored), "fields": fields})
    reference = f" ({dimension.reference})" if dimension.reference else ""
    return {
        "key": component_key,
        "lang": language,
        "title": dimension.label.get(language),
        "description": dimension.description.get(language) + reference if dimension.description else None,
        "help": t("form.ladder_help"),
        "items": items,
    }


def _item_data(sheet: Sheet, questionnaire: Questionnaire, item: Item, language: str) -> dict[str, Any]:
    """One question as its element draws it, without what the user has answered."""
    heading = item.text.get(language)
    if not item.scored:
        heading = t("form.checklist_heading", text=heading)
    cycle_label, before = sheet.previous
    last = None
    if cycle_label and item.id in before:
        answer = answer_label(questionnaire, item, before[item.id])
        last = t("form.last_cycle", cycle=cycle_label, answer=answer)
    notes = [
        item.help.get(language) if item.help else None,
        t("form.reference", reference=item.reference) if item.reference else None,
        last if sheet.distribution is None else None,  # else under the distribution
    ]
    fields: list[dict[str, Any]] = []
    for name in _text_fields(sheet, item):
        if name == "comment":
            label = t("form.rationale") if sheet.rationale else t("form.comment")
            fields.append({"name": name, "label": label, "max": TEXT_MAX[name]})
        else:
            hint = item.evidence_hint.get(language) if item.evidence_hint else None
            fields.append(
                {
                    "name": name,
                    "label": t("form.evidence"),
                    "max": TEXT_MAX[name],
                    "hint": t("form.evidence_help", hint=hint) if hint else None,
                }
            )
    return {
        "id": item.id,
        "heading": heading,
        "notes": [n for n in notes if n],
        "options": _options(questionnaire, item, language),
        "fields": fields,
        "counts": _counts(sheet, questionnaire, item, language),
        "after": last if sheet.distribution is not None else None,
    }


def _counts(sheet: Sheet, questionnaire: Questionnaire, item: Item, language: str) -> dict[str, Any] | None:
    """How many participants chose each answer (a workshop's agreement), else None."""
    if sheet.distribution is None:
        return None
    given = sheet.distribution.counts.get(item.id, {})
    return {
        "caption": tn("form.distribution", sheet.distribution.participants),
        "bars": [
            {"label": label, "colour": colour, "count": int(given.get(answer, 0))}
            for answer, label, colour in charts.answers(questionnaire, item, language)
        ],
    }


def _options(questionnaire: Questionnaire, item: Item, language: str) -> list[tuple[Any, str, str]]:
    """The choices of an item (value, name, anchor), lowest level first, "vet ikke" last."""
    if not item.scored:
        return [("yes", t("form.yes"), ""), ("no", t("form.no"), ""), (DONT_KNOW, t("form.dont_know"), "")]
    options: list[tuple[Any, str, str]] = []
    for level in questionnaire.levels:
        anchor = item.anchors[level].get(language) if item.anchors else ""
        options.append((level, f"{level} – {questionnaire.level_label(level, language)}", anchor))
    options.append((DONT_KNOW, t("form.dont_know"), ""))
    return options


def _text_fields(sheet: Sheet, item: Item) -> list[str]:
    """The text fields the form shows for an item."""
    return [
        name
        for name, shown in (("comment", sheet.comments), ("evidence", sheet.evidence and item.scored))
        if shown
    ]


def _takes(questionnaire: Questionnaire, item: Item, choice: Any) -> bool:
    """Whether `choice` (as the browser sent it) is an answer the item takes."""
    if choice == DONT_KNOW:
        return True
    if not item.scored:
        return choice in ("yes", "no")
    return type(choice) is int and choice in questionnaire.levels


@guard.callback
def _sync(sheet: Sheet, questionnaire: Questionnaire, step: int, component_key: str) -> None:
    """Save what the step's element shows and the store does not have yet."""
    kept = memory(sheet.key)
    choices, texts = _shown(component_key)
    _keep_shown(sheet, questionnaire, step, kept, choices, texts)
    _save_waiting(sheet, kept)  # no st.session_state from here


def _shown(component_key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The choices and texts a step's element holds, as the browser sent them."""
    state = st.session_state.get(component_key) or {}
    choices, texts = state.get("choices"), state.get("texts")
    return (
        dict(choices) if isinstance(choices, dict) else {},
        dict(texts) if isinstance(texts, dict) else {},
    )


def _keep_shown(
    sheet: Sheet,
    questionnaire: Questionnaire,
    step: int,
    kept: Memory,
    choices: dict[str, Any],
    texts: dict[str, Any],
) -> None:
    """Keep in the form's memory, to be saved, each of the step's items whose shown choice or
    text differs from the store (and forget a change taken back). What the browser sends is
    checked like any input: other items and answers an item does not take are left out, a
    text is cut at its field's length."""
    for item in questionnaire.dimensions[step].items:
        item_id = item.id
        if item_id not in choices and item_id not in texts:
            continue
        stored = sheet.answers.get(item_id)
        fields = dict(kept.waiting.get(item_id, {}))
        shown = choices.get(item_id)
        if _takes(questionnaire, item, shown):
            for name in ("level", "yes", "dont_know"):
                fields.pop(name, None)
            if shown != _choice(stored):
                fields.update(_fields(shown))
        typed = texts.get(item_id)
        for name in _text_fields(sheet, item) if isinstance(typed, dict) else ():
            value = typed.get(name)
            was = (getattr(stored, name, None) or "") if stored else ""
            if isinstance(value, str):
                fields.pop(name, None)
                if value.strip() != was:
                    fields[name] = value[: TEXT_MAX[name]]
        if fields:
            kept.waiting[item_id] = fields
        else:
            kept.waiting.pop(item_id, None)
    if not kept.waiting:
        kept.busy = False


def _save_waiting(sheet: Sheet, kept: Memory) -> None:
    """Save what the form keeps, unless the database was busy a moment ago: then only every
    few seconds, each try waiting briefly, so the page stays quick while the database is busy."""
    if not kept.waiting:
        return
    if not kept.busy:
        _flush(sheet, kept, PATIENCE_MS)
    elif time.monotonic() - kept.tried >= RETRY_GAP:
        _flush(sheet, kept, RETRY_PATIENCE_MS)


def _flush(sheet: Sheet, kept: Memory, wait_ms: int) -> None:
    """Save each answer the form keeps, waiting at most `wait_ms` for the database. A saved
    one leaves the memory and counts; a refused one is dropped and its message kept for the
    page (which then reruns whole); a busy database stops the round, and the rest waits.
    Nothing here touches st.session_state once a save has begun."""
    for item_id, fields in list(kept.waiting.items()):
        stored = sheet.answers.get(item_id)
        try:
            with patience(wait_ms):
                sheet.save(item_id, fields)
        except ServiceError as error:
            if error.code == "busy":
                kept.busy, kept.tried = True, time.monotonic()
                return
            kept.waiting.pop(item_id, None)
            kept.error = error.message(lang())
            continue
        kept.waiting.pop(item_id, None)
        sheet.answers[item_id] = _merged(stored, item_id, fields)
        if sheet.answers[item_id].answered:
            kept.answered.add(item_id)
    kept.busy = False


def _as_shown(sheet: Sheet, kept: Memory) -> dict[str, Answer]:
    """The answers as the user gave them: as stored, with what waits for the database applied."""
    return sheet.answers | {
        item_id: _merged(sheet.answers.get(item_id), item_id, fields)
        for item_id, fields in kept.waiting.items()
    }


def _ask_to_submit(key: str) -> None:
    st.session_state[f"confirm_{key}"] = True


def _put_away(key: str) -> None:
    st.session_state.pop(f"confirm_{key}", None)


def _confirm(sheet: Sheet, questionnaire: Questionnaire) -> None:
    """The confirmation before sending in: what will be sent, what is missing, what happens.
    Answers still waiting for a busy database count as given: they are saved before sending in."""
    kept = memory(sheet.key)
    answers = _as_shown(sheet, kept)
    answered = {i for i, a in answers.items() if a.answered}
    if kept.held():
        st.info(t("form.busy"), icon=guard.BUSY_ICON)
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
    if left.button(
        t("form.confirm_send"), key=f"confirm_send_{sheet.key}", type="primary", width="stretch"
    ) and _sent(sheet, kept):
        _put_away(sheet.key)
        sheet.on_submitted()
    if right.button(t("form.confirm_back"), key=f"confirm_cancel_{sheet.key}", width="stretch"):
        _put_away(sheet.key)
        st.rerun()  # closes the dialog


def _sent(sheet: Sheet, kept: Memory) -> bool:
    """Save what still waits, then send in. A refusal shows in the dialog, which stays open;
    a busy database calmly: nothing is lost, and sending in again later goes through."""
    _flush(sheet, kept, RETRY_PATIENCE_MS)
    if kept.error:
        st.error(kept.error, icon=":material/warning:")
        kept.error = None
        return False
    try:
        if kept.waiting:
            raise ServiceError("busy")
        sheet.submit()
    except ServiceError as error:
        guard.refusal(error)
        return False
    return True


def forget(key: str) -> None:
    """Drop what the session holds for a form (widget values, step, version), so it is drawn
    again from what is stored."""
    for name in list(st.session_state):
        text = str(name)
        if text.endswith(f"_{key}") or f"_{key}_" in text:
            del st.session_state[name]
