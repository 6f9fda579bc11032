"""Writing many rows fast on either engine: the driver's own bulk path, no row objects.

SQLite takes one prepared statement over all rows (executemany); PostgreSQL takes COPY,
many times quicker there than INSERT. Used for import staging and other bulk loads, inside
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `table`; returns how many."""
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        count = 0
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch = rows if isinstance(rows, list) else list(rows)
    if batch:
        marks = ", ".join("?" for _ in columns)
        connection.connection.driver_connection.executemany(  # type: ignore[union-attr]
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})", batch
        )
    return len(batch)
