"""Files out: exports with formulas neutralised, as CSV or Excel (answers import:
storage.importing; backup and restore: storage.backup).

Every table goes out through one of two writers that take rows as they come and hold only
a buffer of them: `write_csv` (UTF-8 with a BOM) and `write_xlsx` (an Excel workbook written
as a stream of XML into its zip, a new sheet with the header row again whenever one would
pass Excel's 1,048,576 rows). Text that a spreadsheet would run as a formula gets a
leading apostrophe in both; numbers stay numbers and dates dates in the workbook.
`stream_results` reads the results export from the database in chunks, so the whole
national export is never in memory at once.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import decimal
import io
import math
import numbers
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Select, select

from storage.actors import Actor
from storage.db import reading, stream_rows
from storage.permissions import may, reach
from storage.tables import (
    cycle,
    org_unit_version,
    unit_result,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_ROWS = 1_048_576  # rows in one sheet, its header row included
EXCEL_TEXT = 32_767  # characters in one cell
SHEET_BYTES = 1 << 30  # a sheet's XML ends before this, well below the 2 GiB a zip entry holds without zip64
CHUNK_ROWS = 10_000  # rows read from the database at a time
FLUSH_CHARS = 1 << 20  # a sheet's XML goes into the zip in pieces of about this many characters

Target = str | os.PathLike[str] | IO[bytes]


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclasses.dataclass(frozen=True)
class Written:
    """What a writer wrote: data rows (the header not counted) and, for a workbook, its sheets."""

    rows: int
    sheets: tuple[str, ...] = ()


# CSV ----------------------------------------------------------------------------------


def write_csv(rows: Iterable[Iterable[Any]], columns: Iterable[Any], out: Target) -> Written:
    """UTF-8 CSV with a BOM, so Excel in Norway opens æøå right; rows written as they come.

    Text that could run as a formula is neutralised, a missing value (None, NaN, NA) is an
    empty cell. Lines end in CRLF, so a field with a line break or a carriage return is quoted."""
    count = 0
    with _binary(out) as stream:
        stream.write(codecs.BOM_UTF8)
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")  # utf-8-sig has no fast path
        try:
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([neutralise(str(c)) for c in columns])
            for row in rows:
                writer.writerow(
                    [
                        ("'" + v if v.startswith(FORMULA_START) else v)
                        if v.__class__ is str
                        else ("" if v != v else v)
                        if v.__class__ is float
                        else v
                        if v.__class__ is int or v is None
                        else _csv_cell(v)
                        for v in row
                    ]
                )
                count += 1
            text.flush()
        finally:
            text.detach()
    return Written(count)


def _csv_cell(value: Any) -> Any:
    """A cell of another type than text, float, int or None (which `write_csv` writes itself)."""
    kind = type(value)
    return (_CSV_KINDS.get(kind) or _csv_kind(kind, value))(value)


def _csv_kind(kind: type, value: Any) -> Callable[[Any], Any]:
    """How a cell of this type (numpy's and pandas' among them) is written, found once."""
    if value is pd.NA or value is pd.NaT:
        convert: Callable[[Any], Any] = _empty_text
    elif isinstance(value, str):
        convert = neutralise
    elif isinstance(value, bool | np.bool_ | numbers.Integral | dt.date | dt.time):
        convert = _same
    elif isinstance(value, numbers.Real | decimal.Decimal):
        convert = _number_or_empty
    else:
        convert = _as_neutral_text
    _CSV_KINDS[kind] = convert
    return convert


def _empty_text(_value: Any) -> str:
    return ""


def _same(value: Any) -> Any:
    return value


def _number_or_empty(value: Any) -> Any:
    return "" if value != value else value


def _as_neutral_text(value: Any) -> Any:
    return neutralise(str(value))


_CSV_KINDS: dict[type, Callable[[Any], Any]] = {}


# XLSX ---------------------------------------------------------------------------------


def write_xlsx(
    rows: Iterable[Iterable[Any]],
    columns: Iterable[Any],
    out: Target,
    sheet: str = "Data",
    max_rows: int | None = None,
) -> Written:
    """An Excel workbook of the rows, written as they come: each sheet's XML goes straight
    into the zip, so memory holds one buffer of rows, never the workbook.

    A sheet holds at most `max_rows` rows, its header row included (by default Excel's
    limit, EXCEL_ROWS); past it the rows go on in a new sheet, `sheet`, `sheet 2`, `sheet 3`, …, each
    with the header row. Text that could run as a formula is neutralised; numbers are
    numbers, dates and times Excel dates (dd.mm.åååå, with hh:mm for a time); a missing
    value (None, NaN, NA, NaT) is an empty cell. Returns the rows and the sheets written."""
    max_rows = max_rows or EXCEL_ROWS
    if max_rows < 2:
        raise ValueError("a sheet needs room for its header row and one row of data")
    names = [neutralise(str(c)) for c in columns]
    letters = [_column_letters(i) for i in range(len(names))]
    header = "".join(
        f'<c r="{letter}1" s="{HEADER_STYLE}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(name)}'
        "</t></is></c>"
        for letter, name in zip(letters, names, strict=True)
    )
    sheets: list[str] = []
    count = 0
    with _binary(out) as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        rows = iter(rows)
        first = next(rows, None)
        while first is not None or not sheets:
            sheets.append(_sheet_name(sheet, len(sheets) + 1))
            with book.open(f"xl/worksheets/sheet{len(sheets)}.xml", "w") as part:
                written = _write_sheet(part, header, letters, first, rows, max_rows - 1)
            count += written
            first = next(rows, None) if written else None
        for name, content in _package_parts(sheets):
            book.writestr(name, content)
    return Written(count, tuple(sheets))


HEADER_STYLE, DATE_STYLE, DATETIME_STYLE = 3, 1, 2  # cellXfs in STYLES


def _write_sheet(
    part: IO[bytes], header: str, letters: list[str], first: Any, rows: Iterator[Any], room: int
) -> int:
    """One sheet: the header row, then `first` and the rows after it until the sheet has
    `room` rows of data or its XML nears SHEET_BYTES. Returns how many rows it took."""
    part.write(SHEET_START + f'<row r="1">{header}</row>'.encode())
    buffer: list[str] = []
    pending = size = taken = 0
    row = first
    while row is not None:
        number = taken + 2
        cells = []
        for letter, value in zip(letters, row, strict=False):
            kind = value.__class__
            if kind is str:  # the common kinds here, the others through _XLSX_KINDS
                if value.startswith(FORMULA_START):
                    value = "'" + value
                if len(value) > EXCEL_TEXT or _NOT_PLAIN_XML.search(value):
                    value = _xml_text(value)
                cells.append(
                    f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
                )
            elif kind is float:
                if value - value == 0:  # not NaN or infinite
                    cells.append(f'<c r="{letter}{number}"><v>{value!r}</v></c>')
            elif kind is int:
                cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
            elif value is not None:
                cell = (_XLSX_KINDS.get(kind) or _xlsx_kind(kind, value))(f"{letter}{number}", value)
                if cell:
                    cells.append(cell)
        line = f'<row r="{number}">{"".join(cells)}</row>'
        buffer.append(line)
        pending += len(line)
        taken += 1
        if pending >= FLUSH_CHARS:
            size += _flush(part, buffer)
            pending = 0
        if taken >= room or size >= SHEET_BYTES:
            break
        row = next(rows, None)
    _flush(part, buffer)
    part.write(SHEET_END)
    return taken


def _flush(part: IO[bytes], buffer: list[str]) -> int:
    data = "".join(buffer).encode()
    part.write(data)
    buffer.clear()
    return len(data)


def _xlsx_text(ref: str, value: str) -> str:
    if value.startswith(FORMULA_START):
        value = "'" + value
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(value)}</t></is></c>'


def _xlsx_number(ref: str, value: Any) -> str:
    number = float(value)
    return f'<c r="{ref}"><v>{number!r}</v></c>' if math.isfinite(number) else ""


def _xlsx_int(ref: str, value: Any) -> str:
    return f'<c r="{ref}"><v>{int(value)}</v></c>'


def _xlsx_bool(ref: str, value: Any) -> str:
    return f'<c r="{ref}" t="b"><v>{int(bool(value))}</v></c>'


def _xlsx_date(ref: str, value: dt.date) -> str:
    return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'


def _xlsx_datetime(ref: str, value: dt.datetime) -> str:
    days = (value.replace(tzinfo=None) - EXCEL_EPOCH) / dt.timedelta(days=1)
    return f'<c r="{ref}" s="{DATETIME_STYLE}"><v>{days!r}</v></c>'


def _xlsx_empty(_ref: str, _value: Any) -> str:
    return ""


def _xlsx_other(ref: str, value: Any) -> str:
    return _xlsx_text(ref, str(value))


def _xlsx_kind(kind: type, value: Any) -> Callable[[str, Any], str]:
    """How a cell of this type (numpy's and pandas' among them) is written, found once."""
    if value is pd.NA or value is pd.NaT:
        write: Callable[[str, Any], str] = _xlsx_empty
    elif isinstance(value, str):
        write = _xlsx_text
    elif isinstance(value, bool | np.bool_):
        write = _xlsx_bool
    elif isinstance(value, numbers.Integral):
        write = _xlsx_int
    elif isinstance(value, numbers.Real | decimal.Decimal):
        write = _xlsx_number
    elif isinstance(value, dt.datetime):
        write = _xlsx_datetime
    elif isinstance(value, dt.date):
        write = _xlsx_date
    else:
        write = _xlsx_other
    _XLSX_KINDS[kind] = write
    return write


EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's dates (1900 system, past 1 March 1900)
_XLSX_KINDS: dict[type, Callable[[str, Any], str]] = {
    str: _xlsx_text,
    float: _xlsx_number,
    int: _xlsx_int,
    bool: _xlsx_bool,
    type(None): _xlsx_empty,
    dt.date: _xlsx_date,
    dt.datetime: _xlsx_datetime,
}

_NOT_PLAIN_XML = re.compile(r"[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]|_x")  # text that needs _xml_text
# What XML 1.0 cannot hold as text: control characters become Excel's _xHHHH_ escapes, a
# carriage return a character reference (a reader would turn it into a line feed), a lone
# surrogate U+FFFD; the underscore of a literal "_x0041_" is escaped so Excel keeps it.
_NOT_PLAIN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]|[\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)")


def _xml_text(value: str) -> str:
    """Text for a cell: at most EXCEL_TEXT characters, escaped for XML."""
    if len(value) > EXCEL_TEXT:
        value = value[:EXCEL_TEXT]
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if not value.isprintable() or "_x" in value:
        value = _NOT_PLAIN.sub(_escape_character, value)
    return value


def _escape_character(match: re.Match[str]) -> str:
    character = match.group()
    if character == "\r":
        return "&#13;"
    if "\ud800" <= character <= "\udfff":
        return "\ufffd"
    return f"_x{ord(character):04X}_"


def _xml_attribute(value: str) -> str:
    return _xml_text(value).replace('"', "&quot;")


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_name(base: str, number: int) -> str:
    """`base` as Excel allows a sheet's name (31 characters, none of []:*?/\\), with its
    number from the second sheet on: "Resultater", "Resultater 2", …"""
    name = re.sub(r"[\[\]:*?/\\]", "_", base).strip("'") or "Data"
    suffix = f" {number}" if number > 1 else ""
    return name[: 31 - len(suffix)] + suffix


NS = "http://schemas.openxmlformats.org"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_START = (
    XML_HEAD + f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    "<sheetData>"
).encode()
SHEET_END = b"</sheetData></worksheet>"
STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{NS}/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd.mm.yyyy hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _package_parts(sheets: list[str]) -> list[tuple[str, str]]:
    """The workbook's parts besides its sheets, which name the sheets and their styles."""
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    relationship = f"{NS}/officeDocument/2006/relationships"
    numbers = range(1, len(sheets) + 1)
    types = (
        f'{XML_HEAD}<Types xmlns="{NS}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{main}.worksheet+xml"/>'
            for n in numbers
        )
        + "</Types>"
    )
    package_rels = (
        f'{XML_HEAD}<Relationships xmlns="{NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{relationship}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        f'{XML_HEAD}<workbook xmlns="{NS}/spreadsheetml/2006/main" xmlns:r="{relationship}"><sheets>'
        + "".join(
            f'<sheet name="{_xml_attribute(name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in zip(numbers, sheets, strict=True)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'{XML_HEAD}<Relationships xmlns="{NS}/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{relationship}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in numbers
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{relationship}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    return [
        ("[Content_Types].xml", types),
        ("_rels/.rels", package_rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", STYLES),
    ]


@contextmanager
def _binary(out: Target) -> Iterator[IO[bytes]]:
    """A binary stream to write to: `out` itself, or for a path a file beside it that takes
    the path's name only when complete (a failed export leaves no half-written file)."""
    if not isinstance(out, str | os.PathLike):
        yield out
        return
    path = Path(out)
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as stream:
            yield stream
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


# Tables of the pages ------------------------------------------------------------------


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A page's table as CSV (`write_csv`)."""
    buffer = io.BytesIO()
    write_csv(frame.itertuples(index=False, name=None), frame.columns, buffer)
    return buffer.getvalue()


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    """A page's table as an Excel workbook (`write_xlsx`)."""
    buffer = io.BytesIO()
    write_xlsx(frame.itertuples(index=False, name=None), frame.columns, buffer, sheet)
    return buffer.getvalue()


# The results export -------------------------------------------------------------------

RESULT_COLUMNS = [
    "unit",
    "name",
    "cycle",
    "dimension",
    "score",
    "level",
    "respondents",
    "spread",
    "stage",
    "journey",
    "status",
]


def results_query(cycle_label: str | None = None) -> Select:
    """The results export's SELECT, every unit's rows (`stream_results` keeps those the actor
    may read): RESULT_COLUMNS, by unit, cycle and dimension."""
    query = (
        select(
            unit_result.c.unit_id,
            org_unit_version.c.name_nb,
            cycle.c.label,
            unit_result.c.dimension_id,
            unit_result.c.score,
            unit_result.c.level,
            unit_result.c.respondents,
            unit_result.c.spread,
            unit_result.c.stage,
            unit_result.c.journey,
            unit_result.c.status,
        )
        .join(cycle, cycle.c.id == unit_result.c.cycle_id)
        .join(
            org_unit_version,
            (org_unit_version.c.unit_id == unit_result.c.unit_id) & org_unit_version.c.valid_to.is_(None),
            isouter=True,
        )
        .order_by(unit_result.c.unit_id, cycle.c.starts_on, unit_result.c.dimension_id)
    )
    return query.where(cycle.c.label == cycle_label) if cycle_label else query


def stream_results(
    engine: Engine, actor: Actor, cycle_label: str | None = None, chunk: int = CHUNK_ROWS
) -> Iterator[tuple[Any, ...]]:
    """Stored unit results the actor may read, with unit names, as tuples in RESULT_COLUMNS'
    order: one per unit, cycle and dimension, by unit, cycle and dimension. Read from the
    database `chunk` rows at a time in one read transaction, which stays open until the
    rows are all read (or the iterator is closed)."""
    query = results_query(cycle_label)
    units = select(unit_result.c.unit_id).distinct().join(cycle, cycle.c.id == unit_result.c.cycle_id)
    if cycle_label:
        units = units.where(cycle.c.label == cycle_label)
    with reading(engine) as connection:
        allowed: set[str] | None = None
        if reach(actor, "read_results") is not None:  # not the whole organisation: unit by unit
            found = connection.execute(units).scalars()
            allowed = {unit for unit in found if may(connection, actor, "read_results", unit)}
        for rows in stream_rows(connection, query, chunk):
            if allowed is None:
                yield from rows
            else:
                yield from (row for row in rows if row[0] in allowed)


def export_results(engine: Engine, actor: Actor, cycle_label: str | None = None) -> pd.DataFrame:
    """`stream_results` as one DataFrame, for tables small enough to hold."""
    return pd.DataFrame(list(stream_results(engine, actor, cycle_label)), columns=RESULT_COLUMNS)
