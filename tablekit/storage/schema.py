"""A table's schema as the storage layer sees it, loaded from the metadata models."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.db.models import FieldMeta, TableMeta
from tablekit.errors import NotFound, ValidationFailed
from tablekit.fields.base import FieldDef


def field_def(meta: FieldMeta) -> FieldDef:
    return FieldDef(
        id=meta.id,
        table_id=meta.table_id,
        name=meta.name,
        type=meta.type,
        options=dict(meta.options or {}),
        unique=meta.unique,
        required=meta.required,
        description=meta.description,
        position=meta.position,
    )


@dataclass(frozen=True)
class TableSchema:
    id: int
    base_id: int
    name: str
    primary_field_id: int | None
    version: int
    fields: tuple[FieldDef, ...]

    @property
    def physical_name(self) -> str:
        return f"t_{self.id}"

    def by_id(self, field_id: int) -> FieldDef | None:
        for f in self.fields:
            if f.id == field_id:
                return f
        return None

    def find(self, ref: str | int) -> FieldDef | None:
        """A field by id (``12`` or ``"f_12"``) or by exact name; names win over id forms."""
        if isinstance(ref, str):
            for f in self.fields:
                if f.name == ref:
                    return f
            if ref.startswith("f_") and ref[2:].isdigit():
                return self.by_id(int(ref[2:]))
            if ref.isdigit():  # a plain id, as view configs store them
                return self.by_id(int(ref))
            return None
        if isinstance(ref, int) and not isinstance(ref, bool):
            return self.by_id(ref)
        return None

    def field(self, ref: str | int) -> FieldDef:
        found = self.find(ref)
        if found is None:
            raise ValidationFailed(
                f"Unknown field {ref!r} in table {self.name!r}",
                code="UNKNOWN_FIELD",
                details={"field": ref, "table": self.name},
            )
        return found

    def fields_of(self, refs: Iterable[str | int]) -> list[FieldDef]:
        return [self.field(r) for r in refs]

    @property
    def primary(self) -> FieldDef | None:
        if self.primary_field_id is None:
            return None
        return self.by_id(self.primary_field_id)


def load_schema(session: Session, table_id: int) -> TableSchema:
    meta = session.get(TableMeta, table_id)
    if meta is None:
        raise NotFound(f"Table {table_id} not found")
    return schema_of(session, meta)


def schema_of(session: Session, meta: TableMeta) -> TableSchema:
    fields = session.scalars(
        select(FieldMeta)
        .where(FieldMeta.table_id == meta.id)
        .order_by(FieldMeta.position, FieldMeta.id)
    ).all()
    return TableSchema(
        id=meta.id,
        base_id=meta.base_id,
        name=meta.name,
        primary_field_id=meta.primary_field_id,
        version=meta.schema_version,
        fields=tuple(field_def(f) for f in fields),
    )
