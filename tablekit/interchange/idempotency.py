"""The store behind ``Idempotency-Key``: claim a key, then settle it with the answer.

A claim inserts the key with an empty answer before the request runs, so a concurrent
repeat finds it (the unique key makes two claims impossible) and is told to wait. The
answer is kept only when the request succeeded; a failed one frees the key for a retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tablekit.db.engine import Database
from tablekit.db.models import utcnow
from tablekit.interchange.models import IdempotencyRecord

KEEP = timedelta(hours=24)
# A claim whose request never settled (its process died) is given up after this.
ABANDONED = timedelta(minutes=5)


@dataclass(frozen=True)
class Stored:
    status: int
    content_type: str
    body: bytes


Claim = Stored | int | Literal["mismatch", "busy"]


def claim(db: Database, scope: str, key: str, request_hash: str) -> Claim:
    """The stored answer, "mismatch", "busy", or the id of a new claim to settle."""
    now = utcnow()
    with db.write() as session:
        record = session.scalar(
            sa.select(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
            )
        )
        if record is not None:
            expired = record.created_at < now - KEEP
            abandoned = record.status is None and record.created_at < now - ABANDONED
            if not (expired or abandoned):
                if record.request_hash != request_hash:
                    return "mismatch"
                if record.status is None:
                    return "busy"
                return Stored(record.status, record.content_type, record.body or b"")
            session.delete(record)
            session.flush()
        try:
            with session.begin_nested():
                record = IdempotencyRecord(
                    scope=scope, key=key, request_hash=request_hash, created_at=now
                )
                session.add(record)
        except IntegrityError:
            return "busy"
        return record.id


def settle(db: Database, record_id: int, status: int, content_type: str, body: bytes) -> None:
    """Keep a successful answer; forget the claim of anything else."""
    with db.write() as session:
        if 200 <= status < 300:
            session.execute(
                sa.update(IdempotencyRecord)
                .where(IdempotencyRecord.id == record_id)
                .values(status=status, content_type=content_type[:100], body=body)
            )
        else:
            session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))


def purge(db: Database) -> int:
    """Forget keys older than 24 hours."""
    with db.write() as session:
        result = session.execute(
            sa.delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP)
        )
        return int(getattr(result, "rowcount", 0) or 0)
