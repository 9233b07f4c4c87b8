"""The import run: rows of a source converted, checked and written in chunks, in one
write transaction, so an import lands whole or not at all.

Rejected rows are reported with their spreadsheet row number (the header is row 1), the
column and the reason. Without ``skip_bad_rows`` one rejected row fails the import (its
other problems are still collected, up to a limit, so the report is useful); with it,
bad rows are left out and the rest is written.

Created rows get ONE history entry and ONE ``rows_imported`` event for the whole import
(see ADR 0006); rows that an upsert updates go through ``rowwrite.update_rows`` and keep
their per-row history with old and new values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tablekit.db.models import RowHistory, utcnow
from tablekit.errors import TableKitError, ValidationFailed
from tablekit.fields.base import CellError
from tablekit.interchange.bulk import RowInserter
from tablekit.interchange.convert import unwrap
from tablekit.interchange.plan import ColumnPlan, Plan
from tablekit.services import rowwrite
from tablekit.services.events import Event, emit
from tablekit.services.rowcodec import EncodedRow
from tablekit.services.rowwrite import Op
from tablekit.storage import physical

CHUNK = 5000
UPDATE_BATCH = 500
MAX_REPORTED = 1000
ROWS_IMPORTED = "rows_imported"


class Rejections:
    """Rejected rows, reported up to a limit and counted beyond it."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0
        self.rows: set[int] = set()

    def add(
        self, row: int, message: str, column: str | None = None, field: str | None = None
    ) -> None:
        if row in self.rows:
            return
        self.rows.add(row)
        self.count += 1
        if len(self.items) < MAX_REPORTED:
            self.items.append({"row": row, "column": column, "field": field, "message": message})


class Chunk:
    """Up to CHUNK rows as columns: converted values per insert position, the rows' file
    numbers, and which rows (by index) were rejected."""

    def __init__(self, numbers: list[int], texts: list[list[str]]) -> None:
        self.numbers = numbers
        self.texts = texts
        self.columns: list[tuple[str, ...]] = list(zip(*texts, strict=True)) if texts else []
        self.values: dict[int, list[Any]] = {}
        self.links: dict[int, list[Any]] = {}
        self.bad: set[int] = set()

    def good(self, indexes: Sequence[int] | None = None) -> list[int]:
        pool = range(len(self.numbers)) if indexes is None else indexes
        return [i for i in pool if i not in self.bad]


