"""E-mail to unit leaders: the settings (off unless configured), the messages (plain text in
bokmål, with a line in English) and a small mailer interface with its SMTP implementation.

Settings come from `[smtp]` and `[app]` in .streamlit/secrets.toml, or from the environment,
which wins (MATURITY_SMTP_HOST, _PORT, _SECURITY, _USERNAME, _PASSWORD, _FROM, _CA_FILE and
MATURITY_PUBLIC_URL). Without a host, e-mail is off and nothing is ever sent. The password is
never shown, logged or stored; a login is only ever made over TLS.

Nothing here touches the database: storage.campaign decides who is mailed and records it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import ssl
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from storage.errors import InvalidInput

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORT = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT = 20.0  # seconds a connection or a reply may take before the send counts as failed
ENV = {
    "host": "MATURITY_SMTP_HOST",
    "port": "MATURITY_SMTP_PORT",
    "security": "MATURITY_SMTP_SECURITY",
    "username": "MATURITY_SMTP_USERNAME",
    "password": "MATURITY_SMTP_PASSWORD",
    "from": "MATURITY_SMTP_FROM",
    "ca_file": "MATURITY_SMTP_CA_FILE",
}
PUBLIC_URL_ENV = "MATURITY_PUBLIC_URL"
BASE_URL_ENV = "MATURITY_BASE_URL"  # the workshop links' public address, used when no other is set
MAX_ERROR = 500  # characters of an error kept in the record
MAX_UNITS_NAMED = 25  # units listed in one message; more are counted


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls, ssl or none
    sender: str  # the From address, e.g. "Forbedringsmodenhet <modenhet@sykehus.no>"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None  # certificates to trust besides the system's (an internal CA)
    timeout: float = TIMEOUT


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpSettings | None  # None: e-mail is off
    public_url: str | None  # the app's address as leaders open it, without a trailing "/"


def read_settings(
    secrets: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> MailSettings:
    """The e-mail settings from the secrets' `[smtp]` and `[app]` sections and the environment
    (which wins). InvalidInput names the setting that is wrong."""
    env = os.environ if env is None else env
    secrets = secrets or {}
    section = secrets.get("smtp") or {}
    if not isinstance(section, Mapping):
        raise _bad("[smtp]", "must be a section of settings", "må være en seksjon med innstillinger")

    def value(key: str) -> str | None:
        found = env.get(ENV[key]) or section.get(key)
        return None if found is None or str(found).strip() == "" else str(found).strip()

    return MailSettings(_smtp(value), _public_url(env, secrets))


def _smtp(value: Any) -> SmtpSettings | None:
    host = value("host")
    if host is None:
        return None
    security = (value("security") or "starttls").lower()
    if security not in SECURITY:
        raise _bad(
            "[smtp] security",
            f"is {security!r}; use starttls, ssl or none",
            f"er «{security}»; bruk starttls, ssl eller none",
        )
    port_text = value("port") or str(DEFAULT_PORT[security])
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad(
            "[smtp] port", f"is {port_text!r}, not a port number", f"er «{port_text}», ikke et portnummer"
        )
    sender = value("from")
    if sender is None or "@" not in parseaddr(sender)[1]:
        raise _bad(
            "[smtp] from",
            "is missing: the address the e-mails are sent from",
            "mangler: adressen e-postene sendes fra",
        )
    username, password = value("username"), value("password")
    if username and security == "none":
        raise _bad(
            "[smtp] username",
            "is set with security = none: a password is only sent over starttls or ssl",
            "er satt med security = none: et passord sendes bare over starttls eller ssl",
        )
    ca_file = value("ca_file")
    if ca_file and not Path(ca_file).is_file():
        raise _bad("[smtp] ca_file", f"{ca_file} is not a file", f"{ca_file} er ikke en fil")
    return SmtpSettings(host, int(port_text), security, sender, username, password, ca_file)


def _public_url(env: Mapping[str, str], secrets: Mapping[str, Any]) -> str | None:
    app = secrets.get("app") or {}
    found = (
        env.get(PUBLIC_URL_ENV)
        or (app.get("public_url") if isinstance(app, Mapping) else None)
        or env.get(BASE_URL_ENV)
    )
    if not found or not str(found).strip():
        return None
    url = str(found).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise _bad(
            "[app] public_url",
            f"{url} is not the app's address (such as https://modenhet.sykehus.no)",
            f"{url} er ikke appens adresse (som https://modenhet.sykehus.no)",
        )
    return url


def _bad(setting: str, problem: str, problem_nb: str) -> InvalidInput:
    return InvalidInput(
        detail=f"E-mail setting {setting} {problem}.",
        detail_nb=f"E-postinnstillingen {setting} {problem_nb}.",
    )


def secrets_from_files(folders: Sequence[Path] | None = None) -> dict[str, Any]:
    """What Streamlit's st.secrets would hold for the command line: ~/.streamlit/secrets.toml,
    then .streamlit/secrets.toml in the current folder (which wins)."""
    merged: dict[str, Any] = {}
    for folder in folders or (Path.home() / ".streamlit", Path.cwd() / ".streamlit"):
        path = folder / "secrets.toml"
        if not path.is_file():
            continue
        try:
            loaded = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise InvalidInput(
                detail=f"{path} cannot be read: {error}", detail_nb=f"{path} kan ikke leses: {error}"
            ) from error
        for key, section in loaded.items():
            if isinstance(section, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **section}
            else:
                merged[key] = section
    return merged


# Addresses and messages --------------------------------------------------------------------

_ADDRESS = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+\.[^@\s<>()\[\]\\,;:\".]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def address_of(user_id: str) -> str | None:
    """The user's e-mail address: their id (the sign-in's e-mail) when it is one, else None.
    (The e-mail's headers check it once more when a message is made.)"""
    return user_id if _ADDRESS.match(user_id) else None


def one_line(text: str) -> str:
    """Text typed by someone, on one line: no line breaks or other control characters."""
    return _CONTROL.sub(" ", text).strip()


def date_text(day: dt.date) -> str:
    """A date as Norwegians write it: dd.mm.åååå."""
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Letter:
    """What one message says, before it is made into an e-mail."""

    kind: str  # invitation or reminder
    address: str
    name: str
    cycle: str
    deadline: dt.date | None
    units: tuple[str, ...]  # the units' names in bokmål
    link: str


def subject(letter: Letter) -> str:
    due = f", frist {date_text(letter.deadline)}" if letter.deadline else ""
    if letter.kind == "reminder":
        return f"Påminnelse: egenvurdering av forbedringsmodenhet {letter.cycle}{due}"
    return f"Egenvurdering av forbedringsmodenhet {letter.cycle}{due}"


def body(letter: Letter) -> str:
    """The message's text: bokmål, then a short English paragraph. Plain text only."""
    name = one_line(letter.name) or letter.address
    shown = [one_line(u) for u in letter.units[:MAX_UNITS_NAMED]]
    more = len(letter.units) - len(shown)
    listed = "\n".join(f"  • {u}" for u in shown) + (f"\n  • og {more} til" if more > 0 else "")
    due = (
        f"Fristen er {date_text(letter.deadline)}."
        if letter.deadline
        else "Det er ikke satt noen frist ennå."
    )
    due_en = (
        f"The deadline is {date_text(letter.deadline)}." if letter.deadline else "No deadline is set yet."
    )
    if letter.kind == "reminder":
        opening = (
            f"Dette er en påminnelse om egenvurderingen av forbedringsmodenhet for {letter.cycle}. "
            + ("Denne enheten" if len(letter.units) == 1 else "Disse enhetene")
            + " har ikke sendt inn ennå:"
        )
        after = f"{due} Svarene du har gitt så langt, er lagret, så du kan fortsette der du slapp:"
        english = (
            f"A reminder: the {letter.cycle} self-assessment of improvement maturity is not yet "
            f"submitted for the unit(s) above. {due_en} Open it at the link above."
        )
    else:
        opening = (
            f"Egenvurderingen av forbedringsmodenhet for {letter.cycle} er åpnet. Som leder ber vi deg "
            + ("vurdere denne enheten:" if len(letter.units) == 1 else "vurdere disse enhetene:")
        )
        after = (
            f"{due} Du kan vurdere alene eller i et arbeidsmøte med teamet, og svarene lagres "
            "underveis. Åpne egenvurderingen og logg inn som vanlig:"
        )
        english = (
            f"The {letter.cycle} self-assessment of improvement maturity is open for the unit(s) "
            f"above. {due_en} Open it at the link above and sign in as usual."
        )
    return (
        f"Hei {name},\n\n{opening}\n\n{listed}\n\n{after}\n{letter.link}\n\n"
        "Hilsen Forbedringsmodenhet\n\n"
        f"-- \nEnglish: {english}\n"
    )


def compose(letter: Letter, sender: str) -> EmailMessage:
    """The e-mail: text/plain in UTF-8, marked as sent automatically (no auto-replies)."""
    message = EmailMessage()
    message["Subject"] = one_line(subject(letter))
    message["From"] = sender
    message["To"] = Address(display_name=one_line(letter.name), addr_spec=letter.address)
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body(letter))
    return message


