"""Problems found in users' files, with where they are and a message in nb or en.

A problem keeps a code and its parameters rather than a finished sentence, so the
command line prints English and the app shows the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "yaml_syntax": {
        "en": "YAML syntax error: {detail}",
        "nb": "Feil i YAML-syntaksen: {detail}",
    },
    "duplicate_key": {
        "en": "{path}: the key '{key}' appears twice in the same mapping",
        "nb": "{path}: nøkkelen '{key}' står to ganger i samme avsnitt",
    },
    "not_a_mapping": {
        "en": "the file must be a mapping of fields (id, title, ...), not {kind}",
        "nb": "filen må være en samling felt (id, title, ...), ikke {kind}",
    },
    "unknown_kind": {
        "en": "neither a questionnaire (it has no 'dimensions') nor a roadmap (no 'stages')",
        "nb": "verken et spørreskjema (mangler 'dimensions') eller et veikart (mangler 'stages')",
    },
    "missing": {
        "en": "{path}: missing field '{field}'",
        "nb": "{path}: feltet '{field}' mangler",
    },
    "unknown_field": {
        "en": "{path}: unknown field '{field}'",
        "nb": "{path}: ukjent felt '{field}'",
    },
    "expected_text": {
        "en": '{path}: expected text; write it in quotes, e.g. "{value}"',
        "nb": '{path}: her skal det stå tekst; sett verdien i anførselstegn, f.eks. "{value}"',
    },
    "expected_type": {
        "en": "{path}: expected {expected}, got {got}",
        "nb": "{path}: forventet {expected}, fikk {got}",
    },
    "not_positive": {
        "en": "{path}: must be greater than 0, got {value}",
        "nb": "{path}: må være større enn 0, fikk {value}",
    },
    "out_of_range": {
        "en": "{path}: {detail}, got {value}",
        "nb": "{path}: {detail}, fikk {value}",
    },
    "bad_choice": {
        "en": "{path}: must be one of {choices}, got {value}",
        "nb": "{path}: må være en av {choices}, fikk {value}",
    },
    "bad_identifier": {
        "en": "{path}: '{value}' may contain only {allowed}",
        "nb": "{path}: '{value}' kan bare inneholde {allowed}",
    },
    "too_short": {
        "en": "{path}: needs at least {min} {noun}",
        "nb": "{path}: trenger minst {min} {noun}",
    },
    "invalid": {
        "en": "{path}: {detail}",
        "nb": "{path}: {detail}",
    },
    "duplicate_id": {
        "en": "{path}: duplicate id '{id}' (first used at line {first_line})",
        "nb": "{path}: id-en '{id}' er brukt før (linje {first_line})",
    },
    "scale_levels": {
        "en": "{path}: scale levels must be 1, 2, ... {n} in order, got {got}",
        "nb": "{path}: skalanivåene må være 1, 2, ... {n} i rekkefølge, fikk {got}",
    },
    "anchors_mismatch": {
        "en": "{path}: anchors must cover exactly the scale levels {levels}; {detail}",
        "nb": "{path}: ankrene må dekke nøyaktig skalanivåene {levels}; {detail}",
    },
    "anchors_missing": {
        "en": "{path}: a scored item needs anchors for the scale levels {levels}",
        "nb": "{path}: et scoret spørsmål trenger ankre for skalanivåene {levels}",
    },
    "anchors_on_yesno": {
        "en": "{path}: a yes/no item has no anchors",
        "nb": "{path}: et ja/nei-spørsmål har ikke ankre",
    },
    "no_scored_items": {
        "en": "{path}: dimension '{id}' has no scored item",
        "nb": "{path}: dimensjonen '{id}' har ingen scorede spørsmål",
    },
    "criterion_target": {
        "en": "{path}: a criterion names exactly one of 'item' or 'dimension'",
        "nb": "{path}: et kriterium skal peke på nøyaktig én av 'item' eller 'dimension'",
    },
    "unknown_item": {
        "en": "{path}: unknown item '{id}' in questionnaire '{questionnaire}'",
        "nb": "{path}: spørsmålet '{id}' finnes ikke i spørreskjemaet '{questionnaire}'",
    },
    "unknown_dimension": {
        "en": "{path}: unknown dimension '{id}' in questionnaire '{questionnaire}'",
        "nb": "{path}: dimensjonen '{id}' finnes ikke i spørreskjemaet '{questionnaire}'",
    },
    "min_level_outside_scale": {
        "en": "{path}: min_level {value} is outside the scale {low}-{high}",
        "nb": "{path}: min_level {value} er utenfor skalaen {low}-{high}",
    },
    "min_level_on_yesno": {
        "en": "{path}: item '{id}' is a yes/no item and takes no min_level",
        "nb": "{path}: '{id}' er et ja/nei-spørsmål og skal ikke ha min_level",
    },
    "min_level_required": {
        "en": "{path}: {what} '{id}' is scored and needs a min_level",
        "nb": "{path}: {what} '{id}' er scoret og trenger min_level",
    },
    "questionnaire_not_found": {
        "en": "questionnaire '{id}' named by the roadmap was not found among the files given "
        "or beside the roadmap",
        "nb": "spørreskjemaet '{id}' som veikartet viser til, finnes verken blant filene "
        "eller ved siden av veikartet",
    },
    "questionnaire_invalid": {
        "en": "questionnaire '{id}' has errors, so the roadmap cannot be checked against it",
        "nb": "spørreskjemaet '{id}' har feil, så veikartet kan ikke kontrolleres mot det",
    },
    "roadmap_mismatch": {
        "en": "the roadmap is for questionnaire '{roadmap}', not '{questionnaire}'",
        "nb": "veikartet gjelder spørreskjemaet '{roadmap}', ikke '{questionnaire}'",
    },
    "file_unreadable": {
        "en": "cannot read the file: {detail}",
        "nb": "kan ikke lese filen: {detail}",
    },
    "file_not_utf8": {
        "en": "the file is not UTF-8 (byte {byte} on this line): save it as UTF-8 and try again",
        "nb": "filen er ikke lagret som UTF-8 (byte {byte} på denne linjen): lagre den som UTF-8 "
        "og prøv igjen",
    },
    "file_too_large": {
        "en": "the file is {size} MB; a definition may be at most {limit} MB",
        "nb": "filen er på {size} MB; en definisjon kan være på høyst {limit} MB",
    },
    "yaml_too_deep": {
        "en": "the YAML nests deeper than {limit} levels here; no definition needs that",
        "nb": "YAML-en ligger mer enn {limit} nivåer dypt her; ingen definisjon trenger det",
    },
    "yaml_too_many_nodes": {
        "en": "the YAML grows past {limit} values once its aliases (*name) are followed; "
        "write the values out instead",
        "nb": "YAML-en blir større enn {limit} verdier når aliasene (*navn) følges; "
        "skriv verdiene ut i stedet",
    },
    # answers CSV
    "csv_unreadable": {
        "en": "cannot read the answers as CSV: {detail}",
        "nb": "kan ikke lese svarene som CSV: {detail}",
    },
    "missing_columns": {
        "en": "missing column(s) {columns}; the header must have unit,cycle,respondent,item,answer",
        "nb": "mangler kolonne(r) {columns}; overskriften må ha unit,cycle,respondent,item,answer",
    },
    "empty_field": {
        "en": "'{column}' is empty",
        "nb": "'{column}' er tom",
    },
    "unknown_answer_item": {
        "en": "unknown item '{item}' (not in questionnaire '{questionnaire}')",
        "nb": "ukjent spørsmål '{item}' (finnes ikke i spørreskjemaet '{questionnaire}')",
    },
    "level_outside_scale": {
        "en": "item '{item}': answer '{value}' is not a level {low}-{high}",
        "nb": "spørsmål '{item}': svaret '{value}' er ikke et nivå {low}-{high}",
    },
    "level_not_plain": {
        "en": "item '{item}': answer '{value}': write the level as a whole number {low}-{high}, e.g. 3",
        "nb": "spørsmål '{item}': svaret '{value}': skriv nivået som et helt tall {low}-{high}, f.eks. 3",
    },
    "yesno_on_scored": {
        "en": "item '{item}' is scored; '{value}' is a yes/no answer, give a level {low}-{high}",
        "nb": "spørsmål '{item}' er scoret; '{value}' er et ja/nei-svar, oppgi et nivå {low}-{high}",
    },
    "bad_yesno": {
        "en": "item '{item}' is a yes/no item; answer '{value}' is not yes/no/ja/nei/1/0",
        "nb": "spørsmål '{item}' er et ja/nei-spørsmål; svaret '{value}' er ikke ja/nei/yes/no/1/0",
    },
    "duplicate_answer": {
        "en": "a second answer by respondent '{respondent}' on item '{item}' for "
        "{unit} {cycle} (first at line {first_line})",
        "nb": "svar nummer to fra '{respondent}' på spørsmål '{item}' for {unit} {cycle} "
        "(første på linje {first_line})",
    },
    "unknown_unit": {
        "en": "unknown unit '{unit}' (not in the organisation)",
        "nb": "ukjent enhet '{unit}' (finnes ikke i organisasjonen)",
    },
    "unknown_cycle": {
        "en": "unknown cycle '{cycle}'",
        "nb": "ukjent syklus '{cycle}'",
    },
    "validated_assessment": {
        "en": "{respondent}'s assessment of {unit} {cycle} is validated; return it before replacing it",
        "nb": "vurderingen til {respondent} for {unit} {cycle} er validert; "
        "send den tilbake før den erstattes",
    },
}


@dataclass(frozen=True)
class Problem:
    """One problem in one file, at a line (0 when the whole file is meant)."""

    file: str
    line: int
    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def message(self, lang: str = "en") -> str:
        templates = MESSAGES[self.code]
        template = templates.get(lang) or templates["en"]
        return template.format(**self.params)

    def render(self, lang: str = "en") -> str:
        """`FILE:LINE: message`, the form editors and CI logs link to."""
        return f"{self.file}:{self.line}: {self.message(lang)}"


class ProblemsError(Exception):
    """Raised where problems stop work, carrying every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))
