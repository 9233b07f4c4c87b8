"""Fields that hold users: collaborator (editable), created by and modified by (system)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from tablekit.fields import conditions
from tablekit.fields.base import (
    EMPTY_OPS,
    JSON_CELL,
    CellError,
    Context,
    FieldDef,
    FieldType,
)


def user_value(user_id: Any, ctx: Context) -> dict[str, Any] | None:
    if user_id is None:
        return None
    user = ctx.user_lookup(int(user_id)) if ctx.user_lookup else None
    if user is None:
        return {"id": int(user_id), "email": "", "name": "Unknown user"}
    return {"id": user["id"], "email": user["email"], "name": user["name"]}


def user_operand(item: Any, ctx: Context) -> int:
    """A user id named by id, e-mail or ``{id}``/``{email}``, members or not (filters)."""
    if isinstance(item, dict):
        item = item.get("id", item.get("email"))
    if isinstance(item, str) and "@" in item:
        found = ctx.user_by_email(item) if ctx.user_by_email else None
        if found is None:
            raise CellError(f"{item!r} is not a member of this workspace")
        return found
    if isinstance(item, int) and not isinstance(item, bool):
        return item
    if isinstance(item, str) and item.strip().isdigit():
        return int(item)
    raise CellError(f"{item!r} is not a user id or e-mail address")


def people_text(value: Any) -> str:
    """E-mail addresses, which (unlike names) turn back into the same users."""
    users = value if isinstance(value, list) else [value]
    return ", ".join(str(u.get("email") or u.get("id")) for u in users if isinstance(u, dict))


def resolve_user(item: Any, ctx: Context) -> int:
    if isinstance(item, dict):
        item = item.get("id", item.get("email"))
    if isinstance(item, str) and "@" in item:
        found = ctx.user_by_email(item) if ctx.user_by_email else None
        if found is None:
            raise CellError(f"{item!r} is not a member of this workspace")
        return found
    if isinstance(item, bool) or not isinstance(item, int | str):
        raise CellError("expected user ids or e-mail addresses")
    try:
        user_id = int(item)
    except ValueError:
        raise CellError(f"{item!r} is not a user") from None
    members = ctx.member_ids() if ctx.member_ids else set()
    if user_id not in members:
        raise CellError(f"user {user_id} is not a member of this workspace")
    return user_id


class CollaboratorField(FieldType):
    type = "collaborator"
    label = "Collaborator"
    operators = frozenset({"has_any", "has_all"} | EMPTY_OPS)
    sortable = False
    can_be_primary = False

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return JSON_CELL

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            value = [value]
        ids: list[int] = []
        for item in value:
            user_id = resolve_user(item, ctx)
            if user_id not in ids:
                ids.append(user_id)
        return ids or None

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        return [u for u in (user_value(v, ctx) for v in value or []) if u]

    def to_text(self, value: Any, fdef: FieldDef) -> str:
        return people_text(value) if value else ""

    def filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        if op == "is_empty":
            return conditions.json_empty(column, ctx.dialect)
        if op == "is_not_empty":
            return sa.not_(conditions.json_empty(column, ctx.dialect))
        try:
            ids = [user_operand(v, ctx) for v in (value if isinstance(value, list) else [value])]
        except CellError as exc:
            raise conditions.invalid_filter(
                f"Filter value for {fdef.name!r} is invalid: {exc.message}", field=fdef.name
            ) from None
        if op == "has_any":
            return conditions.json_has_any(column, ids, ctx.dialect)
        return conditions.json_has_all(column, ids, ctx.dialect)


class CreatedByField(FieldType):
    type = "created_by"
    label = "Created by"
    storage = "system"
    read_only = True
    can_be_primary = False
    operators = frozenset({"eq", "neq", "in"} | EMPTY_OPS)
    system = "created_by"

    def system_column(self, fdef: FieldDef) -> str:
        return self.system

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.Integer()

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        # Only used for filter operands: a user id or e-mail.
        if value is None:
            return None
        return user_operand(value, ctx)

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        return user_value(value, ctx)

    def to_text(self, value: Any, fdef: FieldDef) -> str:
        return people_text(value) if value else ""


class ModifiedByField(CreatedByField):
    type = "modified_by"
    label = "Last modified by"
    system = "updated_by"
