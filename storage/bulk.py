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


def reserve_ids(connection: Connection, table: Table, count: int) -> tuple[list[int], int | None]:
    """Ids for `count` rows of `table` not written yet. PostgreSQL takes them from the id's
    sequence, for good (returns None beside them). SQLite has no sequence: they follow the
    largest id, which is returned, and the caller must move them up if rows were added
    before it writes its own."""
    if count == 0:
        return [], None
    if connection.dialect.name == "postgresql":
        sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
        found = connection.exec_driver_sql(
            f"SELECT nextval({sequence}) FROM generate_series(1, {int(count)})"
        ).scalars()
        return [int(n) for n in found], None
    last = int(connection.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table.name}").scalar_one())
    return list(range(last + 1, last + 1 + count)), last
