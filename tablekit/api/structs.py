"""Request bodies as msgspec Structs. Unknown keys are refused, never silently applied."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType


class In(msgspec.Struct, forbid_unknown_fields=True):
    def given(self) -> dict[str, Any]:
        """The fields the client actually sent (for partial updates)."""
        return {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if getattr(self, name) is not UNSET
        }


class LoginIn(In):
    email: str
    password: str


class TokenCreate(In):
    name: str
    scopes: list[str]
    workspace_id: int | None = None
    base_id: int | None = None


class WorkspaceCreate(In):
    name: str


class MemberAdd(In):
    email: str
    role: str


class BaseCreate(In):
    name: str
    template: str | None = None
    timezone: str = "UTC"


class BaseUpdate(In):
    name: str | UnsetType = UNSET
    timezone: str | UnsetType = UNSET
    settings: dict[str, Any] | UnsetType = UNSET


class FieldCreate(In):
    name: str
    type: str
    options: dict[str, Any] = msgspec.field(default_factory=dict)
    unique: bool = False
    required: bool = False
    description: str = ""


class FieldUpdate(In):
    name: str | UnsetType = UNSET
    type: str | UnsetType = UNSET
    options: dict[str, Any] | UnsetType = UNSET
    unique: bool | UnsetType = UNSET
    required: bool | UnsetType = UNSET
    description: str | UnsetType = UNSET


class TableCreate(In):
    name: str
    fields: list[FieldCreate] = msgspec.field(default_factory=list)


class TableUpdate(In):
    name: str | UnsetType = UNSET
    primary_field_id: int | UnsetType = UNSET
    position: int | UnsetType = UNSET


class ViewCreate(In):
    name: str
    type: str = "grid"
    config: dict[str, Any] = msgspec.field(default_factory=dict)


class ViewUpdate(In):
    name: str | UnsetType = UNSET
    config: dict[str, Any] | UnsetType = UNSET
    position: int | UnsetType = UNSET


class RowFields(In):
    fields: dict[str, Any]


class RowsCreate(In):
    rows: list[RowFields]


class RowUpdateItem(In):
    id: int
    fields: dict[str, Any]
    # The version the caller last saw; a row changed since answers 409 (like If-Match).
    version: int | None = None


class RowsUpdate(In):
    rows: list[RowUpdateItem]


class RowsDelete(In):
    ids: list[int]


class RowsUpsert(In):
    key_fields: list[str]
    rows: list[RowFields]


class RowsQuery(In):
    filter: dict[str, Any] | None = None
    sort: str | list[dict[str, Any]] | None = None
    search: str | None = None
    fields: list[str] | None = None
    limit: int = 100
    cursor: str | None = None
    offset: int | None = None
    view: str | int | None = None
    keys: str = "name"


class ShareCreate(In):
    kind: str


class CommentCreate(In):
    body: str
