"""Users, passwords (argon2) and browser sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from tablekit.db.engine import Database
from tablekit.db.models import Membership, User, WebSession, Workspace
from tablekit.errors import Conflict, NotAuthenticated, ValidationFailed
from tablekit.services.actor import Actor

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
MIN_PASSWORD = 8
_hasher = PasswordHasher()
# Verifying against a dummy hash keeps the timing of "no such user" like a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise ValidationFailed(f"{email!r} is not an e-mail address", code="INVALID_EMAIL")
    return email


def user_dict(user: User) -> dict[str, object]:
    return {"id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin}


@dataclass(frozen=True)
class LoginResult:
    user: dict[str, object]
    session_token: str
    csrf_token: str
    expires_at: datetime


class UserService:
    def __init__(self, db: Database, session_days: int = 14) -> None:
        self.db = db
        self.session_days = session_days

    def create_user(
        self,
        email: str,
        password: str,
        *,
        name: str = "",
        is_admin: bool = False,
        workspace_name: str | None = None,
    ) -> dict[str, object]:
        """Create a user and, unless they get none, a personal workspace they own."""
        email = normalize_email(email)
        if len(password) < MIN_PASSWORD:
            raise ValidationFailed(
                f"Passwords need at least {MIN_PASSWORD} characters", code="WEAK_PASSWORD"
            )
        with self.db.write() as session:
            if session.scalar(select(User.id).where(User.email == email)) is not None:
                raise Conflict(f"A user with e-mail {email} exists", code="USER_EXISTS")
            user = User(
                email=email,
                name=name or email.split("@")[0],
                password_hash=_hasher.hash(password),
                is_admin=is_admin,
            )
            session.add(user)
            session.flush()
            if workspace_name is not None:
                workspace = Workspace(name=workspace_name)
                session.add(workspace)
                session.flush()
                session.add(Membership(workspace_id=workspace.id, user_id=user.id, role="owner"))
            return user_dict(user)

    def set_password(self, email: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise ValidationFailed(
                f"Passwords need at least {MIN_PASSWORD} characters", code="WEAK_PASSWORD"
            )
        with self.db.write() as session:
            user = session.scalar(select(User).where(User.email == normalize_email(email)))
            if user is None:
                raise ValidationFailed(f"No user {email}", code="UNKNOWN_USER")
            user.password_hash = _hasher.hash(password)

    def login(self, email: str, password: str) -> LoginResult:
        with self.db.write() as session:
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            try:
                _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                user = None
            if user is None:
                raise NotAuthenticated("E-mail or password is wrong", code="INVALID_CREDENTIALS")
            raw = secrets.token_urlsafe(32)
            csrf = secrets.token_urlsafe(24)
            expires = datetime.now(UTC) + timedelta(days=self.session_days)
            session.add(
                WebSession(
                    id_hash=token_hash(raw), user_id=user.id, csrf_token=csrf, expires_at=expires
                )
            )
            return LoginResult(user_dict(user), raw, csrf, expires)

    def logout(self, session_token: str) -> None:
        with self.db.write() as session:
            session.execute(
                delete(WebSession).where(WebSession.id_hash == token_hash(session_token))
            )

    def actor_for_session(self, session_token: str) -> tuple[Actor, str]:
        """The actor behind a session cookie and the session's CSRF token."""
        with self.db.read() as session:
            row = session.execute(
                select(WebSession, User)
                .join(User, User.id == WebSession.user_id)
                .where(WebSession.id_hash == token_hash(session_token))
            ).first()
            if row is None or row[0].expires_at < datetime.now(UTC):
                raise NotAuthenticated("Your session has ended; sign in again")
            web_session, user = row
            actor = Actor(user_id=user.id, email=user.email, name=user.name, is_admin=user.is_admin)
            return actor, web_session.csrf_token

    def me(self, actor: Actor) -> dict[str, object]:
        with self.db.read() as session:
            user = session.get(User, actor.user_id)
            if user is None:
                raise NotAuthenticated("Unknown user")
            rows = session.execute(
                select(Membership.workspace_id, Workspace.name, Membership.role)
                .join(Workspace, Workspace.id == Membership.workspace_id)
                .where(Membership.user_id == actor.user_id)
                .order_by(Workspace.id)
            ).all()
            memberships = [
                {"workspace_id": ws, "workspace_name": name, "role": role}
                for ws, name, role in rows
                if actor.token_workspace_id in (None, ws)
            ]
            return {**user_dict(user), "memberships": memberships}
