"""Workspaces, their members, and bases."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from tablekit.db.engine import Database
from tablekit.db.models import BaseMeta, Membership, TableMeta, User, Workspace
from tablekit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tablekit.services.access import RANK, Access, check_role
from tablekit.services.actor import Actor
from tablekit.services.users import normalize_email
from tablekit.storage import physical

MAX_NAME = 200


def clean_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed(f"The {what} needs a name", code="INVALID_NAME")
    text: str = name.strip()
    if len(text) > MAX_NAME or any(ord(c) < 32 for c in text):
        raise ValidationFailed(
            f"The {what} name must be at most {MAX_NAME} printable characters",
            code="INVALID_NAME",
        )
    return text


def base_dict(base: BaseMeta) -> dict[str, Any]:
    return {
        "id": base.id,
        "workspace_id": base.workspace_id,
        "name": base.name,
        "timezone": base.timezone,
        "settings": base.settings or {},
        "created_at": base.created_at,
    }


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(f"Unknown time zone {name!r}", code="INVALID_TIMEZONE") from None
    return name


class WorkspaceService:
    def __init__(self, db: Database, access: Access) -> None:
        self.db = db
        self.access = access

    # --- workspaces ----------------------------------------------------------------------
    def mine(self, actor: Actor) -> list[dict[str, Any]]:
        with self.db.read() as session:
            rows = session.execute(
                select(Workspace, Membership.role)
                .join(Membership, Membership.workspace_id == Workspace.id)
                .where(Membership.user_id == actor.user_id)
                .order_by(Workspace.id)
            ).all()
            return [
                {"id": ws.id, "name": ws.name, "role": role, "created_at": ws.created_at}
                for ws, role in rows
                if actor.token_workspace_id in (None, ws.id)
            ]

    def create(self, actor: Actor, name: str) -> dict[str, Any]:
        if actor.via_token:
            raise PermissionDenied("API tokens cannot create workspaces", code="TOKEN_SCOPE")
        with self.db.write() as session:
            workspace = Workspace(name=clean_name(name, "workspace"))
            session.add(workspace)
            session.flush()
            session.add(Membership(workspace_id=workspace.id, user_id=actor.user_id, role="owner"))
            return {
                "id": workspace.id,
                "name": workspace.name,
                "role": "owner",
                "created_at": workspace.created_at,
            }

    def require(self, actor: Actor, workspace_id: int, capability: str) -> str:
        """The actor's role, if it allows ``capability`` here (NotFound/PermissionDenied)."""
        with self.db.read() as session:
            return self.access.require_workspace(session, actor, workspace_id, capability)

    # --- members -------------------------------------------------------------------------
    def members(self, actor: Actor, workspace_id: int) -> list[dict[str, Any]]:
        with self.db.read() as session:
            self.access.require_workspace(session, actor, workspace_id, "read")
            rows = session.execute(
                select(User, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.workspace_id == workspace_id)
                .order_by(User.id)
            ).all()
            return [
                {"user_id": u.id, "email": u.email, "name": u.name, "role": role}
                for u, role in rows
            ]

    def add_member(self, actor: Actor, workspace_id: int, email: str, role: str) -> dict[str, Any]:
        """Add an existing user, or change their role. Only owners grant or take ownership."""
        check_role(role)
        with self.db.write() as session:
            my_role = self.access.require_workspace(session, actor, workspace_id, "members")
            if RANK[role] > RANK[my_role]:
                raise PermissionDenied(
                    f"You cannot grant a role above your own ({my_role})", code="ROLE_TOO_HIGH"
                )
            user = session.scalar(select(User).where(User.email == normalize_email(email)))
            if user is None:
                raise ValidationFailed(
                    f"No user with e-mail {email}; create the account first",
                    code="UNKNOWN_USER",
                )
            membership = session.scalar(
                select(Membership).where(
                    Membership.workspace_id == workspace_id, Membership.user_id == user.id
                )
            )
            if membership is None:
                session.add(Membership(workspace_id=workspace_id, user_id=user.id, role=role))
            else:
                if membership.role == "owner" and role != "owner":
                    self._keep_an_owner(session, workspace_id)
                if RANK[membership.role] > RANK[my_role]:
                    raise PermissionDenied(
                        "You cannot change the role of someone above you", code="ROLE_TOO_HIGH"
                    )
                membership.role = role
            return {"user_id": user.id, "email": user.email, "name": user.name, "role": role}

    def remove_member(self, actor: Actor, workspace_id: int, user_id: int) -> None:
        with self.db.write() as session:
            my_role = self.access.require_workspace(session, actor, workspace_id, "members")
            membership = session.scalar(
                select(Membership).where(
                    Membership.workspace_id == workspace_id, Membership.user_id == user_id
                )
            )
            if membership is None:
                raise NotFound("Member not found", code="MEMBER_NOT_FOUND")
            if RANK[membership.role] > RANK[my_role]:
                raise PermissionDenied("You cannot remove someone above you", code="ROLE_TOO_HIGH")
            if membership.role == "owner":
                self._keep_an_owner(session, workspace_id)
            session.delete(membership)

    def _keep_an_owner(self, session: Any, workspace_id: int) -> None:
        owners = session.scalar(
            select(func.count()).where(
                Membership.workspace_id == workspace_id, Membership.role == "owner"
            )
        )
        if owners <= 1:
            raise Conflict("A workspace keeps at least one owner", code="LAST_OWNER")

    # --- bases ---------------------------------------------------------------------------
    def bases(self, actor: Actor, workspace_id: int) -> list[dict[str, Any]]:
        with self.db.read() as session:
            self.access.require_workspace(session, actor, workspace_id, "read")
            query = select(BaseMeta).where(BaseMeta.workspace_id == workspace_id)
            if actor.token_base_id is not None:
                query = query.where(BaseMeta.id == actor.token_base_id)
            return [base_dict(b) for b in session.scalars(query.order_by(BaseMeta.id))]

    def create_base(
        self, actor: Actor, workspace_id: int, name: str, timezone: str = "UTC"
    ) -> dict[str, Any]:
        with self.db.write() as session:
            self.access.require_workspace(session, actor, workspace_id, "schema")
            base = BaseMeta(
                workspace_id=workspace_id,
                name=clean_name(name, "base"),
                timezone=check_timezone(timezone),
                settings={},
            )
            session.add(base)
            session.flush()
            return base_dict(base)

    def get_base(self, actor: Actor, base_id: int) -> dict[str, Any]:
        with self.db.read() as session:
            base, role = self.access.require_base(session, actor, base_id, "read")
            return {**base_dict(base), "role": role}

    def update_base(self, actor: Actor, base_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as session:
            base, _ = self.access.require_base(session, actor, base_id, "schema")
            if "name" in changes and changes["name"] is not None:
                base.name = clean_name(changes["name"], "base")
            if changes.get("timezone") is not None:
                base.timezone = check_timezone(changes["timezone"])
            if changes.get("settings") is not None:
                if not isinstance(changes["settings"], dict):
                    raise ValidationFailed("settings must be an object", code="INVALID_SETTINGS")
                base.settings = {**(base.settings or {}), **changes["settings"]}
            return base_dict(base)

    def delete_base(self, actor: Actor, base_id: int) -> None:
        with self.db.write() as session:
            base, _ = self.access.require_base(session, actor, base_id, "schema")
            conn = session.connection()
            from tablekit.db.models import FieldMeta

            table_ids = list(
                session.scalars(select(TableMeta.id).where(TableMeta.base_id == base_id))
            )
            link_owners = session.scalars(
                select(FieldMeta).where(FieldMeta.table_id.in_(table_ids), FieldMeta.type == "link")
            ).all()
            for fmeta in link_owners:
                if fmeta.options.get("side") == "a":
                    physical.drop_junction(conn, int(fmeta.options["junction"]))
            for table_id in table_ids:
                physical.drop_table(conn, table_id)
            session.delete(base)
