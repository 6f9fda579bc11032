"""Files out, streamed (storage.transfer): a workbook past a sheet's rows goes on in new
sheets, each with the header row; text that a spreadsheet would run as a formula is
neutralised in CSV and Excel alike; numbers stay numbers and dates dates; the results come
from the database in chunks with the same rows and the same permissions as before; and the
command line's CSV and Excel exports of a clinic hold the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from storage import assessments as svc
from storage import transfer
from storage.actors import SYSTEM
from storage.cli import main
from storage.db import make_engine
from storage.transfer import (
    RESULT_COLUMNS,
    csv_bytes,
    export_results,
    stream_results,
    write_csv,
    write_xlsx,
    xlsx_bytes,
)

from .conftest import Clinic, full_answers

HOSTILE = [
    '=HYPERLINK("http://evil.invalid/x";"x")',
    "+1",
    "-1+2",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def read_xlsx(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's rows as values, by the sheet's name, in the workbook's order."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book}


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def test_rows_past_a_sheet_go_on_in_new_sheets_each_with_the_header(tmp_path: Path) -> None:
    """13 rows in sheets of 5 (the header and 4 rows): four sheets, named on from the first,
    every row once and in order; rows that fill their sheets exactly make no empty sheet,
    and no rows at all a sheet with only the header."""
    columns = ["n", "text", "score"]
    rows = [(n, f"row {n}", n / 4) for n in range(13)]
    out = tmp_path / "split.xlsx"
    written = write_xlsx(iter(rows), columns, out, "Resultater", max_rows=5)
    assert written.rows == 13
    assert written.sheets == ("Resultater", "Resultater 2", "Resultater 3", "Resultater 4")
    sheets = read_xlsx(out)
    assert list(sheets) == list(written.sheets)
    assert all(sheet[0] == columns for sheet in sheets.values())
    assert [len(sheet) for sheet in sheets.values()] == [5, 5, 5, 2]
    back = [tuple(row) for sheet in sheets.values() for row in sheet[1:]]
    assert back == rows

    exact = tmp_path / "exact.xlsx"
    assert write_xlsx(rows[:8], columns, exact, "Resultater", max_rows=5).sheets == (
        "Resultater",
        "Resultater 2",
    )
    assert [len(sheet) for sheet in read_xlsx(exact).values()] == [5, 5]

    empty = tmp_path / "empty.xlsx"
    assert write_xlsx([], columns, empty, "Resultater", max_rows=5).sheets == ("Resultater",)
    assert read_xlsx(empty) == {"Resultater": [columns]}

    # a long name is cut to Excel's 31 characters, its number kept; characters Excel refuses go
    long = "Resultater for alle helseforetak: 2025/2026"
    names = write_xlsx(rows, columns, tmp_path / "long.xlsx", long, max_rows=10).sheets
    assert [len(name) for name in names] == [31, 31] and names[1].endswith(" 2")
    assert not any(character in name for name in names for character in "[]:*?/\\")
    assert list(read_xlsx(tmp_path / "long.xlsx")) == list(names)


def test_a_sheet_near_the_size_a_zip_entry_holds_goes_on_in_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Besides its rows, a sheet's XML is bounded (long texts could pass the 2 GiB that a
    zip entry holds without zip64): past SHEET_BYTES the rows go on in a new sheet."""
    monkeypatch.setattr(transfer, "SHEET_BYTES", 3_000)
    monkeypatch.setattr(transfer, "FLUSH_CHARS", 1)
    rows = [(n, "x" * 1_000) for n in range(10)]
    out = tmp_path / "big.xlsx"
    written = write_xlsx(rows, ["n", "text"], out, "Data")
    sheets = read_xlsx(out)
    assert written.rows == 10 and len(written.sheets) == 4 and list(sheets) == list(written.sheets)
    assert [tuple(row) for sheet in sheets.values() for row in sheet[1:]] == rows
    assert all(sheet[0] == ["n", "text"] for sheet in sheets.values())


