"""Metadata models of the interchange package: background jobs and idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tablekit.db.models import IdType, Model, utcnow
from tablekit.storage.types import UTCDateTime


class Job(Model):
    """A background job (an import) that survives as a record: status, progress, result.

    ``owner`` names the process running it and ``heartbeat_at`` says when it last showed
    signs of life, so a job left behind by a crash or restart can be marked failed.
    """

    __tablename__ = "tk_jobs"
    # Job ids are shown to clients: never hand a purged job's id to a new one.
    __table_args__ = (
        Index("ix_tk_jobs_status", "status", "heartbeat_at"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    base_id: Mapped[int | None] = mapped_column(
        ForeignKey("tk_bases.id", ondelete="CASCADE"), nullable=True, index=True
    )
    table_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_by: Mapped[int | None] = mapped_column(IdType, nullable=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    owner: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdempotencyRecord(Model):
    """The stored answer to a row-creating request sent with an ``Idempotency-Key``.

    ``scope`` is a hash of the caller's credential (or the public form), so two callers
    can never see each other's answers; ``status`` is NULL while the first request runs.
    """

    __tablename__ = "tk_idempotency"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_tk_idempotency_scope_key"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
