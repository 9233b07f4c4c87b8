"""What the engine leaves for people to read and manage: in-app notifications, the mail
outbox (admins), and outgoing row-event webhooks with their deliveries log."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.automations.actions.misc import check_target
from tablekit.automations.models import Notification, Webhook, WebhookDelivery
from tablekit.automations.webhooks import delivery_dict, new_secret, webhook_dict
from tablekit.db.engine import Database
from tablekit.db.models import BaseMeta, Membership, TableMeta, User, utcnow
from tablekit.errors import NotFound, PermissionDenied, ValidationFailed
from tablekit.notify.outbox import list_mails
from tablekit.notify.ssrf import Allowlist
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.events import ROW_CREATED, ROW_DELETED, ROW_UPDATED
from tablekit.settings import Settings

EVENTS = (ROW_CREATED, ROW_UPDATED, ROW_DELETED)


def notification_dict(item: Notification) -> dict[str, Any]:
    return {
        "id": item.id,
        "message": item.message,
        "base_id": item.base_id,
        "rule_id": item.rule_id,
        "table_id": item.table_id,
        "row_id": item.row_id,
        "created_at": item.created_at.isoformat(),
        "read": item.read_at is not None,
    }


class InboxService:
    def __init__(self, db: Database, access: Access, settings: Settings) -> None:
        self.db = db
        self.access = access
        self.settings = settings

    # --- notifications -------------------------------------------------------------------

    def notifications(
        self, actor: Actor, *, unread: bool = False, limit: int = 100
    ) -> dict[str, Any]:
        with self.db.read() as session:
            query = sa.select(Notification).where(Notification.user_id == actor.user_id)
            if unread:
                query = query.where(Notification.read_at.is_(None))
            items = session.scalars(query.order_by(Notification.id.desc()).limit(min(limit, 500)))
            count = session.scalar(
                sa.select(sa.func.count())
                .select_from(Notification)
                .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
            )
            return {"items": [notification_dict(n) for n in items], "unread": int(count or 0)}

    def mark_read(self, actor: Actor, ids: list[int] | None) -> dict[str, Any]:
        """Mark the caller's notifications read (all of them when ``ids`` is None)."""
        with self.db.write() as session:
            stmt = sa.update(Notification).where(
                Notification.user_id == actor.user_id, Notification.read_at.is_(None)
            )
            if ids is not None:
                stmt = stmt.where(Notification.id.in_(ids))
            result = session.execute(stmt.values(read_at=utcnow()))
            return {"marked": int(getattr(result, "rowcount", 0) or 0)}

    # --- mail outbox ---------------------------------------------------------------------

    def outbox(
        self,
        actor: Actor,
        *,
        base_id: int | None = None,
        limit: int = 100,
        before: int | None = None,
    ) -> dict[str, Any]:
        """Mails sent or held: all of them for system admins, else those of the bases the
        caller administers."""
        with self.db.read() as session:
            user = session.get(User, actor.user_id)
            if user is not None and user.is_admin and not actor.via_token:
                bases: list[int] | None = None
            else:
                bases = list(
                    session.scalars(
                        sa.select(BaseMeta.id)
                        .join(Membership, Membership.workspace_id == BaseMeta.workspace_id)
                        .where(
                            Membership.user_id == actor.user_id,
                            Membership.role.in_(("admin", "owner")),
                        )
                    )
                )
                if actor.token_base_id is not None:
                    bases = [b for b in bases if b == actor.token_base_id]
                if not bases or "admin" not in actor.scopes:
                    raise PermissionDenied("Only admins can read the mail outbox")
            if base_id is not None:
                if bases is not None and base_id not in bases:
                    raise NotFound("Base not found", code="BASE_NOT_FOUND")
                bases = [base_id]
            items = list_mails(session, bases, min(max(limit, 1), 500), before)
            return {"items": items}

    # --- outgoing webhooks ---------------------------------------------------------------

    def _check(self, session: Session, base_id: int, body: dict[str, Any]) -> dict[str, Any]:
        url = body.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ValidationFailed("url is required", code="INVALID_WEBHOOK")
        check_target(url.strip(), Allowlist.parse(self.settings.http_allowlist), "url")
        events = body.get("events") or list(EVENTS)
        if not isinstance(events, list) or not events or set(events) - set(EVENTS):
            raise ValidationFailed(
                f"events is a list of {', '.join(EVENTS)}", code="INVALID_WEBHOOK"
            )
        table_id = body.get("table_id")
        if table_id is not None:
            table = session.get(TableMeta, table_id) if isinstance(table_id, int) else None
            if table is None or table.base_id != base_id:
                raise ValidationFailed(
                    f"table_id: no table {table_id!r} in this base", code="INVALID_WEBHOOK"
                )
        secret = body.get("secret")
        if secret is not None and (not isinstance(secret, str) or len(secret) < 16):
            raise ValidationFailed(
                "secret must be at least 16 characters (leave it out to get one)",
                code="INVALID_WEBHOOK",
            )
        enabled = body.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValidationFailed("enabled must be true or false", code="INVALID_WEBHOOK")
        return {
            "url": url.strip(),
            "events": list(dict.fromkeys(events)),
            "table_id": table_id,
            "secret": secret,
            "enabled": enabled,
        }

    def webhooks(self, actor: Actor, base_id: int) -> list[dict[str, Any]]:
        with self.db.read() as session:
            self.access.require_base(session, actor, base_id, "schema")
            hooks = session.scalars(
                sa.select(Webhook).where(Webhook.base_id == base_id).order_by(Webhook.id)
            )
            return [webhook_dict(h) for h in hooks]

    def create_webhook(self, actor: Actor, base_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Subscribe a URL to row events; the answer shows the signing secret (once)."""
        with self.db.write() as session:
            self.access.require_base(session, actor, base_id, "schema")
            values = self._check(session, base_id, body)
            hook = Webhook(
                base_id=base_id,
                created_by=actor.user_id or None,
                created_at=utcnow(),
                **{**values, "secret": values["secret"] or new_secret()},
            )
            session.add(hook)
            session.flush()
            return webhook_dict(hook, secret=True)

    def _hook(self, session: Session, actor: Actor, webhook_id: int) -> Webhook:
        hook = session.get(Webhook, webhook_id)
        if hook is None:
            raise NotFound("Webhook not found", code="WEBHOOK_NOT_FOUND")
        try:
            self.access.require_base(session, actor, hook.base_id, "schema")
        except NotFound:
            raise NotFound("Webhook not found", code="WEBHOOK_NOT_FOUND") from None
        return hook

    def update_webhook(
        self, actor: Actor, webhook_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        with self.db.write() as session:
            hook = self._hook(session, actor, webhook_id)
            current = {
                "url": hook.url,
                "events": hook.events,
                "table_id": hook.table_id,
                "enabled": hook.enabled,
            }
            values = self._check(session, hook.base_id, {**current, **changes})
            for key in ("url", "events", "table_id", "enabled"):
                setattr(hook, key, values[key])
            if values["secret"]:
                hook.secret = values["secret"]
            return webhook_dict(hook)

    def delete_webhook(self, actor: Actor, webhook_id: int) -> None:
        with self.db.write() as session:
            session.delete(self._hook(session, actor, webhook_id))

    def deliveries(
        self, actor: Actor, webhook_id: int, limit: int = 50, before: int | None = None
    ) -> dict[str, Any]:
        """The deliveries log, newest first."""
        with self.db.read() as session:
            self._hook(session, actor, webhook_id)
            query = sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
            if before is not None:
                query = query.where(WebhookDelivery.id < before)
            items = session.scalars(
                query.order_by(WebhookDelivery.id.desc()).limit(min(max(limit, 1), 500))
            )
            return {"items": [delivery_dict(d) for d in items]}