def test_formulas_are_neutralised_on_the_streaming_path(tmp_path: Path) -> None:
    """Hostile cells and a hostile column name: in the CSV and in every sheet of the
    workbook each starts with an apostrophe and is otherwise as written; no cell of the
    workbook is a formula, and a number with a minus stays a number."""
    columns = ["unit", "=comment", "score"]
    rows = [(f"u{n}", text, -1.5) for n, text in enumerate(HOSTILE)]
    xlsx, csv_file = tmp_path / "hostile.xlsx", tmp_path / "hostile.csv"
    write_xlsx(iter(rows), columns, xlsx, "Data", max_rows=4)
    write_csv(iter(rows), columns, csv_file)

    expected = [["unit", "'=comment", "score"]] + [[f"u{n}", "'" + t, -1.5] for n, t in enumerate(HOSTILE)]
    book = openpyxl.load_workbook(xlsx)
    assert len(book.sheetnames) == 3
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = [[c.value for c in row] for sheet in book for row in sheet.iter_rows(min_row=2)]
    assert [["unit", "'=comment", "score"]] + values == expected
    assert all(book[name]["B1"].value == "'=comment" for name in book.sheetnames)

    written = read_csv(csv_file)
    assert written == [[str(v) for v in row] for row in expected]
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbfunit,")  # UTF-8 with a BOM


def test_numbers_stay_numbers_and_dates_dates(tmp_path: Path) -> None:
    """Python's, numpy's and pandas' numbers are numeric cells, dates and times Excel dates,
    missing values (None, NaN, NA, NaT) empty cells; in the CSV numbers as written."""
    columns = ["int", "float", "np_int", "np_float", "yes", "date", "time", "missing", "nan", "na", "nat"]
    row = (
        3,
        2.25,
        np.int64(7),
        np.float64(-0.5),
        True,
        dt.date(2025, 9, 1),
        dt.datetime(2025, 9, 1, 14, 30),
        None,
        math.nan,
        pd.NA,
        pd.NaT,
    )
    out = tmp_path / "types.xlsx"
    write_xlsx([row], columns, out)
    sheet = openpyxl.load_workbook(out).active
    (cells,) = sheet.iter_rows(min_row=2)
    assert [c.value for c in cells[:5]] == [3, 2.25, 7, -0.5, True]
    assert [c.data_type for c in cells[:5]] == ["n", "n", "n", "n", "b"]
    assert cells[5].is_date and cells[5].value == dt.datetime(2025, 9, 1)
    assert cells[6].is_date and cells[6].value == dt.datetime(2025, 9, 1, 14, 30)
    assert [c.value for c in cells[7:]] == [None] * 4

    csv_file = tmp_path / "types.csv"
    write_csv([row], columns, csv_file)
    numbers, dates = ["3", "2.25", "7", "-0.5", "True"], ["2025-09-01", "2025-09-01 14:30:00"]
    assert read_csv(csv_file)[1] == numbers + dates + [""] * 4


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    """Rows that fail half-way (the database gone) leave neither the file nor a part of it."""

    def failing():
        yield (1, "a")
        raise RuntimeError("the database went away")

    for name, write in (("out.xlsx", write_xlsx), ("out.csv", write_csv)):
        with pytest.raises(RuntimeError):
            write(failing(), ["n", "text"], tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_page_tables_go_through_the_same_writers() -> None:
    """A page's table (csv_bytes, xlsx_bytes) is written by the streaming writers: the same
    neutralising, numbers as numbers, the sheet named as asked."""
    frame = pd.DataFrame({"Enhet": ['=HYPERLINK("x")', "Post A"], "Skår": [2.5, math.nan]})
    table = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig")
    assert list(table["Enhet"]) == ['\'=HYPERLINK("x")', "Post A"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, "oversikt")))
    assert book.sheetnames == ["oversikt"]
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [
        ["Enhet", "Skår"],
        ['\'=HYPERLINK("x")', 2.5],
        ["Post A", None],
    ]


def submitted(clinic: Clinic, units: list[str]) -> None:
    """Assessments of `units` sent in, so that each has stored results."""
    for unit in units:
        assessment_id = svc.start_assessment(clinic.engine, SYSTEM, unit, clinic.cycle_id)
        answers = full_answers(clinic.questionnaire)
        version = svc.save_answers(clinic.engine, SYSTEM, assessment_id, 1, answers)
        svc.submit_assessment(clinic.engine, SYSTEM, assessment_id, version)


