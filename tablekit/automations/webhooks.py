"""Outgoing webhooks on row events: subscriptions per base (or table) and event type, a
deliveries log that doubles as the retry queue, and the sender.

A delivery's body is fixed when the event is dispatched (the row as it was then), signed
when sent (``X-TableKit-Signature``, see ADR 0003) and carries ``X-TableKit-Delivery`` (its
id), so a receiver can drop the duplicate a retry after a crash may produce. Every request
goes through the SSRF guard; only the admin allow-list admits internal hosts.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.automations.models import Webhook, WebhookDelivery
from tablekit.automations.values import by_name
from tablekit.db.engine import Database
from tablekit.db.models import OutboxEvent, utcnow
from tablekit.errors import TableKitError
from tablekit.notify import http
from tablekit.notify.signing import signed_headers
from tablekit.notify.ssrf import Resolver
from tablekit.settings import Settings

if TYPE_CHECKING:
    from tablekit.automations.dispatch import Batch

log = logging.getLogger("tablekit.webhooks")

MAX_ATTEMPTS = 6
LEASE_SECONDS = 60
MAX_LOGGED_ANSWER = 4096


def queue_deliveries(session: Session, batch: Batch, events: Sequence[OutboxEvent]) -> int:
    """One pending delivery per (webhook, event) that subscribes to it; one query per batch."""
    base_ids = sorted({e.base_id for e in events})
    hooks = session.scalars(
        sa.select(Webhook).where(Webhook.base_id.in_(base_ids), Webhook.enabled.is_(True))
    ).all()
    if not hooks:
        return 0
    rows: list[dict[str, Any]] = []
    now = utcnow()
    batch.preload(events)
    for event in events:
        for hook in hooks:
            if hook.base_id != event.base_id or event.type not in (hook.events or []):
                continue
            if hook.table_id is not None and hook.table_id != event.table_id:
                continue
            rows.append(
                {
                    "webhook_id": hook.id,
                    "event_id": event.id,
                    "event_type": event.type,
                    "status": "pending",
                    "attempts": 0,
                    "request_body": json.dumps(_body(batch, event), default=str),
                    "response_body": "",
                    "error": "",
                    "created_at": now,
                }
            )
    if rows:
        session.execute(sa.insert(WebhookDelivery), rows)
    return len(rows)


def _body(batch: Batch, event: OutboxEvent) -> dict[str, Any]:
    op = batch.op(int(event.table_id or 0))
    schema = op.schema if op is not None else None
    changes = {}
    for key, pair in ((event.payload or {}).get("changes") or {}).items():
        fdef = schema.find(key) if schema is not None else None
        changes[fdef.name if fdef else key] = {"old": pair[0], "new": pair[1]}
    return {
        "event": event.type,
        "event_id": event.id,
        "base_id": event.base_id,
        "table_id": event.table_id,
        "table": schema.name if schema is not None else None,
        "row_id": event.row_id,
        "at": event.created_at.isoformat(),
        "row": by_name(schema, batch.cells(event)),
        "changes": changes,
    }


def delivery_dict(item: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": item.id,
        "webhook_id": item.webhook_id,
        "event_id": item.event_id,
        "event": item.event_type,
        "status": item.status,
        "attempts": item.attempts,
        "response_status": item.response_status,
        "response_body": item.response_body,
        "error": item.error,
        "request_body": item.request_body,
        "created_at": item.created_at.isoformat(),
        "delivered_at": item.delivered_at.isoformat() if item.delivered_at else None,
        "duration_ms": item.duration_ms,
    }


def webhook_dict(hook: Webhook, *, secret: bool = False) -> dict[str, Any]:
    return {
        "id": hook.id,
        "base_id": hook.base_id,
        "table_id": hook.table_id,
        "url": hook.url,
        "events": hook.events,
        "enabled": hook.enabled,
        "secret": hook.secret if secret else hook.secret[:4] + "…",
        "created_at": hook.created_at.isoformat(),
    }


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


class WebhookSender:
    """Delivers due webhook deliveries, with backoff; one instance per worker."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        resolver: Resolver | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.db = db
        self.settings = settings
        self.resolver = resolver
        self.lease = timedelta(seconds=lease_seconds)
        self.worker_id = secrets.token_hex(8)

    def _claim(self, limit: int) -> list[int]:
        now = utcnow()
        due = sa.select(WebhookDelivery.id).where(
            WebhookDelivery.status == "pending",
            sa.or_(
                WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now
            ),
            sa.or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
        )
        with self.db.read() as session:  # an idle sender never takes the write lock
            if session.scalar(due.limit(1)) is None:
                return []
        with self.db.write() as session:
            ids = list(
                session.scalars(
                    due.order_by(WebhookDelivery.id).limit(limit).with_for_update(skip_locked=True)
                )
            )
            if ids:
                session.execute(
                    sa.update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_(ids))
                    .values(
                        locked_until=now + self.lease,
                        attempts=WebhookDelivery.attempts + 1,
                    )
                )
            return ids

    def deliver_due(self, limit: int = 20) -> int:
        ids = self._claim(limit)
        for delivery_id in ids:
            self._deliver(delivery_id)
        return len(ids)

    def _deliver(self, delivery_id: int) -> None:
        with self.db.read() as session:
            item = session.get(WebhookDelivery, delivery_id)
            hook = session.get(Webhook, item.webhook_id) if item is not None else None
            if item is None or hook is None:
                return
            url, secret, body, attempts = hook.url, hook.secret, item.request_body, item.attempts
        payload = body.encode()
        headers = {
            "Content-Type": "application/json",
            "X-TableKit-Event": item.event_type,
            "X-TableKit-Delivery": str(delivery_id),
            **signed_headers(secret, payload),
        }
        started = time.monotonic()
        values: dict[str, Any] = {}
        try:
            options: dict[str, Any] = {"resolver": self.resolver} if self.resolver else {}
            response = http.send_request(
                "POST",
                url,
                body=payload,
                headers=headers,
                allowlist=self.settings.http_allowlist,
                **options,
            )
            values["response_status"] = response.status
            values["response_body"] = response.body[:MAX_LOGGED_ANSWER].decode(errors="replace")
            ok = 200 <= response.status < 300
            retry = not ok and http.is_retryable(response)
            error = "" if ok else f"answered {response.status}"
        except TableKitError as exc:
            ok, retry, error = False, http.is_retryable(exc), exc.message
        values["duration_ms"] = int((time.monotonic() - started) * 1000)
        values["error"] = error
        if ok:
            values.update(status="ok", delivered_at=utcnow())
        elif retry and attempts < MAX_ATTEMPTS:
            values["next_attempt_at"] = utcnow() + timedelta(seconds=min(2**attempts, 600))
        else:
            values["status"] = "failed"
            log.warning("webhook delivery %s failed: %s", delivery_id, error)
        with self.db.write() as session:
            session.execute(
                sa.update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id)
                .values(locked_until=None, **values)
            )
