"""Comments on rows: commenters and above may write; everyone who can read sees them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.db.engine import Database
from tablekit.db.models import RowComment, User, utcnow
from tablekit.errors import NotFound, PermissionDenied, ValidationFailed
from tablekit.services.access import RANK, Access
from tablekit.services.actor import Actor
from tablekit.services.rows import RowService

MAX_COMMENT = 10_000


def comment_dict(comment: RowComment, email: str | None, name: str | None) -> dict[str, Any]:
    return {
        "id": comment.id,
        "row_id": comment.row_id,
        "body": comment.body,
        "author": {"id": comment.user_id, "email": email, "name": name},
        "created_at": comment.created_at.isoformat(),
        "updated_at": comment.updated_at.isoformat() if comment.updated_at else None,
    }


class CommentService:
    def __init__(self, db: Database, access: Access, rows: RowService) -> None:
        self.db = db
        self.access = access
        self.rows = rows

    def _row_exists(
        self, session: Any, actor: Actor, table_ref: str | int, row_id: int, capability: str
    ) -> int:
        table, _ = self.access.require_table(session, actor, table_ref, capability)
        op = self.rows.op_for(session, table, actor.user_id)
        if not op.fetch([row_id]):
            raise NotFound(f"Row {row_id} not found", code="ROW_NOT_FOUND")
        return table.id

    def list(self, actor: Actor, table_ref: str | int, row_id: int) -> list[dict[str, Any]]:
        with self.db.read() as session:
            table_id = self._row_exists(session, actor, table_ref, row_id, "read")
            rows = session.execute(
                select(RowComment, User.email, User.name)
                .outerjoin(User, User.id == RowComment.user_id)
                .where(RowComment.table_id == table_id, RowComment.row_id == row_id)
                .order_by(RowComment.id)
            ).all()
            return [comment_dict(c, email, name) for c, email, name in rows]

    def add(self, actor: Actor, table_ref: str | int, row_id: int, body: str) -> dict[str, Any]:
        text = _checked(body)
        with self.db.write() as session:
            table_id = self._row_exists(session, actor, table_ref, row_id, "comment")
            comment = RowComment(table_id=table_id, row_id=row_id, user_id=actor.user_id, body=text)
            session.add(comment)
            session.flush()
            return comment_dict(comment, actor.email, actor.name)

    def edit(
        self, actor: Actor, table_ref: str | int, row_id: int, comment_id: int, body: str
    ) -> dict[str, Any]:
        """Authors edit their own comments (nobody else's words change under their name)."""
        text = _checked(body)
        with self.db.write() as session:
            table, _ = self.access.require_table(session, actor, table_ref, "comment")
            comment = self._comment(session, table.id, row_id, comment_id)
            if comment.user_id != actor.user_id:
                raise PermissionDenied("Only the author can edit a comment")
            comment.body = text
            comment.updated_at = utcnow()
            session.flush()
            return comment_dict(comment, actor.email, actor.name)

    @staticmethod
    def _comment(session: Session, table_id: int, row_id: int, comment_id: int) -> RowComment:
        comment = session.get(RowComment, comment_id)
        if comment is None or comment.table_id != table_id or comment.row_id != row_id:
            raise NotFound("Comment not found", code="COMMENT_NOT_FOUND")
        return comment

    def delete(self, actor: Actor, table_ref: str | int, row_id: int, comment_id: int) -> None:
        """Authors delete their own comments; admins delete any."""
        with self.db.write() as session:
            table, base = self.access.require_table(session, actor, table_ref, "comment")
            comment = self._comment(session, table.id, row_id, comment_id)
            role = self.access.workspace_role(session, actor, base.workspace_id) or "viewer"
            if comment.user_id != actor.user_id and RANK[role] < RANK["admin"]:
                raise PermissionDenied("Only the author or an admin can delete a comment")
            session.delete(comment)


def _checked(body: str) -> str:
    text = body.strip()
    if not text or len(text) > MAX_COMMENT:
        raise ValidationFailed(
            f"A comment is 1 to {MAX_COMMENT} characters", code="INVALID_COMMENT"
        )
    return text
