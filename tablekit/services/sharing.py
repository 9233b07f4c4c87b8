"""Public share links for views: a form anyone with the link can submit, or a read-only view.

Links are unguessable tokens; what a link exposes is limited to that view's fields (a form's
chosen fields, or a view's visible fields) and rows (the view's filter).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select

from tablekit.db.engine import Database
from tablekit.db.models import ShareLink, TableMeta, ViewMeta
from tablekit.errors import NotFound, ValidationFailed
from tablekit.fields.base import FieldDef, FieldType
from tablekit.registry import Registry
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.publicform import PublicForm
from tablekit.services.rows import RowService
from tablekit.storage.schema import schema_of

KINDS = ("form", "read")


class ShareService:
    def __init__(
        self,
        db: Database,
        access: Access,
        registry: Registry[FieldType],
        rows: RowService,
        base_url: str,
    ) -> None:
        self.db = db
        self.access = access
        self.registry = registry
        self.rows = rows
        self.base_url = base_url.rstrip("/")

    def share(self, actor: Actor, view_id: int, kind: str) -> dict[str, Any]:
        """Create (or return the existing) link of ``kind`` for a view."""
        if kind not in KINDS:
            raise ValidationFailed("kind is form or read", code="INVALID_SHARE_KIND")
        with self.db.write() as session:
            view, _, _ = self.access.require_view(session, actor, view_id, "write")
            if kind == "form" and view.type != "form":
                raise ValidationFailed(
                    "Only form views can be shared as forms", code="INVALID_SHARE_KIND"
                )
            link = session.scalar(
                select(ShareLink).where(ShareLink.view_id == view.id, ShareLink.kind == kind)
            )
            if link is None:
                link = ShareLink(
                    view_id=view.id,
                    kind=kind,
                    token=secrets.token_urlsafe(24),
                    created_by=actor.user_id,
                )
                session.add(link)
                session.flush()
            return {"kind": kind, "token": link.token, "url": f"{self.base_url}/s/{link.token}"}

    def unshare(self, actor: Actor, view_id: int) -> None:
        with self.db.write() as session:
            view, _, _ = self.access.require_view(session, actor, view_id, "write")
            for link in session.scalars(select(ShareLink).where(ShareLink.view_id == view.id)):
                session.delete(link)

    def _link(self, session: Any, token: str, kind: str) -> tuple[ViewMeta, TableMeta]:
        link = session.scalar(
            select(ShareLink).where(ShareLink.token == token, ShareLink.kind == kind)
        )
        view = session.get(ViewMeta, link.view_id) if link is not None else None
        table = session.get(TableMeta, view.table_id) if view is not None else None
        if link is None or view is None or table is None:
            raise NotFound("This link does not exist or was revoked", code="SHARE_NOT_FOUND")
        return view, table

    def form(self, token: str) -> dict[str, Any]:
        """What a public form shows: title, description, its fields, pickers and sub-forms."""
        with self.db.read() as session:
            view, table = self._link(session, token, "form")
            return PublicForm(session, self.registry, self.rows, view, table).definition()

    def choices(
        self, token: str, field_id: int, search: str | None = None, limit: int = 20
    ) -> dict[str, Any]:
        """The rows a picker of the form offers (id and primary field text only)."""
        with self.db.read() as session:
            view, table = self._link(session, token, "form")
            form = PublicForm(session, self.registry, self.rows, view, table)
            return form.choices(field_id, search, limit)

    def view(self, token: str) -> dict[str, Any]:
        """What a read-only link shows: the view's name, type and visible fields."""
        with self.db.read() as session:
            view, table = self._link(session, token, "read")
            visible = self._visible(view, schema_of(session, table).fields)
            return {
                "name": view.name,
                "type": view.type,
                "table": table.name,
                "fields": [field_dict_from_def(f, self.registry) for f in visible],
            }

    def view_rows(
        self, token: str, *, cursor: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        """Rows of a read-only link: the view's filter and sort, only its visible fields."""
        with self.db.read() as session:
            view, table = self._link(session, token, "read")
            op = self.rows.op_for(session, table, actor_id=None)
            visible = self._visible(view, op.schema.fields)
            return self.rows.page(
                op, view=view, fields=visible, limit=limit, cursor=cursor, keys="id"
            )

    def _visible(self, view: ViewMeta, fields: tuple[FieldDef, ...]) -> list[FieldDef]:
        hidden = set((view.config or {}).get("hidden_fields") or [])
        return [f for f in fields if f.id not in hidden and f.type != "button"]

    def submit(self, token: str, cells: dict[str, Any]) -> dict[str, Any]:
        """Create one row (and its sub-form lines) from a public form, all or nothing."""
        with self.db.write() as session:
            view, table = self._link(session, token, "form")
            return PublicForm(session, self.registry, self.rows, view, table).submit(cells)


def field_dict_from_def(fdef: FieldDef, registry: Registry[FieldType]) -> dict[str, Any]:
    return {
        "id": fdef.id,
        "name": fdef.name,
        "type": fdef.type,
        "options": dict(fdef.options),
        "description": fdef.description,
        "read_only": registry.get(fdef.type).read_only,
    }
