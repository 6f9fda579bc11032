"""Reading and checking answers in the long CSV format of DESIGN.md section 6.

The result is an *answer frame*: columns unit, cycle, respondent, item (categorical)
and value (float: the level of a scored item, 1.0/0.0 for yes/no, NaN for no answer).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from scoring.models import Questionnaire
from scoring.problems import Problem, ProblemsError
from scoring.yamlsource import decode_text

REQUIRED_COLUMNS = ("unit", "cycle", "respondent", "item", "answer")
KEY_COLUMNS = ("unit", "cycle", "respondent", "item")
NO_ANSWER = frozenset(
    {
        "",
        "na",
        "n/a",
        "nan",
        "-",
        "vet ikke",
        "ikke aktuelt",
        "vet ikke / ikke aktuelt",
        "vet ikke/ikke aktuelt",
        "don't know",
        "dont know",
        "not applicable",
    }
)
YES = frozenset({"yes", "ja", "1", "true", "y", "j"})
NO = frozenset({"no", "nei", "0", "false", "n"})


def empty_answer_frame() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Categorical([]) for column in KEY_COLUMNS})
    frame["value"] = pd.Series([], dtype="float64")
    return frame


def read_answers_csv(
    source: str | Path | IO[str] | IO[bytes], questionnaire: Questionnaire, file: str | None = None
) -> pd.DataFrame:
    """Read and check an answers CSV; raise ProblemsError listing every bad row."""
    name = file or (str(source) if isinstance(source, (str, Path)) else "<answers>")
    try:
        raw_frame = read_text_csv(source)
    except NotUtf8 as error:
        raise ProblemsError([error.problem(name)]) from error
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ProblemsError([Problem(name, 1, "csv_unreadable", {"detail": _first_line(error)})]) from error
    return parse_answers(raw_frame, questionnaire, name)


class NotUtf8(ValueError):
    """The CSV is not UTF-8: the line of its first byte that is not, and the byte."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message())
        self.line, self.params = problem.line, problem.params

    def problem(self, file: str) -> Problem:
        return Problem(file, self.line, "file_not_utf8", self.params)


def read_text_csv(source: str | Path | IO[str] | IO[bytes]) -> pd.DataFrame:
    """Every cell as text (empty stays empty, "NA" stays "NA"), in UTF-8 with or without a
    BOM, separated by comma, semicolon or tab; NotUtf8 names the line of a file in another
    encoding. A file-like source is rewound afterwards."""
    if isinstance(source, (str, Path)):
        content: str | bytes = Path(source).read_bytes()
    else:
        content = source.read()
        if hasattr(source, "seek"):
            source.seek(0)
    if isinstance(content, bytes):
        decoded, problems = decode_text(content, "")
        if decoded is None:
            raise NotUtf8(problems[0])
        text = decoded
    else:
        text = content.lstrip("\ufeff")
    return pd.read_csv(
        io.StringIO(text),
        sep=delimiter(text),
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skipinitialspace=True,
    )


