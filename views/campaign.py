"""Utsending, the administration page's tab for e-mail to the unit leaders: for a cycle, who
will be invited (and who cannot be, without an e-mail address), who has not sent in and will
be reminded, the two sends, and the record of every message with its time and status. And,
for the start page of management and advisors, when each unit's leader was last reminded.

The settings are read on every run from the secrets' [smtp] and [app] and the environment
(storage.mail); without them the tab says what to set and sends nothing. Sending runs in a
button's callback, before the page is drawn, so the lists drawn after show what is stored.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from storage import audit, campaign
from storage.actors import Actor
from storage.campaign import Outcome, Recipient
from storage.definitions import list_cycles
from storage.errors import InvalidInput, ServiceError
from storage.mail import Letter, MailSettings, SmtpMailer, body, date_text, read_settings, subject
from storage.permissions import may_somewhere
from views import dash, guard, state, waysin
from views.i18n import lang, t, tn
from views.text import plain

MESSAGE = "campaign_message"
LISTED_UNITS = 4  # unit names in a table cell; more are counted
HOME_ROWS = 200  # rows of the start page's table of reminders


def mail_settings() -> MailSettings | ServiceError:
    """The e-mail settings, or the refusal naming the setting that is wrong."""
    try:
        secrets = st.secrets.to_dict()
    except Exception:  # no secrets file at all: Streamlit raises rather than answer empty
        secrets = {}
    try:
        return read_settings(secrets)
    except InvalidInput as problem:
        return problem


def section(actor: Actor) -> None:
    engine = state.engine()
    st.subheader(t("campaign.title"))
    st.caption(t("campaign.intro"))
    if not may_somewhere(actor, "send_mail"):
        st.info(t("campaign.not_admin"))
        return
    if message := st.session_state.pop(MESSAGE, None):
        kind, text = message
        {"ok": st.success, "warning": st.warning}.get(kind, guard.refusal)(text)
    settings = mail_settings()
    ready = _settings_note(settings)

    cycles = list(reversed(list_cycles(engine)))
    if not cycles:
        st.info(t("common.no_open_cycle"))
        return
    labels = {int(c["id"]): str(c["label"]) for c in cycles}
    first_open = next((int(c["id"]) for c in cycles if c["status"] == "open"), int(cycles[0]["id"]))
    options = list(labels)
    chosen = st.selectbox(
        t("common.cycle"),
        options,
        index=options.index(first_open),
        format_func=labels.get,
        key="campaign_cycle",
    )
    row = next(c for c in cycles if c["id"] == chosen)
    sendable = _cycle_note(row) and ready

    invitations = campaign.plan(engine, actor, chosen, "invitation")
    reminders = campaign.plan(engine, actor, chosen, "reminder")
    public_url = settings.public_url if isinstance(settings, MailSettings) else None
    _part(actor, chosen, "invitation", invitations, sendable)
    _part(actor, chosen, "reminder", reminders, sendable)
    _preview(row, invitations, reminders, public_url)
    _record(actor, chosen)


def _settings_note(settings: MailSettings | ServiceError) -> bool:
    """Say how e-mail is set up, or what to set; whether messages can be sent."""
    if isinstance(settings, ServiceError):
        guard.refusal(settings)
        return False
    if settings.smtp is None:
        st.info(t("campaign.off"), icon=":material/mail_lock:")
        return False
    if settings.public_url is None:
        st.warning(t("campaign.no_public_url"), icon=":material/link_off:")
        return False
    st.caption(
        t(
            "campaign.via",
            host=plain(f"{settings.smtp.host}:{settings.smtp.port}"),
            security=settings.smtp.security,
            sender=plain(settings.smtp.sender),
            link=plain(campaign.link(settings.public_url)),
        )
    )
    if waysin.mode() == "local":
        st.warning(t("campaign.local_mode"), icon=":material/lock_person:")
    return True


def _cycle_note(row: dict[str, Any]) -> bool:
    """The cycle's deadline, or why nothing can be sent for it; whether it can be."""
    deadline = row["deadline"]
    if row["status"] != "open":
        st.info(t("campaign.closed", cycle=row["label"]))
        return False
    today = campaign.local_day(audit.now())
    if deadline is not None and today > deadline:
        st.info(t("campaign.deadline_passed", date=date_text(deadline)))
        return False
    if deadline is None:
        st.warning(t("campaign.no_deadline"))
    else:
        st.caption(t("campaign.deadline", date=date_text(deadline)))
    return True


def _part(actor: Actor, cycle_id: int, kind: str, recipients: list[Recipient], sendable: bool) -> None:
    """One send: its list of leaders, what it will do for each, and its button."""
    st.markdown(f"**{t(f'campaign.{kind}.title')}**")
    due = sum(1 for r in recipients if r.state == "due")
    if not recipients:
        st.caption(t(f"campaign.{kind}.none"))
        return
    st.caption(
        t(
            f"campaign.{kind}.counts",
            due=due,
            done=sum(1 for r in recipients if r.state in ("done", "sending")),
            no_address=sum(1 for r in recipients if r.state == "no_address"),
        )
    )
    dash.show(
        dash.shown(
            {
                t("campaign.column.leader"): [r.name for r in recipients],
                t("campaign.column.user"): [r.user_id for r in recipients],
                t(f"campaign.{kind}.units"): [_units_text(r.units) for r in recipients],
                t("campaign.column.state"): [_state_text(kind, r) for r in recipients],
            }
        ),
        height=min(400, 38 + 35 * len(recipients)),
    )
    st.button(
        tn(f"campaign.{kind}.send", due),
        type="primary" if kind == "invitation" else "secondary",
        disabled=not sendable or due == 0,
        on_click=_send,
        args=(actor, cycle_id, kind),
        key=f"campaign_send_{kind}",
    )