class ImportRun:
    def __init__(
        self,
        op: Op,
        plan: Plan,
        inserter: RowInserter,
        width: int,
        skip_bad_rows: bool,
        after_flush: Callable[[], None],
    ) -> None:
        self.op = op
        self.after_flush = after_flush
        self.plan = plan
        self.inserter = inserter
        self.width = width
        self.skip = skip_bad_rows
        self.rejected = Rejections()
        self.numbers: list[int] = []
        self.texts: list[list[str]] = []
        self.created = 0
        self.updated = 0
        self.blank = 0
        self.read = 0
        self.first_id: int | None = None
        self.last_id: int | None = None
        self.unique = plan.unique
        self.seen: dict[int, dict[Any, int]] = {c.fdef.id: {} for c in self.unique}
        self.seen_keys: dict[tuple[Any, ...], int] = {}
        self.link_columns = [c for c in plan.columns if c.position is None]
        self.scalar_columns = [c for c in plan.columns if c.position is not None]

    @property
    def failed(self) -> bool:
        return self.rejected.count > 0 and not self.skip

    @property
    def stopped(self) -> bool:
        """Too many problems to be worth reading on."""
        return self.failed and self.rejected.count >= MAX_REPORTED

    def feed(self, number: int, cells: list[str]) -> None:
        """Take one row of the file (converted and written a chunk at a time)."""
        self.read += 1
        if not any(cells):
            self.blank += 1
            return
        count = len(cells)
        if count != self.width:
            if count > self.width:
                if any(c.strip() for c in cells[self.width :]):
                    self.rejected.add(
                        number, f"has {count} values but the header has {self.width} columns"
                    )
                    return
                cells = cells[: self.width]
            else:
                cells = cells + [""] * (self.width - count)
        self.numbers.append(number)
        self.texts.append(cells)
        if len(self.texts) >= CHUNK:
            self.flush()

    # --- converting and checking a chunk --------------------------------------------------
    def _convert(self, chunk: Chunk, column: ColumnPlan) -> list[Any]:
        texts = chunk.columns[column.source]
        convert = column.convert = unwrap(column.convert)
        try:
            # The fast case: a whole column at C speed, no row fails.
            return list(map(convert, texts))
        except CellError:
            pass
        values: list[Any] = []
        for index, text in enumerate(texts):
            try:
                values.append(convert(text))
            except CellError as exc:
                values.append(None)
                self._reject(chunk, index, exc.message, column)
        return values

    def _reject(
        self, chunk: Chunk, index: int, message: str, column: ColumnPlan | None = None
    ) -> None:
        chunk.bad.add(index)
        self.rejected.add(
            chunk.numbers[index],
            message,
            column.column if column else None,
            column.fdef.name if column else None,
        )

    def _check_unique_in_file(self, chunk: Chunk) -> None:
        for column in self.unique:
            assert column.position is not None
            seen = self.seen[column.fdef.id]
            for index, value in enumerate(chunk.values[column.position]):
                if value is None or index in chunk.bad:
                    continue
                if value in seen:
                    self._reject(
                        chunk,
                        index,
                        f"{column.fdef.name!r} must be unique; row {seen[value]} has the same "
                        "value",
                        column,
                    )
                else:
                    seen[value] = chunk.numbers[index]

    def _keys(self, chunk: Chunk) -> dict[int, tuple[Any, ...]]:
        keys: dict[int, tuple[Any, ...]] = {}
        columns = [chunk.values[c.position] for c in self.plan.keys if c.position is not None]
        for index in chunk.good():
            key = tuple(values[index] for values in columns)
            if any(v is None for v in key):
                self._reject(chunk, index, "has no value for the key field(s)")
            elif key in self.seen_keys:
                self._reject(chunk, index, f"has the same key as row {self.seen_keys[key]}")
            else:
                self.seen_keys[key] = chunk.numbers[index]
                keys[index] = key
        return keys

    def _check_unique_in_table(self, chunk: Chunk, indexes: list[int]) -> None:
        for column in self.unique:
            assert column.position is not None
            values = chunk.values[column.position]
            wanted = [values[i] for i in indexes if values[i] is not None]
            clash = self.inserter.existing_values(column.fdef, wanted) if wanted else set()
            for index in indexes:
                if values[index] in clash:
                    self._reject(
                        chunk,
                        index,
                        f"{column.fdef.name!r} must be unique; {values[index]!r} is already used "
                        "by another row",
                        column,
                    )

    # --- writing ------------------------------------------------------------------------
    def flush(self) -> None:
        chunk = Chunk(self.numbers, self.texts)
        self.numbers, self.texts = [], []
        if not chunk.numbers:
            return
        for column in self.scalar_columns:
            assert column.position is not None
            chunk.values[column.position] = self._convert(chunk, column)
        for column in self.link_columns:
            chunk.links[column.fdef.id] = self._convert(chunk, column)
        self._check_unique_in_file(chunk)
        inserts = chunk.good()
        updates: list[tuple[int, int]] = []
        if self.plan.keys:
            keys = self._keys(chunk)
            existing = self.inserter.find_keys(
                [c.fdef for c in self.plan.keys], list(keys.values())
            )
            updates = [(existing[k], i) for i, k in keys.items() if k in existing]
            inserts = [i for i, k in keys.items() if k not in existing]
        self._check_unique_in_table(chunk, inserts)
        if self.failed:
            return
        self._insert(chunk, chunk.good(inserts))
        for start in range(0, len(updates), UPDATE_BATCH):
            self._update(chunk, updates[start : start + UPDATE_BATCH])
        # Computed fields of this chunk, while its rows are fresh (keeps the change set small).
        self.after_flush()

    def _insert(self, chunk: Chunk, indexes: list[int]) -> None:
        if not indexes:
            return
        every = len(indexes) == len(chunk.numbers)
        columns = {
            position: values if every else [values[i] for i in indexes]
            for position, values in chunk.values.items()
        }
        ids = self.inserter.insert(columns, len(indexes))
        self.first_id = self.first_id or ids[0]
        self.last_id = ids[-1]
        self.created += len(ids)
        for field_id, targets in chunk.links.items():
            per_row = {
                row_id: targets[index]
                for row_id, index in zip(ids, indexes, strict=True)
                if targets[index]
            }
            fdef = self.op.schema.by_id(field_id)
            assert fdef is not None
            self.inserter.write_links(fdef, per_row)

    def _encode(self, chunk: Chunk, index: int) -> EncodedRow:
        row = EncodedRow()
        cells = chunk.texts[index]
        for column in self.plan.columns:
            row.given.add(column.fdef.id)
            if column.position is None:
                row.links[column.fdef.id] = column.raw(cells[column.source])
            else:
                row.columns[column.fdef.column] = column.raw(cells[column.source])
        return row

    def _update(self, chunk: Chunk, batch: Sequence[tuple[int, int]]) -> None:
        ids = [row_id for row_id, _ in batch]
        encoded = [self._encode(chunk, index) for _, index in batch]
        try:
            with self.op.session.begin_nested():
                changed = rowwrite.update_rows(self.op, ids, encoded)
            self.updated += len(changed)
            return
        except (TableKitError, IntegrityError):
            pass
        # One bad row fails the batch; retry row by row to name it (and, when skipping bad
        # rows, to write the others).
        for row_id, row, (_, index) in zip(ids, encoded, batch, strict=True):
            try:
                with self.op.session.begin_nested():
                    changed = rowwrite.update_rows(self.op, [row_id], [row])
                self.updated += len(changed)
            except TableKitError as exc:
                self._reject(chunk, index, exc.message)
            except IntegrityError:
                self._reject(chunk, index, "conflicts with another row (a unique value)")

    def finish(self, job_id: int | None) -> dict[str, Any]:
        """Flush, record the summary, refresh statistics; the counts and the report."""
        self.flush()
        summary = {
            "job_id": job_id,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected.count,
            "first_id": self.first_id,
            "last_id": self.last_id,
        }
        if not self.failed and (self.created or self.updated):
            op = self.op
            op.session.execute(
                sa.insert(RowHistory),
                [
                    {
                        "base_id": op.base.id,
                        "table_id": op.schema.id,
                        "row_id": 0,
                        "action": "import",
                        "actor_id": op.actor_id,
                        "changes": summary,
                        "at": utcnow(),
                    }
                ],
            )
            emit(
                op.session,
                [Event(ROWS_IMPORTED, op.base.id, op.schema.id, None, op.actor_id, summary)],
            )
            physical.analyze(op.session.connection(), op.schema.id)
        return {
            **summary,
            "table_id": self.op.schema.id,
            "rows_read": self.read,
            "blank_rows": self.blank,
            "rejected_rows": sorted(self.rejected.items, key=lambda r: r["row"]),
        }

    def rejection_error(self) -> ValidationFailed:
        count = self.rejected.count
        items = sorted(self.rejected.items, key=lambda r: r["row"])
        first = items[0]
        return ValidationFailed(
            f"{count} row(s) cannot be imported (row {first['row']}: {first['message']}); "
            "nothing was imported. Fix the file, or choose to skip bad rows.",
            code="IMPORT_REJECTED",
            details={"rejected": count, "rejected_rows": items},
        )
