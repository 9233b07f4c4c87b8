"""Metadata models of the automation engine: rules, their runs, trigger state, in-app
notifications, row locks, and outgoing row-event webhooks with their deliveries.

Unique keys carry the engine's guarantees: ``(rule_id, dedupe_key)`` makes a rule run at most
once per event, slot, click or date; ``(rule_id, scheduled_for)`` makes two schedulers run a
slot once; ``(rule_id, row_id)`` remembers which rows currently match a ``row_matches``
condition, so a rule fires once per transition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tablekit.db.models import IdType, Model, utcnow
from tablekit.notify.outbox import OutboxMail
from tablekit.storage.types import UTCDateTime

# The mail outbox's model lives with the mail code; importing it here registers it with
# the metadata together with the engine's models (one import in ``db.all_models``).
__all__ = ["OutboxMail"]


class Rule(Model):
    """Trigger + condition + ordered actions, with params stored by field id."""

    __tablename__ = "tk_rules"
    # The dispatcher's one query per batch: enabled rules of these tables and trigger types.
    __table_args__ = (Index("ix_tk_rules_match", "table_id", "trigger_type"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("tk_bases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    trigger_type: Mapped[str] = mapped_column(String(40))
    # No foreign key: a rule of a deleted table stays visible (and fails with a clear error).
    table_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    trigger: Mapped[dict[str, Any]] = mapped_column(default=dict)
    condition: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    actions: Mapped[list[Any]] = mapped_column(default=list)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("tk_users.id", ondelete="SET NULL"), nullable=True
    )
    hook_secret: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    # Trigger bookkeeping, e.g. how far a date_relative rule has scanned.
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RuleRun(Model):
    """One execution of a rule: a durable job while pending, the run log once finished."""

    __tablename__ = "tk_rule_runs"
    __table_args__ = (
        UniqueConstraint("rule_id", "dedupe_key", name="uq_tk_rule_runs_dedupe"),
        Index("ix_tk_rule_runs_rule", "rule_id", "id"),
        Index("ix_tk_rule_runs_todo", "status", "not_before"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("tk_rules.id", ondelete="CASCADE"))
    base_id: Mapped[int] = mapped_column(IdType)
    # pending, running, ok, failed, refused, stopped
    status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[dict[str, Any]] = mapped_column(default=dict)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    steps: Mapped[list[Any]] = mapped_column(default=list)
    next_step: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RuleRowState(Model):
    """A row that currently matches a ``row_matches`` rule's condition."""

    __tablename__ = "tk_rule_row_states"
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("tk_rules.id", ondelete="CASCADE"), primary_key=True
    )
    row_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScheduleSlot(Model):
    """A scheduled slot that some scheduler has taken; the key makes it happen once."""

    __tablename__ = "tk_schedule_slots"
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("tk_rules.id", ondelete="CASCADE"), primary_key=True
    )
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Model):
    """An in-app notification for one user (from a rule, or about a disabled rule)."""

    __tablename__ = "tk_notifications"
    __table_args__ = (Index("ix_tk_notifications_user", "user_id", "id"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("tk_users.id", ondelete="CASCADE"))
    base_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    rule_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    table_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    row_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RowLock(Model):
    """A locked row: only workspace admins (and automations) may change or delete it."""

    __tablename__ = "tk_row_locks"
    table_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    row_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    base_id: Mapped[int] = mapped_column(IdType)
    rule_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Webhook(Model):
    """An outgoing webhook: row events of a base (or one table) POSTed, signed, to a URL."""

    __tablename__ = "tk_webhooks"
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("tk_bases.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[Any]] = mapped_column(default=list)
    secret: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebhookDelivery(Model):
    """One event sent (or to be sent) to one webhook: the deliveries log and retry queue."""

    __tablename__ = "tk_webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_tk_webhook_deliveries_event"),
        Index("ix_tk_webhook_deliveries_todo", "status", "next_attempt_at"),
        Index("ix_tk_webhook_deliveries_hook", "webhook_id", "id"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("tk_webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(IdType)
    event_type: Mapped[str] = mapped_column(String(40))
    # pending, ok, failed
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    request_body: Mapped[str] = mapped_column(Text, default="")
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