# Sending -----------------------------------------------------------------------------------


class Mailer(Protocol):
    """What sends the messages: SmtpMailer, or a test's stand-in."""

    sender: str

    def send(self, messages: Sequence[EmailMessage]) -> list[str | None]:
        """Send each message; for each, None when the server took it, else why not. A failure
        of the connection or of one recipient is an answer, never an exception."""
        ...


class SmtpMailer:
    """Messages through one SMTP connection: STARTTLS (the default) or TLS from the start, with
    the system's certificates (and `ca_file`'s) checked; a login only over TLS."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.sender = settings.sender

    def send(self, messages: Sequence[EmailMessage]) -> list[str | None]:
        results: list[str | None] = []
        if not messages:
            return results
        try:
            server = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            return [describe(error)] * len(messages)
        try:
            for message in messages:
                try:
                    refused = server.send_message(message)
                    results.append(describe_refused(refused) if refused else None)
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused,
                ) as error:
                    results.append(describe(error))  # smtplib has reset the transaction: go on
                except (OSError, smtplib.SMTPException) as error:
                    lost = describe(error)  # the connection is gone: none of the rest went out
                    results += [lost] * (len(messages) - len(results))
                    break
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()
        return results

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file) if s.security != "none" else None
        if s.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            server = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            server.ehlo()
            if s.security == "starttls":
                server.starttls(context=context)  # refused by the server: the send fails, never in clear
                server.ehlo()
            if s.username:
                server.login(s.username, s.password or "")
        except BaseException:
            server.close()
            raise
        return server


def describe(error: BaseException) -> str:
    """A failure as the record keeps it: the server's code and words, or the network's."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return describe_refused(error.recipients)
    if isinstance(error, smtplib.SMTPResponseException):
        words = (
            error.smtp_error.decode("utf-8", "replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        text = f"{error.smtp_code} {words}"
    elif isinstance(error, smtplib.SMTPNotSupportedError):
        text = f"the server does not offer it: {error}"
    else:
        text = str(error) or type(error).__name__
    return one_line(f"{type(error).__name__}: {text}")[:MAX_ERROR]


def describe_refused(refused: Mapping[str, tuple[int, bytes]]) -> str:
    parts = [
        f"{address}: {code} {words.decode('utf-8', 'replace') if isinstance(words, bytes) else words}"
        for address, (code, words) in refused.items()
    ]
    return one_line("refused " + "; ".join(parts))[:MAX_ERROR]
