"""Small SQL helpers the engine's exactly-once guarantees rest on, for both databases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session


def insert_statement(session: Session, model: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for ``model``'s table (executemany-able)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model.__table__).on_conflict_do_nothing()


def insert_ignore(session: Session, model: Any, values: Mapping[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and
    then does nothing, so exactly one of two racing workers gets True.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__
    stmt = insert(table).values(**values).on_conflict_do_nothing()
    # RETURNING tells for sure; rowcount of an ORM-level insert can be -1 on PostgreSQL.
    return session.execute(stmt.returning(sa.literal(1))).first() is not None


def insert_many_ignore(session: Session, model: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """``insert_ignore`` for many rows, one statement per row (rowcount is per row)."""
    return sum(insert_ignore(session, model, row) for row in rows)


def lock_rows(session: Session, table: sa.Table, ids: Sequence[int]) -> None:
    """Lock rows of a user table in id order (PostgreSQL; SQLite has a single writer), so
    concurrent workers serialize on a row without deadlocking each other."""
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.select(table.c.id)
            .where(table.c.id.in_(sorted(ids)))
            .order_by(table.c.id)
            .with_for_update()
        )


def transient(exc: BaseException) -> bool:
    """Whether a database error is worth retrying (deadlock, serialization, lock timeout)."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
