"""Gap-free counters for auto numbers, advanced inside the caller's write transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tablekit.db.models import Counter


def advance(session: Session, field_id: int, period: str, count: int) -> int:
    """Reserve ``count`` numbers and return the last one; the first is ``last - count + 1``.

    An upsert with RETURNING takes the row lock on PostgreSQL and runs under SQLite's
    single writer, so two transactions can never get the same number, and a rollback gives
    the numbers back (no gaps).
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    base = insert(Counter).values(field_id=field_id, period=period, value=count)
    stmt = base.on_conflict_do_update(
        index_elements=[Counter.field_id, Counter.period],
        set_={"value": Counter.value + count},
    ).returning(Counter.value)
    return int(session.execute(stmt).scalar_one())


def reset(session: Session, field_id: int) -> None:
    session.execute(sa.delete(Counter).where(Counter.field_id == field_id))