def _units_text(units: Any) -> str:
    names = [u.name_nb if lang() != "en" else u.name_en for u in units]
    shown = ", ".join(names[:LISTED_UNITS])
    return (
        shown
        if len(names) <= LISTED_UNITS
        else t("campaign.more_units", units=shown, n=len(names) - LISTED_UNITS)
    )


def _state_text(kind: str, recipient: Recipient) -> str:
    if recipient.state == "no_address":
        return t("campaign.state.no_address")
    if recipient.state == "sending":
        return t("campaign.state.sending")
    if recipient.state == "done":
        when = dash.local_time(recipient.last)
        return t(f"campaign.state.done_{kind}", at=when.strftime("%d.%m.%Y %H:%M") if when else "–")
    return t(f"campaign.state.due_{kind}")


@guard.callback
def _send(actor: Actor, cycle_id: int, kind: str) -> None:
    settings = mail_settings()
    if isinstance(settings, ServiceError):
        st.session_state[MESSAGE] = ("error", settings.message(lang()))
        return
    mailer = None if settings.smtp is None else SmtpMailer(settings.smtp)
    try:
        outcome = campaign.send(state.engine(), actor, cycle_id, kind, mailer, settings.public_url)
    except ServiceError as error:
        st.session_state[MESSAGE] = ("error", error.message(lang()))
        return
    st.session_state[MESSAGE] = _outcome_message(outcome)


def _outcome_message(outcome: Outcome) -> tuple[str, str]:
    sent = tn(f"campaign.{outcome.kind}.sent", len(outcome.sent))
    if outcome.failed:
        return ("warning", t("campaign.failed", sent=sent, failed=len(outcome.failed)))
    if not outcome.sent:
        return ("ok", t(f"campaign.{outcome.kind}.nothing"))
    return ("ok", sent)


def _preview(
    row: dict[str, Any], invitations: list[Recipient], reminders: list[Recipient], url: str | None
) -> None:
    """The two messages as the first leader of each list would get them (plain text)."""
    with st.expander(t("campaign.preview")):
        for kind, recipients in (("invitation", invitations), ("reminder", reminders)):
            sample = next((r for r in recipients if r.address), None)
            if sample is None:
                continue
            letter = Letter(
                kind,
                sample.address or "",
                sample.name,
                str(row["label"]),
                row["deadline"],
                tuple(u.name_nb for u in sample.units),
                campaign.link(url or "https://…"),
            )
            st.caption(t(f"campaign.preview.{kind}", to=plain(sample.user_id)))
            st.text(f"{subject(letter)}\n\n{body(letter)}")


def _record(actor: Actor, cycle_id: int) -> None:
    st.markdown(f"**{t('campaign.record.title')}**")
    rows = campaign.record(state.engine(), actor, cycle_id)
    if not rows:
        st.caption(t("campaign.record.none"))
        return
    dash.show(
        dash.shown(
            {
                t("campaign.column.at"): [dash.local_time(r["sent_at"] or r["attempted_at"]) for r in rows],
                t("campaign.column.kind"): [t(f"campaign.kind.{r['kind']}") for r in rows],
                t("campaign.column.leader"): [r["name"] for r in rows],
                t("campaign.column.user"): [r["user_id"] for r in rows],
                t("campaign.column.units"): [_units_text(r["units"]) for r in rows],
                t("campaign.column.status"): [t(f"campaign.status.{r['status']}") for r in rows],
                t("campaign.column.error"): [r["error"] for r in rows],
            }
        ),
        height=min(400, 38 + 35 * len(rows)),
    )


# The start page ------------------------------------------------------------------------------


def last_reminders(actor: Actor, cycle_id: int) -> None:
    """For management and advisors: when each unit's leader was last reminded in the cycle,
    in a closed expander, for the units they reach; nothing when no one has been."""
    if not may_somewhere(actor, "read_mailings"):
        return
    rows = campaign.last_reminders(state.engine(), actor, cycle_id)
    if not rows:
        return
    shown = rows[:HOME_ROWS]
    column = "name_en" if lang() == "en" else "name_nb"
    with st.expander(tn("campaign.home.title", len(rows))):
        dash.show(
            dash.shown(
                {
                    t("common.unit"): [r[column] for r in shown],
                    t("campaign.column.leader"): [", ".join(r["leaders"]) for r in shown],
                    t("campaign.home.at"): [dash.local_time(r["at"]) for r in shown],
                }
            ),
            height=min(300, 38 + 35 * len(shown)),
        )
        if len(rows) > HOME_ROWS:
            st.caption(tn("home.more_units", len(rows) - HOME_ROWS))
