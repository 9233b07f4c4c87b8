"""Metadata models: everything except the rows of user tables.

Table names start with ``tk_`` so they can never collide with the physical tables of user
tables (``t_<id>``) and link junctions (``j_<id>``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tablekit.storage.types import UTCDateTime

JSONType = JSON().with_variant(JSONB(), "postgresql")
# BigInteger ids on PostgreSQL; SQLite needs plain INTEGER for rowid aliasing.
IdType = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Model(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType}


class User(Model):
    __tablename__ = "tk_users"
    # Ids are never reused (SQLite would reuse the highest after a delete): caches and
    # physical names key on them.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Workspace(Model):
    __tablename__ = "tk_workspaces"
    # Ids are never reused (SQLite would reuse the highest after a delete): caches and
    # physical names key on them.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Membership(Model):
    __tablename__ = "tk_memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("tk_workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("tk_users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))


class BaseMeta(Model):
    __tablename__ = "tk_bases"
    # Ids are never reused (SQLite would reuse the highest after a delete): caches and
    # physical names key on them.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("tk_workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TableMeta(Model):
    __tablename__ = "tk_tables"
    # Ids are never reused (SQLite would reuse the highest after a delete): caches and
    # physical names key on them.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("tk_bases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    primary_field_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    # Bumped on every schema change so cached physical Table objects are rebuilt.
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FieldMeta(Model):
    __tablename__ = "tk_fields"
    # Ids are never reused (SQLite would reuse the highest after a delete): caches and
    # physical names key on them.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("tk_tables.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unique: Mapped[bool] = mapped_column(Boolean, default=False)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ViewMeta(Model):
    __tablename__ = "tk_views"
    # Ids are never reused (SQLite would reuse the highest after a delete): caches and
    # physical names key on them.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("tk_tables.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ShareLink(Model):
    __tablename__ = "tk_share_links"
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    view_id: Mapped[int] = mapped_column(ForeignKey("tk_views.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiToken(Model):
    __tablename__ = "tk_tokens"
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("tk_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("tk_workspaces.id", ondelete="CASCADE"), nullable=True
    )
    base_id: Mapped[int | None] = mapped_column(
        ForeignKey("tk_bases.id", ondelete="CASCADE"), nullable=True
    )
    scopes: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WebSession(Model):
    __tablename__ = "tk_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("tk_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Counter(Model):
    """Gap-free number series for auto_number fields, one row per field and period."""

    __tablename__ = "tk_counters"
    field_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class StoredFile(Model):
    __tablename__ = "tk_files"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("tk_bases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxEvent(Model):
    """A domain event written in the same transaction as the change it describes."""

    __tablename__ = "tk_events"
    __table_args__ = (Index("ix_tk_events_pending", "processed_at", "id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(40))
    base_id: Mapped[int] = mapped_column(IdType, index=True)
    table_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    row_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    actor_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RowHistory(Model):
    __tablename__ = "tk_row_history"
    __table_args__ = (Index("ix_tk_row_history_row", "table_id", "row_id", "id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    base_id: Mapped[int] = mapped_column(IdType, index=True)
    table_id: Mapped[int] = mapped_column(IdType)
    row_id: Mapped[int] = mapped_column(IdType)
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    # {field_id: [old, new]} in API representation (ids for links), as strings of JSON values.
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RowComment(Model):
    __tablename__ = "tk_comments"
    __table_args__ = (Index("ix_tk_comments_row", "table_id", "row_id", "id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("tk_tables.id", ondelete="CASCADE"), nullable=False
    )
    row_id: Mapped[int] = mapped_column(IdType)
    user_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TrashItem(Model):
    """A deleted object kept for restore: rows (with their links), fields, tables, views."""

    __tablename__ = "tk_trash"
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("tk_bases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    table_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    label: Mapped[str] = mapped_column(String(300), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deleted_by: Mapped[int | None] = mapped_column(IdType, nullable=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
