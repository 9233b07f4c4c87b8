"""Builds the field-type Context for one request: time zone, users and files, loaded lazily
and at most once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.db.models import BaseMeta, Membership, StoredFile, User
from tablekit.fields.base import Context


def make_context(session: Session, base: BaseMeta, actor_id: int | None) -> Context:
    users: dict[int, Mapping[str, Any]] | None = None
    files: dict[str, Mapping[str, Any] | None] = {}

    def load_users() -> dict[int, Mapping[str, Any]]:
        nonlocal users
        if users is None:
            rows = session.execute(
                select(User.id, User.email, User.name)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.workspace_id == base.workspace_id)
            ).all()
            users = {uid: {"id": uid, "email": email, "name": name} for uid, email, name in rows}
        return users

    def user_lookup(user_id: int) -> Mapping[str, Any] | None:
        found = load_users().get(user_id)
        if found is None and user_id not in load_users():
            user = session.get(User, user_id)
            if user is not None:
                return {"id": user.id, "email": user.email, "name": user.name}
        return found

    def user_by_email(email: str) -> int | None:
        email = email.strip().lower()
        return next((u["id"] for u in load_users().values() if u["email"] == email), None)

    def file_lookup(file_id: str) -> Mapping[str, Any] | None:
        if file_id not in files:
            stored = session.get(StoredFile, file_id)
            files[file_id] = (
                {"name": stored.name, "size": stored.size, "mime_type": stored.mime_type}
                if stored is not None and stored.base_id == base.id
                else None
            )
        return files[file_id]

    return Context(
        dialect=session.get_bind().dialect.name,
        timezone=base.timezone or "UTC",
        now=datetime.now(UTC),
        actor_id=actor_id,
        base_id=base.id,
        user_lookup=user_lookup,
        file_lookup=file_lookup,
        member_ids=lambda: set(load_users()),
        user_by_email=user_by_email,
    )
