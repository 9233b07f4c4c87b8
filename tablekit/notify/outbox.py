"""The mail outbox: every e-mail TableKit sends is first a row here.

A rule's ``send_email`` step queues the mail in the run's own transaction, so a mail exists
exactly when the run that wrote it committed; the worker sends it afterwards, outside any
database transaction (an SMTP server that takes seconds must not hold the write lock).
The ``idempotency_key`` is unique and becomes the ``Message-ID``: a retried run cannot queue
a mail twice, and a send repeated after a crash carries the same Message-ID, so receiving
systems drop the duplicate. Without SMTP settings mails are ``held`` here, visible at
``GET /api/v1/outbox``, so a demo works offline.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from tablekit.db.engine import Database
from tablekit.db.models import IdType, Model, utcnow
from tablekit.errors import TableKitError
from tablekit.notify.email import Attachment, SmtpSender, build_message, smtp_configured
from tablekit.notify.errors import DeliveryFailed
from tablekit.settings import Settings
from tablekit.storage.types import UTCDateTime

log = logging.getLogger("tablekit.mail")

MAX_ATTEMPTS = 6
LEASE_SECONDS = 120  # longer than any SMTP exchange (10 s timeout per reply)
_TAGS = re.compile(r"<[^>]*>")  # the plain-text part of an HTML mail: its text without tags


class OutboxMail(Model):
    """One e-mail: queued → sent (or failed after retries), or held without SMTP."""

    __tablename__ = "tk_mail_outbox"
    __table_args__ = (Index("ix_tk_mail_outbox_todo", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    base_id: Mapped[int | None] = mapped_column(IdType, nullable=True, index=True)
    rule_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    run_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    sender: Mapped[str] = mapped_column(String(320))
    to: Mapped[list[Any]] = mapped_column(default=list)
    cc: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{file_id, name, mime_type}]: read from the files directory when sending.
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    # queued, held, sent, failed
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def queue_mail(
    session: Session,
    settings: Settings,
    *,
    key: str,
    to: Sequence[str],
    subject: str,
    body: str,
    cc: Sequence[str] = (),
    html: bool = False,
    attachments: Sequence[dict[str, Any]] = (),
    base_id: int | None = None,
    rule_id: int | None = None,
    run_id: int | None = None,
) -> OutboxMail:
    """Queue (or, without SMTP, hold) a mail in the caller's transaction; idempotent by key.

    Addresses and subject are validated now (ValidationFailed ``EMAIL_INVALID``), so a bad
    recipient fails the step that wrote it rather than a later send.
    """
    existing = session.scalar(sa.select(OutboxMail).where(OutboxMail.idempotency_key == key))
    if existing is not None:
        return existing
    build_message(settings.smtp_from, list(to), list(cc), subject, body if not html else "")
    mail = OutboxMail(
        base_id=base_id,
        rule_id=rule_id,
        run_id=run_id,
        idempotency_key=key,
        sender=settings.smtp_from,
        to=list(to),
        cc=list(cc),
        subject=subject,
        body=body,
        html=html,
        attachments=list(attachments),
        status="queued" if smtp_configured(settings) else "held",
        attempts=0,
        error="",
        message_id="",
        created_at=utcnow(),
    )
    session.add(mail)
    session.flush()
    return mail


def mail_dict(mail: OutboxMail) -> dict[str, Any]:
    return {
        "id": mail.id,
        "base_id": mail.base_id,
        "rule_id": mail.rule_id,
        "run_id": mail.run_id,
        "status": mail.status,
        "from": mail.sender,
        "to": mail.to,
        "cc": mail.cc,
        "subject": mail.subject,
        "body": mail.body,
        "html": mail.html,
        "attachments": [{"name": a["name"], "file_id": a["file_id"]} for a in mail.attachments],
        "attempts": mail.attempts,
        "error": mail.error,
        "message_id": mail.message_id,
        "created_at": mail.created_at.isoformat(),
        "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
    }


def list_mails(
    session: Session, base_ids: Sequence[int] | None, limit: int = 100, before: int | None = None
) -> list[dict[str, Any]]:
    """Newest first; ``base_ids`` None means every base (system admins)."""
    query = sa.select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)
    if base_ids is not None:
        query = query.where(OutboxMail.base_id.in_(list(base_ids)))
    if before is not None:
        query = query.where(OutboxMail.id < before)
    return [mail_dict(m) for m in session.scalars(query)]


class MailSender:
    """Sends queued mails through SMTP with retries; one instance per worker."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        files_dir: Path | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.db = db
        self.settings = settings
        self.files_dir = files_dir or settings.files_dir
        self.lease = timedelta(seconds=lease_seconds)
        self.worker_id = secrets.token_hex(8)

    def _claim(self, limit: int, now: datetime) -> list[int]:
        due = sa.select(OutboxMail.id).where(
            OutboxMail.status == "queued",
            sa.or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now),
            sa.or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until < now),
        )
        with self.db.read() as session:  # an idle sender never takes the write lock
            if session.scalar(due.limit(1)) is None:
                return []
        with self.db.write() as session:
            ids = list(
                session.scalars(
                    due.order_by(OutboxMail.id).limit(limit).with_for_update(skip_locked=True)
                )
            )
            if ids:
                session.execute(
                    sa.update(OutboxMail)
                    .where(OutboxMail.id.in_(ids))
                    .values(
                        locked_until=now + self.lease,
                        claimed_by=self.worker_id,
                        attempts=OutboxMail.attempts + 1,
                    )
                )
            return ids

    def _attachments(self, mail: OutboxMail) -> list[Attachment]:
        files: list[Attachment] = []
        for item in mail.attachments:
            file_id = str(item["file_id"])
            path = self.files_dir / file_id[:2] / file_id
            files.append((str(item["name"]), str(item["mime_type"]), path.read_bytes()))
        return files

    def deliver_due(self, limit: int = 20) -> int:
        """Send up to ``limit`` due mails; returns how many were attempted."""
        if not smtp_configured(self.settings):
            return 0
        ids = self._claim(limit, utcnow())
        for mail_id in ids:
            self._deliver(mail_id)
        return len(ids)

    def _deliver(self, mail_id: int) -> None:
        with self.db.read() as session:
            mail = session.get(OutboxMail, mail_id)
            assert mail is not None
            session.expunge(mail)
        values: dict[str, Any]
        try:
            message = build_message(
                mail.sender,
                mail.to,
                mail.cc,
                mail.subject,
                mail.body if not mail.html else _TAGS.sub("", mail.body),
                mail.body if mail.html else None,
                self._attachments(mail),
                idempotency_key=mail.idempotency_key,
            )
            sent = SmtpSender(self.settings).send(message)
            values = {"status": "sent", "message_id": sent.message_id, "sent_at": utcnow()}
            values["error"] = f"refused: {sent.refused}" if sent.refused else ""
        except (TableKitError, OSError) as exc:
            retry = isinstance(exc, DeliveryFailed) and exc.retryable
            retry = retry or (isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError))
            message_text = exc.message if isinstance(exc, TableKitError) else str(exc)
            log.warning("mail %s failed (attempt %s): %s", mail_id, mail.attempts, message_text)
            if retry and mail.attempts < MAX_ATTEMPTS:
                delay = min(2 ** (mail.attempts + 1), 600)
                values = {
                    "error": message_text,
                    "next_attempt_at": utcnow() + timedelta(seconds=delay),
                }
            else:
                values = {"status": "failed", "error": message_text}
        with self.db.write() as session:
            session.execute(
                sa.update(OutboxMail)
                .where(OutboxMail.id == mail_id, OutboxMail.claimed_by == self.worker_id)
                .values(locked_until=None, **values)
            )
