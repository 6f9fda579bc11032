"""Command line of the scoring core: validate definitions, score answers, write the schema.

Offline and database-free; see DESIGN.md section 6 for the contract.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import pandas as pd

from scoring.answers import read_answers_csv
from scoring.engine import ROADMAP_COLUMNS, score
from scoring.problems import Problem, ProblemsError
from scoring.schema import json_schema
from scoring.validation import load_questionnaire, load_roadmap, validate_files

DECIMAL_COLUMNS = ("score", "spread", "journey")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring", description=__doc__)
    parser.add_argument("--lang", choices=["en", "nb"], default="en", help="language of messages")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("validate", help="check questionnaire and roadmap YAML files")
    check.add_argument("files", nargs="+", metavar="FILE")

    run = commands.add_parser("score", help="score an answers CSV")
    run.add_argument("questionnaire", metavar="QUESTIONNAIRE")
    run.add_argument("answers", metavar="ANSWERS")
    run.add_argument("--roadmap", metavar="ROADMAP")
    run.add_argument("--out", metavar="FILE", help="write the CSV here instead of stdout")

    schema = commands.add_parser("schema", help="write the JSON Schema of the YAML files")
    schema.add_argument("--out", metavar="FILE", help="default: stdout")

    args = parser.parse_args(argv)
    if args.command == "validate":
        return _validate(args.files, args.lang)
    if args.command == "score":
        return _score(args.questionnaire, args.answers, args.roadmap, args.out, args.lang)
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _validate(files: Sequence[str], lang: str) -> int:
    problems = validate_files(files)
    _report(problems, lang)
    if not problems:
        print(f"{len(files)} file(s) valid", file=sys.stderr)
    return 1 if problems else 0


def _score(
    questionnaire_path: str, answers_path: str, roadmap_path: str | None, out: str | None, lang: str
) -> int:
    try:
        questionnaire = load_questionnaire(questionnaire_path)
        roadmap = load_roadmap(roadmap_path, questionnaire) if roadmap_path else None
        answers = read_answers_csv(answers_path, questionnaire)
    except ProblemsError as error:
        _report(error.problems, lang, stream=sys.stderr)
        return 1
    table = score(questionnaire, answers, roadmap).table()
    text = format_table(table, with_roadmap=roadmap is not None)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def format_table(table: pd.DataFrame, with_roadmap: bool) -> str:
    """The contract CSV: decimals without noise, a missing value as an empty cell."""
    frame = table.copy()
    if not with_roadmap:
        frame = frame.drop(columns=[c for c in ROADMAP_COLUMNS if c in frame.columns])
    for column in DECIMAL_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].map(format_decimal)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def format_decimal(value: float | None) -> str:
    """Six decimals at most, no trailing zeros; empty for a missing value."""
    if value is None or pd.isna(value):
        return ""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _report(problems: list[Problem], lang: str, stream: TextIO | None = None) -> None:
    """Print each problem as `FILE:LINE: message` (stdout unless told otherwise)."""
    for problem in problems:
        print(problem.render(lang), file=stream or sys.stdout)
