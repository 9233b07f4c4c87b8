"""Role and scope checks. Every id a caller names is authorized here.

Something the caller may not see answers NotFound, never PermissionDenied, so other
workspaces cannot be probed. PermissionDenied means "you can see it but not do that".
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.db.models import BaseMeta, FieldMeta, Membership, TableMeta, ViewMeta
from tablekit.errors import NotFound, PermissionDenied, ValidationFailed
from tablekit.services.actor import SYSTEM, Actor

ROLES = ("viewer", "commenter", "editor", "admin", "owner")
RANK = {role: i for i, role in enumerate(ROLES)}

# capability -> (least role, token scope needed)
CAPABILITIES = {
    "read": ("viewer", "read"),
    "comment": ("commenter", "read"),
    "write": ("editor", "write"),
    "schema": ("admin", "admin"),
    "members": ("admin", "admin"),
    "owner": ("owner", "admin"),
}


def check_role(role: str) -> str:
    if role not in RANK:
        raise ValidationFailed(
            f"Unknown role {role!r}; use one of {', '.join(ROLES)}", code="INVALID_ROLE"
        )
    return role


class Access:
    """Answers "may this actor do that here?" with one indexed query per check."""

    def workspace_role(self, session: Session, actor: Actor, workspace_id: int) -> str | None:
        if actor is SYSTEM:
            return "owner"
        if actor.token_workspace_id is not None and actor.token_workspace_id != workspace_id:
            return None
        return session.scalar(
            select(Membership.role).where(
                Membership.workspace_id == workspace_id, Membership.user_id == actor.user_id
            )
        )

    def require_workspace(
        self, session: Session, actor: Actor, workspace_id: int, capability: str
    ) -> str:
        role = self.workspace_role(session, actor, workspace_id)
        if role is None:
            raise NotFound("Workspace not found", code="WORKSPACE_NOT_FOUND")
        if actor.token_base_id is not None and capability not in ("read", "comment"):
            raise PermissionDenied(
                "This API token is scoped to one base and cannot change the workspace",
                code="TOKEN_SCOPE",
            )
        self._check(actor, role, capability)
        return role

    def _check(self, actor: Actor, role: str, capability: str) -> None:
        least, scope = CAPABILITIES[capability]
        if RANK[role] < RANK[least]:
            raise PermissionDenied(
                f"Your role ({role}) does not allow this; it needs {least} or higher",
                details={"role": role, "needs": least},
            )
        if scope not in actor.scopes:
            raise PermissionDenied(
                f"This API token lacks the {scope!r} scope",
                code="TOKEN_SCOPE",
                details={"needs": scope},
            )

    def require_base(
        self, session: Session, actor: Actor, base_id: int, capability: str
    ) -> tuple[BaseMeta, str]:
        base = session.get(BaseMeta, base_id)
        if base is None or (actor.token_base_id is not None and actor.token_base_id != base_id):
            raise NotFound("Base not found", code="BASE_NOT_FOUND")
        role = self.workspace_role(session, actor, base.workspace_id)
        if role is None:
            raise NotFound("Base not found", code="BASE_NOT_FOUND")
        self._check(actor, role, capability)
        return base, role

    def resolve_table(self, session: Session, actor: Actor, ref: str | int) -> TableMeta:
        """A table by id or, failing that, by name among the bases the actor can see."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            table = session.get(TableMeta, int(ref))
            if table is not None:
                return table
            raise NotFound("Table not found", code="TABLE_NOT_FOUND")
        query = select(TableMeta).join(BaseMeta, BaseMeta.id == TableMeta.base_id)
        query = query.where(TableMeta.name == ref)
        if actor.token_base_id is not None:
            query = query.where(TableMeta.base_id == actor.token_base_id)
        if actor is not SYSTEM:
            query = query.join(
                Membership,
                (Membership.workspace_id == BaseMeta.workspace_id)
                & (Membership.user_id == actor.user_id),
            )
        candidates = session.scalars(query.limit(2)).all()
        if not candidates:
            raise NotFound("Table not found", code="TABLE_NOT_FOUND")
        if len(candidates) > 1:
            raise ValidationFailed(
                f"Several tables are named {ref!r}; address the table by id",
                code="AMBIGUOUS_TABLE",
            )
        return candidates[0]

    def require_table(
        self, session: Session, actor: Actor, ref: str | int, capability: str
    ) -> tuple[TableMeta, BaseMeta]:
        table = self.resolve_table(session, actor, ref)
        try:
            base, _ = self.require_base(session, actor, table.base_id, capability)
        except NotFound:
            raise NotFound("Table not found", code="TABLE_NOT_FOUND") from None
        return table, base

    def require_field(
        self, session: Session, actor: Actor, field_id: int, capability: str
    ) -> tuple[FieldMeta, TableMeta, BaseMeta]:
        meta = session.get(FieldMeta, field_id)
        if meta is None:
            raise NotFound("Field not found", code="FIELD_NOT_FOUND")
        try:
            table, base = self.require_table(session, actor, meta.table_id, capability)
        except NotFound:
            raise NotFound("Field not found", code="FIELD_NOT_FOUND") from None
        return meta, table, base

    def require_view(
        self, session: Session, actor: Actor, view_id: int, capability: str
    ) -> tuple[ViewMeta, TableMeta, BaseMeta]:
        meta = session.get(ViewMeta, view_id)
        if meta is None:
            raise NotFound("View not found", code="VIEW_NOT_FOUND")
        try:
            table, base = self.require_table(session, actor, meta.table_id, capability)
        except NotFound:
            raise NotFound("View not found", code="VIEW_NOT_FOUND") from None
        return meta, table, base