def test_results_come_in_chunks_with_the_same_rows_and_permissions(clinic: Clinic) -> None:
    """Read two rows at a time (a server-side cursor on PostgreSQL), the results are the
    rows read at once, in order; each reader gets the units they may read and no other."""
    submitted(clinic, ["a", "b", "c"])
    whole = export_results(clinic.engine, SYSTEM)
    assert list(whole.columns) == RESULT_COLUMNS and set(whole["unit"]) == {"a", "b", "c"}
    rows = list(stream_results(clinic.engine, SYSTEM, chunk=2))
    assert rows == list(stream_results(clinic.engine, SYSTEM))  # at once
    assert [row[:4] for row in rows] == list(whole.iloc[:, :4].itertuples(index=False, name=None))
    assert rows == sorted(rows, key=lambda row: (row[0], row[3]))
    assert list(stream_results(clinic.engine, SYSTEM, "2024/2025", chunk=2)) == rows
    assert list(stream_results(clinic.engine, SYSTEM, "1999/2000")) == []
    seen = {
        name: {row[0] for row in stream_results(clinic.engine, clinic.actor(name), chunk=2)}
        for name in ("leader-a", "leader-c", "manager-s1", "manager-k", "advisor", "nobody")
    }
    assert seen == {
        "leader-a": {"a"},
        "leader-c": {"c"},
        "manager-s1": {"a", "b"},
        "manager-k": {"a", "b", "c"},
        "advisor": {"a", "b", "c"},
        "nobody": set(),
    }


def test_the_command_line_exports_a_clinic_alike_in_csv_and_excel(
    database_url: str, tmp_path: Path, capsys
) -> None:
    """The demo clinic's results, every cycle and one: the CSV and the workbook hold the same
    rows (numbers as numbers in the workbook), the ones the results export reads."""
    assert main(["--database", database_url, "init"]) == 0
    engine = make_engine(database_url)
    expected = export_results(engine, SYSTEM)
    engine.dispose()
    assert len(expected) > 100 and expected["cycle"].nunique() > 1
    capsys.readouterr()
    for cycle in (None, "2025/2026"):
        chosen = expected if cycle is None else expected[expected["cycle"] == cycle]
        picked = ["--cycle", cycle] if cycle else []
        csv_file, xlsx = tmp_path / "results.csv", tmp_path / "results.xlsx"
        assert main(["--database", database_url, "export", "--out", str(csv_file), *picked]) == 0
        assert main(["--database", database_url, "export", "--out", str(xlsx), *picked]) == 0
        out = capsys.readouterr().out
        assert out == f"{len(chosen)} row(s) written to {csv_file}\n{len(chosen)} row(s) written to {xlsx}\n"
        from_csv = read_csv(csv_file)
        (sheet,) = read_xlsx(xlsx).values()
        assert from_csv[0] == sheet[0] == RESULT_COLUMNS
        as_text = [["" if v is None else str(v) for v in row] for row in sheet[1:]]
        assert from_csv[1:] == as_text
        assert len(as_text) == len(chosen)
        scores = [row[4] for row in sheet[1:] if row[4] is not None]
        assert scores and all(isinstance(score, float) for score in scores)
        assert [tuple(row[:4]) for row in sheet[1:]] == [
            tuple(row) for row in chosen[["unit", "name", "cycle", "dimension"]].itertuples(index=False)
        ]


def test_the_command_line_says_when_it_split_sheets(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export past a sheet's rows (here made small) is split, and the command says so."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["--database", url, "init"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(transfer, "EXCEL_ROWS", 300)  # the demo clinic has some 700 rows
    out = tmp_path / "results.xlsx"
    assert main(["--database", url, "export", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    sheets = read_xlsx(out)
    rows = sum(len(sheet) - 1 for sheet in sheets.values())
    assert printed[0] == f"{rows} row(s) written to {out}"
    assert len(sheets) > 1 and list(sheets)[:2] == ["Resultater", "Resultater 2"]
    assert printed[1] == (
        f"more rows than one Excel sheet holds: split over {len(sheets)} sheets "
        f"({', '.join(sheets)}), each with the header row"
    )