def parse_answers(raw: pd.DataFrame, questionnaire: Questionnaire, file: str = "<answers>") -> pd.DataFrame:
    """Turn text answers (one row per answer, columns as in the CSV) into an answer frame.

    Every bad row is reported with its CSV line (the header is line 1); nothing is
    returned unless every row is good.
    """
    raw = raw.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise ProblemsError([Problem(file, 1, "missing_columns", {"columns": ", ".join(missing)})])
    if raw.empty:
        return empty_answer_frame()

    text = {c: raw[c].astype("string").fillna("").str.strip() for c in REQUIRED_COLUMNS}
    lines = np.arange(2, len(raw) + 2)
    problems: list[Problem] = []

    for column in KEY_COLUMNS:
        for line in lines[(text[column] == "").to_numpy()]:
            problems.append(Problem(file, int(line), "empty_field", {"column": column}))

    items = {item.id: item for item in questionnaire.items()}
    item_ids = text["item"]
    known = item_ids.isin(list(items)).to_numpy()
    named = (item_ids != "").to_numpy()
    for line, item in zip(lines[named & ~known], item_ids[named & ~known], strict=True):
        problems.append(
            Problem(file, int(line), "unknown_answer_item", {"item": item, "questionnaire": questionnaire.id})
        )

    scored_ids = [i.id for i in items.values() if i.scored]
    is_scored = item_ids.isin(scored_ids).to_numpy()
    is_yesno = known & ~is_scored
    answer = text["answer"]
    folded = answer.str.lower()
    no_answer = folded.isin(list(NO_ANSWER)).to_numpy()
    number = pd.to_numeric(answer, errors="coerce").to_numpy(dtype="float64")
    low, high = min(questionnaire.levels), max(questionnaire.levels)
    whole = np.isfinite(number) & (np.floor(number) == number)
    # a level is written "3": not "3.0", "+3", "03" or "3e0", which a number parser takes
    plain = answer.str.fullmatch(r"[1-9][0-9]*").fillna(False).to_numpy(dtype=bool)
    in_scale = whole & plain & (number >= low) & (number <= high)
    yes = folded.isin(list(YES)).to_numpy()
    no = folded.isin(list(NO)).to_numpy()

    bad_level = is_scored & ~no_answer & ~in_scale
    yesno_words = bad_level & (yes | no) & ~whole
    for line, item, value in zip(lines[yesno_words], item_ids[yesno_words], answer[yesno_words], strict=True):
        problems.append(
            Problem(
                file, int(line), "yesno_on_scored", {"item": item, "value": value, "low": low, "high": high}
            )
        )
    not_plain = bad_level & whole & ~plain & (number >= low) & (number <= high)
    for line, item, value in zip(lines[not_plain], item_ids[not_plain], answer[not_plain], strict=True):
        problems.append(
            Problem(
                file, int(line), "level_not_plain", {"item": item, "value": value, "low": low, "high": high}
            )
        )
    out_of_scale = bad_level & ~yesno_words & ~not_plain
    for line, item, value in zip(
        lines[out_of_scale], item_ids[out_of_scale], answer[out_of_scale], strict=True
    ):
        problems.append(
            Problem(
                file,
                int(line),
                "level_outside_scale",
                {"item": item, "value": value, "low": low, "high": high},
            )
        )
    bad_yesno = is_yesno & ~no_answer & ~yes & ~no
    for line, item, value in zip(lines[bad_yesno], item_ids[bad_yesno], answer[bad_yesno], strict=True):
        problems.append(Problem(file, int(line), "bad_yesno", {"item": item, "value": value}))

    keys = pd.DataFrame({c: text[c] for c in KEY_COLUMNS})
    repeated = keys.duplicated(keep="first").to_numpy()
    if repeated.any():
        first_line = (
            keys.assign(line=lines).drop_duplicates(list(KEY_COLUMNS)).set_index(list(KEY_COLUMNS))["line"]
        )
        for index in np.flatnonzero(repeated):
            row = keys.iloc[index]
            problems.append(
                Problem(
                    file,
                    int(lines[index]),
                    "duplicate_answer",
                    {
                        "respondent": row["respondent"],
                        "item": row["item"],
                        "unit": row["unit"],
                        "cycle": row["cycle"],
                        "first_line": int(first_line.loc[tuple(row)]),
                    },
                )
            )
    if problems:
        raise ProblemsError(sorted(problems, key=lambda p: p.line))

    value = np.full(len(raw), np.nan)
    value[is_scored & ~no_answer] = number[is_scored & ~no_answer]
    value[is_yesno & yes & ~no_answer] = 1.0
    value[is_yesno & no & ~no_answer] = 0.0
    frame = pd.DataFrame({c: pd.Categorical(text[c].astype(str)) for c in KEY_COLUMNS})
    frame["value"] = value
    return frame


def delimiter(text: str) -> str:
    """Comma by default; semicolon or tab when the header uses them (Excel in nb-NO)."""
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
