"""Row locks (the ``lock_row`` action): a locked row refuses edits and deletes except by
workspace admins and owners (and by automations, which admins configure).

Checking costs nothing on tables that never had a locked row: the base's settings carry
the ids of tables with locks (``locked_tables``), and the base is already loaded by every
row operation. Only on those tables does an update or delete look up ``tk_row_locks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.automations.models import RowLock
from tablekit.db.models import BaseMeta, Membership, User, utcnow
from tablekit.errors import PermissionDenied

if TYPE_CHECKING:
    from tablekit.services.rowwrite import Op

LOCK_HINT = "locked_tables"
ADMIN_ROLES = ("admin", "owner")


def _may_edit_locked(session: Session, user_id: int, workspace_id: int) -> bool:
    user = session.get(User, user_id)
    if user is not None and user.is_admin:
        return True
    role = session.scalar(
        sa.select(Membership.role).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )
    return role in ADMIN_ROLES


def check_unlocked(op: Op, ids: Sequence[int]) -> None:
    """Raise PermissionDenied (``ROW_LOCKED``) if a non-admin user changes a locked row.

    ``op.actor_id`` None is the system (automations, restores): always allowed.
    """
    hint = (op.base.settings or {}).get(LOCK_HINT) or []
    if op.actor_id is None or op.schema.id not in hint or not ids:
        return
    locked = sorted(
        op.session.scalars(
            sa.select(RowLock.row_id).where(
                RowLock.table_id == op.schema.id, RowLock.row_id.in_(list(ids)[:1000])
            )
        )
    )
    if locked and not _may_edit_locked(op.session, op.actor_id, op.base.workspace_id):
        raise PermissionDenied(
            f"Row {locked[0]} is locked; only workspace admins can change it",
            code="ROW_LOCKED",
            details={"row_ids": locked[:100]},
        )


def lock_row(session: Session, base: BaseMeta, table_id: int, row_id: int, rule_id: int) -> bool:
    """Lock a row (idempotent); returns False when it was already locked."""
    if session.get(RowLock, (table_id, row_id)) is not None:
        return False
    hint = list((base.settings or {}).get(LOCK_HINT) or [])
    if table_id not in hint:
        # Serialize hint updates of concurrent lockers (a no-op on SQLite's single writer).
        session.execute(sa.select(BaseMeta.id).where(BaseMeta.id == base.id).with_for_update())
        session.refresh(base)
        hint = list((base.settings or {}).get(LOCK_HINT) or [])
        if table_id not in hint:
            base.settings = {**(base.settings or {}), LOCK_HINT: sorted([*hint, table_id])}
    session.add(
        RowLock(
            table_id=table_id, row_id=row_id, base_id=base.id, rule_id=rule_id, locked_at=utcnow()
        )
    )
    session.flush()
    return True


def unlock_row(session: Session, table_id: int, row_id: int) -> bool:
    """Unlock a row; returns False when it was not locked."""
    result = session.execute(
        sa.delete(RowLock).where(RowLock.table_id == table_id, RowLock.row_id == row_id)
    )
    return bool(getattr(result, "rowcount", 0))


def is_locked(session: Session, table_id: int, row_id: int) -> bool:
    return session.get(RowLock, (table_id, row_id)) is not None
