"""The answering form, shared by the self-assessment, workshop participants and the
workshop's consensus: one dimension at a time, every answer saved as it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from scoring.models import Item, Questionnaire
from storage.access import Actor
from storage.assessments import Answer, AssessmentView, get_assessment, save_answer, submit_assessment
from storage.errors import ServiceError
from views import state
from views.i18n import lang, t

DONT_KNOW = "dk"


def answer_label(questionnaire: Questionnaire, item: Item, answer: Answer | None) -> str:
    """How a stored answer reads, e.g. "Nivå 3 – Formalisert" or "Ja"."""
    if answer is None or not answer.answered:
        return "–"
    if answer.dont_know:
        return t("form.dont_know")
    if answer.yes is not None:
        return t("form.yes") if answer.yes else t("form.no")
    return t("common.level_label", level=answer.level, label=questionnaire.level_label(answer.level, lang()))


def render(
    view: AssessmentView,
    questionnaire: Questionnaire,
    actor: Actor,
    *,
    previous: tuple[str | None, dict[str, Answer]] = (None, {}),
    spread: dict[str, dict[Any, int]] | None = None,
    participants: int = 0,
    submit_label: str | None = None,
    on_submitted: Callable[[], None] | None = None,
    show_evidence: bool = True,
) -> None:
    """Draw the form for one editable assessment."""
    aid = view.id
    st.session_state[f"version_{aid}"] = view.row_version
    dimensions = questionnaire.dimensions
    step_key = f"step_{aid}"
    if step_key not in st.session_state:
        st.session_state[step_key] = _first_open_step(view, questionnaire)
    step = st.session_state[step_key]

    answered = sum(1 for a in view.answers.values() if a.answered)
    total = len(questionnaire.items())
    st.progress(
        answered / total if total else 0.0,
        text=t("form.progress", step=step + 1, steps=len(dimensions), answered=answered, total=total),
    )
    labels = [f"{n + 1}. {d.label.get(lang())}" for n, d in enumerate(dimensions)]
    st.session_state.setdefault(f"jump_{aid}", step)
    st.segmented_control(
        t("common.dimension"),
        list(range(len(dimensions))),
        format_func=lambda n: labels[n],
        key=f"jump_{aid}",
        on_change=_jump,
        args=(aid,),
        label_visibility="collapsed",
    )
    if error := st.session_state.pop(f"error_{aid}", None):
        st.error(error, icon=":material/warning:")
        st.button(t("common.reload"), key=f"reload_{aid}")

    dimension = dimensions[step]
    st.subheader(dimension.label.get(lang()))
    if dimension.description:
        st.caption(
            dimension.description.get(lang()) + (f" ({dimension.reference})" if dimension.reference else "")
        )
    for item in dimension.items:
        _item(view, questionnaire, item, actor, previous, spread, participants, show_evidence)

    left, middle, right = st.columns([1, 1, 2])
    if step > 0:
        left.button(
            t("form.previous"), key=f"prev_{aid}", on_click=_go, args=(aid, step - 1), width="stretch"
        )
    if step < len(dimensions) - 1:
        middle.button(
            t("form.next"),
            key=f"next_{aid}",
            on_click=_go,
            args=(aid, step + 1),
            width="stretch",
            type="primary",
        )
    else:
        if right.button(
            submit_label or t("form.submit"), key=f"submit_{aid}", type="primary", width="stretch"
        ):
            _submit(view, questionnaire, actor, on_submitted)
    if missing := st.session_state.get(f"missing_{aid}"):
        st.error(t("form.missing"), icon=":material/warning:")
        for item_id in missing:
            item = questionnaire.item(item_id)
            owner = questionnaire.dimension_of(item_id)
            if item is not None and owner is not None:
                st.text(t("form.missing_item", dimension=owner.label.get(lang()), item=item.text.get(lang())))


def _first_open_step(view: AssessmentView, questionnaire: Questionnaire) -> int:
    for n, dimension in enumerate(questionnaire.dimensions):
        if any(not (a := view.answers.get(i.id)) or not a.answered for i in dimension.items):
            return n
    return len(questionnaire.dimensions) - 1


def _go(aid: int, step: int) -> None:
    st.session_state[f"step_{aid}"] = step
    st.session_state[f"jump_{aid}"] = step


def _jump(aid: int) -> None:
    chosen = st.session_state.get(f"jump_{aid}")
    if chosen is not None:
        st.session_state[f"step_{aid}"] = chosen


def _item(
    view: AssessmentView,
    questionnaire: Questionnaire,
    item: Item,
    actor: Actor,
    previous: tuple[str | None, dict[str, Answer]],
    spread: dict[str, dict[Any, int]] | None,
    participants: int,
    show_evidence: bool,
) -> None:
    aid = view.id
    stored = view.answers.get(item.id)
    with st.container(border=True):
        heading = item.text.get(lang())
        if not item.scored:
            heading = f"{t('form.checklist')}: {heading}"
        st.markdown(f"**{_escape(heading)}**")
        if item.reference:
            st.caption(t("form.reference", reference=item.reference))
        if item.scored:
            options: list[Any] = [*questionnaire.levels, DONT_KNOW]

            def label(option: Any) -> str:
                if option == DONT_KNOW:
                    return t("form.dont_know")
                anchor = item.anchors[option].get(lang()) if item.anchors else ""
                return f"{option} – {questionnaire.level_label(option, lang())}: {anchor}"
        else:
            options = ["yes", "no", DONT_KNOW]

            def label(option: Any) -> str:
                return {"yes": t("form.yes"), "no": t("form.no"), DONT_KNOW: t("form.dont_know")}[option]

        st.radio(
            item.id,
            options,
            index=_index(options, stored),
            format_func=label,
            key=f"answer_{aid}_{item.id}",
            on_change=_save_choice,
            args=(aid, item.id, actor),
            label_visibility="collapsed",
        )
        cycle_label, before = previous
        if cycle_label and item.id in before:
            st.caption(
                t(
                    "form.last_cycle",
                    cycle=cycle_label,
                    answer=answer_label(questionnaire, item, before[item.id]),
                )
            )
        if spread is not None and item.id in spread:
            counts = ", ".join(
                f"{_spread_label(questionnaire, k)}: {n}" for k, n in spread[item.id].items() if n
            )
            st.caption(t("form.workshop_spread", n=participants, counts=counts or "–"))
        comment_label = t("form.rationale") if spread is not None else t("form.comment")
        st.text_area(
            comment_label,
            value=(stored.comment or "") if stored else "",
            key=f"comment_{aid}_{item.id}",
            on_change=_save_text,
            args=(aid, item.id, actor, "comment"),
            height=68,
        )
        if show_evidence and item.scored:
            hint = item.evidence_hint.get(lang()) if item.evidence_hint else None
            st.text_input(
                t("form.evidence"),
                value=(stored.evidence or "") if stored else "",
                key=f"evidence_{aid}_{item.id}",
                on_change=_save_text,
                args=(aid, item.id, actor, "evidence"),
                help=t("form.evidence_help", hint=hint) if hint else None,
            )


def _spread_label(questionnaire: Questionnaire, key: Any) -> str:
    if key == DONT_KNOW:
        return t("form.dont_know")
    if key in ("yes", "no"):
        return t(f"form.{key}")
    return str(key)


def _index(options: list[Any], stored: Answer | None) -> int | None:
    if stored is None or not stored.answered:
        return None
    if stored.dont_know:
        return options.index(DONT_KNOW)
    if stored.yes is not None:
        return options.index("yes" if stored.yes else "no")
    return options.index(stored.level) if stored.level in options else None


def _save_choice(aid: int, item_id: str, actor: Actor) -> None:
    choice = st.session_state.get(f"answer_{aid}_{item_id}")
    kwargs: dict[str, Any] = {}
    if choice == DONT_KNOW:
        kwargs["dont_know"] = True
    elif choice in ("yes", "no"):
        kwargs["yes"] = choice == "yes"
    elif choice is not None:
        kwargs["level"] = int(choice)
    _save(aid, item_id, actor, **kwargs)


def _save_text(aid: int, item_id: str, actor: Actor, field: str) -> None:
    _save(aid, item_id, actor, **{field: st.session_state.get(f"{field}_{aid}_{item_id}", "")})


def _save(aid: int, item_id: str, actor: Actor, **kwargs: Any) -> None:
    try:
        version = save_answer(
            state.engine(), actor, aid, item_id, st.session_state[f"version_{aid}"], **kwargs
        )
        st.session_state[f"version_{aid}"] = version
        st.session_state.pop(f"missing_{aid}", None)
    except ServiceError as error:
        st.session_state[f"error_{aid}"] = error.message(lang())


def _submit(
    view: AssessmentView, questionnaire: Questionnaire, actor: Actor, on_submitted: Callable[[], None] | None
) -> None:
    aid = view.id
    try:
        current = get_assessment(state.engine(), actor, aid)
        submit_assessment(state.engine(), actor, aid, current.row_version)
    except ServiceError as error:
        if error.code == "incomplete":
            st.session_state[f"missing_{aid}"] = error.params["missing"]
            st.rerun()
        st.session_state[f"error_{aid}"] = error.message(lang())
        st.rerun()
    st.session_state.pop(f"missing_{aid}", None)
    if on_submitted is not None:
        on_submitted()


def _escape(text: str) -> str:
    """Markdown-neutral text: every character Markdown treats specially is escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~$" else c for c in text)
