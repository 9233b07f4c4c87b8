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
from tablekit.services import rowwrite
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.rowcodec import encode_rows
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

    def _form_fields(self, view: ViewMeta, fields: tuple[FieldDef, ...]) -> list[dict[str, Any]]:
        form = (view.config or {}).get("form") or {}
        by_id = {f.id: f for f in fields}
        items = form.get("fields") or [
            {"field_id": f.id} for f in fields if not self.registry.get(f.type).read_only
        ]
        return [
            {**item, "field": by_id[item["field_id"]]}
            for item in items
            if item["field_id"] in by_id
        ]

    def form(self, token: str) -> dict[str, Any]:
        """What a public form shows: title, description and its fields."""
        with self.db.read() as session:
            view, table = self._link(session, token, "form")
            schema = schema_of(session, table)
            form = (view.config or {}).get("form") or {}
            fields = []
            for item in self._form_fields(view, schema.fields):
                meta = field_dict_from_def(item["field"], self.registry)
                fields.append(
                    {
                        **meta,
                        "required": bool(item.get("required") or item["field"].required),
                        "help": item.get("help", ""),
                    }
                )
            return {
                "title": form.get("title") or view.name,
                "description": form.get("description", ""),
                "submit_label": form.get("submit_label", "Submit"),
                "success_message": form.get("success_message", "Thank you!"),
                "fields": fields,
            }

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
        """Create one row from a public form; only the form's fields may be set."""
        with self.db.write() as session:
            view, table = self._link(session, token, "form")
            schema = schema_of(session, table)
            items = self._form_fields(view, schema.fields)
            allowed = {item["field"].id: item for item in items}
            for ref in cells:
                fdef = schema.find(ref)
                if fdef is None or fdef.id not in allowed:
                    raise ValidationFailed(
                        f"{ref!r} is not a field of this form",
                        code="UNKNOWN_FIELD",
                        details={"field": ref},
                    )
                if fdef.type in ("link", "collaborator", "attachment"):
                    # Public visitors cannot browse other records, users or files.
                    raise ValidationFailed(
                        f"{fdef.name!r} cannot be filled in on a public form",
                        code="FIELD_NOT_ALLOWED",
                    )
            for field_id, item in allowed.items():
                fdef = schema.by_id(field_id)
                if (
                    item.get("required")
                    and fdef is not None
                    and fdef.name not in cells
                    and fdef.key not in cells
                ):
                    raise ValidationFailed(
                        f"{fdef.name!r} is required",
                        code="INVALID_CELL",
                        details={
                            "errors": [{"row": 0, "field": fdef.name, "message": "is required"}]
                        },
                    )
            op = self.rows.op_for(session, table, actor_id=None)
            encoded = encode_rows(op.schema, self.registry, [cells], op.ctx, creating=True)
            ids = rowwrite.insert_rows(op, encoded)
            rowwrite.record_created(op, ids, {"form_view_id": view.id})
            self.rows.finish(op)
            return {"id": ids[0]}


def field_dict_from_def(fdef: FieldDef, registry: Registry[FieldType]) -> dict[str, Any]:
    return {
        "id": fdef.id,
        "name": fdef.name,
        "type": fdef.type,
        "options": dict(fdef.options),
        "description": fdef.description,
        "read_only": registry.get(fdef.type).read_only,
    }
