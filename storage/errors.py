"""Errors the services raise and the UI shows: a code, its parameters and a message in nb or en."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scoring.yamlsource import read_text_file

MESSAGES: dict[str, dict[str, str]] = {
    "access_denied": {
        "en": "You do not have the right to {what}.",
        "nb": "Du har ikke rett til å {what_nb}.",
    },
    "not_found": {
        "en": "{what} '{id}' was not found.",
        "nb": "Fant ikke {what_nb} «{id}».",
    },
    "conflict": {
        "en": "Someone else changed this {what} after you opened it. Reload to see their "
        "changes; nothing of yours was overwritten.",
        "nb": "Noen andre har endret {what_nb} etter at du åpnet siden. Last inn på nytt for å "
        "se endringene; ingenting ble overskrevet.",
    },
    "wrong_status": {
        "en": "The assessment is {status}; it cannot be {action} now.",
        "nb": "Vurderingen har status «{status_nb}» og kan ikke {action_nb} nå.",
    },
    "incomplete": {
        "en": "Not answered yet: {items}.",
        "nb": "Ikke besvart ennå: {items}.",
    },
    "invalid": {
        "en": "{detail}",
        "nb": "{detail_nb}",
    },
    "cycle_closed": {
        "en": "Cycle {cycle} is closed.",
        "nb": "Syklusen {cycle} er avsluttet.",
    },
    "workshop_closed": {
        "en": "The workshop is closed; answers can no longer be changed.",
        "nb": "Arbeidsmøtet er avsluttet; svarene kan ikke endres lenger.",
    },
    "already_submitted": {
        "en": "The unit's assessment for {cycle} is already {status}; a workshop can no longer change it.",
        "nb": "Enhetens vurdering for {cycle} er allerede {status_nb}; et arbeidsmøte kan ikke endre den nå.",
    },
    "workshop_full": {
        "en": "The workshop already has the {expected} participants the leader expected. Ask the "
        "leader to raise the number if you should take part.",
        "nb": "Arbeidsmøtet har allerede de {expected} deltakerne møteleder ventet. Be møteleder "
        "øke antallet hvis du skal være med.",
    },
    "round_closed": {
        "en": "The rating round is over: the answers can no longer be changed.",
        "nb": "Vurderingsrunden er avsluttet: svarene kan ikke endres lenger.",
    },
    "rating_submitted": {
        "en": "Your answers are already sent in.",
        "nb": "Svarene dine er allerede sendt inn.",
    },
    "too_few_ratings": {
        "en": "At least {minimum} participants must have sent in their answers before the round can "
        "close (now {n}), so that nobody's answers can be recognised.",
        "nb": "Minst {minimum} deltakere må ha sendt inn før runden kan avsluttes (nå {n}), slik at "
        "ingen kan kjennes igjen på svarene sine.",
    },
    "wrong_phase": {
        "en": "The workshop has moved on; reload the page.",
        "nb": "Arbeidsmøtet har gått videre; last inn siden på nytt.",
    },
    "too_many_attempts": {
        "en": "Too many attempts with a wrong code. Wait {minutes} minutes and try again, or ask the "
        "leader for the link.",
        "nb": "For mange forsøk med feil kode. Vent {minutes} minutter og prøv igjen, eller be "
        "møteleder om lenken.",
    },
    "import_outdated": {
        "en": "Someone changed the assessments this import would create or replace after the "
        "preview (one was started or validated). Nothing was imported; check the file again.",
        "nb": "Noen har endret vurderingene denne importen skulle opprette eller erstatte etter "
        "forhåndsvisningen (en ble startet eller godkjent). Ingenting ble importert; kontroller "
        "filen på nytt.",
    },
    "busy": {
        "en": "The database is busy for a moment, for example with a large import, so this is not "
        "saved yet. Nothing is lost: try again in a little while.",
        "nb": "Databasen er opptatt et øyeblikk, for eksempel med en stor import, så dette er ikke "
        "lagret ennå. Ingenting er tapt: prøv igjen om litt.",
    },
    "cycle_in_use": {
        "en": "{n} assessment(s) in {cycle} were started with another questionnaire version; "
        "a cycle's version can change only before anyone starts.",
        "nb": "{n} vurdering(er) i {cycle} er startet med en annen versjon av spørreskjemaet; "
        "syklusens versjon kan bare endres før noen har begynt.",
    },
    "mail_off": {
        "en": "E-mail is not set up: set [smtp] host and from in .streamlit/secrets.toml (or "
        "MATURITY_SMTP_HOST and MATURITY_SMTP_FROM where the app is started).",
        "nb": "E-post er ikke satt opp: sett host og from under [smtp] i .streamlit/secrets.toml (eller "
        "MATURITY_SMTP_HOST og MATURITY_SMTP_FROM der appen startes).",
    },
    "mail_no_public_url": {
        "en": "The app's public address is not set, so the e-mail could not link to it: set public_url "
        "under [app] in .streamlit/secrets.toml (or MATURITY_PUBLIC_URL). Nothing was sent.",
        "nb": "Appens offentlige adresse er ikke satt, så e-posten kan ikke lenke til den: sett public_url "
        "under [app] i .streamlit/secrets.toml (eller MATURITY_PUBLIC_URL). Ingenting er sendt.",
    },
    "deadline_passed": {
        "en": "The deadline of {cycle} ({deadline}) has passed; move it under Cycles to send. "
        "Nothing was sent.",
        "nb": "Fristen for {cycle} ({deadline}) er passert; flytt den under Sykluser for å sende. "
        "Ingenting er sendt.",
    },
    "database_not_empty": {
        "en": "The database already holds data; restore only into an empty database.",
        "nb": "Databasen inneholder allerede data; gjenoppretting kan bare gjøres til en tom database.",
    },
}


class ServiceError(Exception):
    """A refusal or failure the user should see, never a silent no-op."""

    code = "invalid"

    def __init__(self, code: str | None = None, **params: Any):
        self.code = code or self.code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        templates = MESSAGES[self.code]
        params = {key: value for key, value in self.params.items()}
        for key, value in list(params.items()):
            params.setdefault(f"{key}_nb", value)
        return (templates.get(lang) or templates["en"]).format(**params)


class AccessDenied(ServiceError, PermissionError):
    code = "access_denied"


class NotFound(ServiceError, LookupError):
    code = "not_found"


class Conflict(ServiceError):
    code = "conflict"


class InvalidInput(ServiceError, ValueError):
    code = "invalid"


class ImportRejected(ServiceError):
    """An import refused as a whole; `problems` lists every bad row."""

    def __init__(self, problems: list[Any]):
        self.problems = problems
        super().__init__(
            "invalid",
            detail=f"{len(problems)} problem(s); nothing was imported",
            detail_nb=f"{len(problems)} feil; ingenting ble importert",
        )


def read_input_file(path: str | Path) -> str:
    """A YAML file given to a load, as UTF-8 text. One that cannot be read (missing, too
    large, or saved in another encoding such as latin-1) is an ImportRejected that names it
    and the line, never a traceback."""
    text, problems = read_text_file(path)
    if text is None:
        raise ImportRejected(problems)
    return text
