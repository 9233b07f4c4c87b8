"""API tokens: shown once, stored as a SHA-256 hash, scoped to a workspace or a base."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from tablekit.db.engine import Database
from tablekit.db.models import ApiToken, BaseMeta, User
from tablekit.errors import NotAuthenticated, NotFound, ValidationFailed
from tablekit.services.access import Access
from tablekit.services.actor import ALL_SCOPES, Actor
from tablekit.services.users import token_hash

TOKEN_PREFIX = "tk_"  # noqa: S105 - a public prefix, not a secret


def token_dict(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "scopes": token.scopes.split(","),
        "workspace_id": token.workspace_id,
        "base_id": token.base_id,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
    }


class TokenService:
    def __init__(self, db: Database, access: Access) -> None:
        self.db = db
        self.access = access

    def create(
        self,
        actor: Actor,
        *,
        name: str,
        scopes: list[str],
        workspace_id: int | None = None,
        base_id: int | None = None,
    ) -> dict[str, Any]:
        """A new token; the returned ``token`` is the only time the secret is shown."""
        if actor.via_token:
            raise ValidationFailed(
                "Tokens are created by signed-in users, not by other tokens",
                code="TOKEN_FROM_TOKEN",
            )
        if not scopes or not set(scopes) <= ALL_SCOPES:
            raise ValidationFailed(
                "scopes must be a non-empty list of read, write, admin", code="INVALID_SCOPES"
            )
        if not name.strip() or len(name) > 200:
            raise ValidationFailed("A token needs a name (≤ 200 characters)", code="INVALID_NAME")
        if workspace_id is not None and base_id is not None:
            raise ValidationFailed(
                "Scope a token to a workspace or to a base, not both", code="INVALID_TOKEN_SCOPE"
            )
        with self.db.write() as session:
            if base_id is not None:
                _base, _ = self.access.require_base(session, actor, base_id, "read")
            elif workspace_id is not None:
                self.access.require_workspace(session, actor, workspace_id, "read")
            # Neither: the token acts for its user in all their workspaces (scopes still cap).
            raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
            ordered = [s for s in ("read", "write", "admin") if s in scopes]
            token = ApiToken(
                user_id=actor.user_id,
                name=name.strip(),
                token_hash=token_hash(raw),
                prefix=raw[:10],
                workspace_id=workspace_id,
                base_id=base_id,
                scopes=",".join(ordered),
            )
            session.add(token)
            session.flush()
            return {**token_dict(token), "token": raw}

    def mine(self, actor: Actor) -> list[dict[str, Any]]:
        with self.db.read() as session:
            tokens = session.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == actor.user_id, ApiToken.revoked_at.is_(None))
                .order_by(ApiToken.id)
            ).all()
            return [token_dict(t) for t in tokens]

    def revoke(self, actor: Actor, token_id: int) -> None:
        with self.db.write() as session:
            token = session.get(ApiToken, token_id)
            if token is None or token.user_id != actor.user_id or token.revoked_at is not None:
                raise NotFound("Token not found", code="TOKEN_NOT_FOUND")
            token.revoked_at = datetime.now(UTC)

    def actor_for_token(self, raw: str) -> Actor:
        with self.db.read() as session:
            row = session.execute(
                select(ApiToken, User)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == token_hash(raw), ApiToken.revoked_at.is_(None))
            ).first()
            if row is None:
                raise NotAuthenticated("The API token is invalid or revoked", code="INVALID_TOKEN")
            token, user = row
            workspace_id = token.workspace_id
            if token.base_id is not None:
                workspace_id = session.scalar(
                    select(BaseMeta.workspace_id).where(BaseMeta.id == token.base_id)
                )
            return Actor(
                user_id=user.id,
                email=user.email,
                name=user.name,
                is_admin=False,
                token_id=token.id,
                scopes=frozenset(token.scopes.split(",")),
                token_workspace_id=workspace_id,
                token_base_id=token.base_id,
            )
