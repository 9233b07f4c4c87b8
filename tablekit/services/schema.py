"""Tables, fields and views of a base: the schema a client needs, and changes to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from tablekit.db.engine import Database
from tablekit.db.models import FieldMeta, TableMeta, ViewMeta
from tablekit.errors import Conflict, ValidationFailed
from tablekit.fields.base import FieldType
from tablekit.formulas import FormulaError, parse_formula, resolve_id
from tablekit.formulas.graph import COMPUTED
from tablekit.formulas.recalc import Recalculator
from tablekit.interchange import trash_schema
from tablekit.registry import Registry
from tablekit.services import fieldops, typechange
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.cellctx import make_context
from tablekit.services.events import FIELD_CHANGED, TABLE_CHANGED, Event, emit
from tablekit.services.rows import RowService
from tablekit.services.views import check_view_config, view_dict
from tablekit.services.workspaces import clean_name
from tablekit.storage import physical
from tablekit.storage.schema import schema_of

MAX_FIELDS_PER_TABLE = 500


def keep_choice_ids(old: Mapping[str, Any] | None, choices: Any) -> Any:
    """Choices given by name (as clients usually send them) keep the ids of existing
    choices with that name, so cells stay attached; renames need the id."""
    if not isinstance(choices, list):
        return choices
    known = {c["name"]: c["id"] for c in (old or {}).get("choices", []) if "id" in c}
    result = []
    for choice in choices:
        if isinstance(choice, str):
            choice = {"name": choice}
        if isinstance(choice, dict) and "id" not in choice and choice.get("name") in known:
            choice = {**choice, "id": known[choice["name"]]}
        result.append(choice)
    return result


def present_options(meta: FieldMeta, names: Mapping[int, str] | None) -> dict[str, Any]:
    """Options as clients see them: a formula is shown with field names (stored by id)."""
    options = dict(meta.options or {})
    if meta.type == "formula" and names is not None and options.get("formula"):
        try:
            parsed = parse_formula(str(options["formula"]), resolve_id)
        except FormulaError:
            return options
        options["formula"] = parsed.render(
            lambda key: names.get(int(key[2:])) if key[2:].isdigit() else None
        )
    return options


def field_dict(
    meta: FieldMeta, registry: Registry[FieldType], names: Mapping[int, str] | None = None
) -> dict[str, Any]:
    ftype = registry.get(meta.type)
    return {
        "id": meta.id,
        "table_id": meta.table_id,
        "name": meta.name,
        "type": meta.type,
        "options": present_options(meta, names),
        "unique": meta.unique,
        "required": meta.required,
        "description": meta.description,
        "read_only": ftype.read_only,
    }


class SchemaService:
    def __init__(
        self,
        db: Database,
        access: Access,
        registry: Registry[FieldType],
        rows: RowService,
        recalc: Recalculator,
    ) -> None:
        self.db = db
        self.access = access
        self.registry = registry
        self.rows = rows
        self.recalc = recalc

    def _recompute(
        self, session: Any, table: TableMeta, field_ids: list[int], actor: Actor
    ) -> None:
        """Fill computed fields for every row (new or changed formulas, lookups...)."""
        if not field_ids:
            return
        session.flush()
        session.refresh(table)
        op = self.rows.op_for(session, table, actor.user_id or None)
        for field_id in field_ids:
            meta = session.get(FieldMeta, field_id)
            if meta is not None and meta.type in COMPUTED:
                owner = session.get(TableMeta, meta.table_id)
                if owner is not None and owner.id != table.id:
                    op = self.rows.op_for(session, owner, actor.user_id or None)
                self.recalc.recompute_field(op, field_id)

    # --- reading -------------------------------------------------------------------------
    def base_schema(self, actor: Actor, base_id: int) -> dict[str, Any]:
        with self.db.read() as session:
            base, role = self.access.require_base(session, actor, base_id, "read")
            tables = session.scalars(
                select(TableMeta)
                .where(TableMeta.base_id == base_id)
                .order_by(TableMeta.position, TableMeta.id)
            ).all()
            ids = [t.id for t in tables]
            fields = session.scalars(
                select(FieldMeta)
                .where(FieldMeta.table_id.in_(ids))
                .order_by(FieldMeta.position, FieldMeta.id)
            ).all()
            views = session.scalars(
                select(ViewMeta)
                .where(ViewMeta.table_id.in_(ids))
                .order_by(ViewMeta.position, ViewMeta.id)
            ).all()
            names = {f.id: f.name for f in fields}
            return {
                "id": base.id,
                "name": base.name,
                "workspace_id": base.workspace_id,
                "timezone": base.timezone,
                "role": role,
                "tables": [
                    {
                        "id": t.id,
                        "name": t.name,
                        "primary_field_id": t.primary_field_id,
                        "fields": [
                            field_dict(f, self.registry, names)
                            for f in fields
                            if f.table_id == t.id
                        ],
                        "views": [view_dict(v) for v in views if v.table_id == t.id],
                    }
                    for t in tables
                ],
            }

    def table_dict(self, session: Any, table: TableMeta) -> dict[str, Any]:
        fields = session.scalars(
            select(FieldMeta)
            .where(FieldMeta.table_id == table.id)
            .order_by(FieldMeta.position, FieldMeta.id)
        ).all()
        views = session.scalars(
            select(ViewMeta).where(ViewMeta.table_id == table.id).order_by(ViewMeta.position)
        ).all()
        names = {f.id: f.name for f in fields}
        return {
            "id": table.id,
            "base_id": table.base_id,
            "name": table.name,
            "primary_field_id": table.primary_field_id,
            "fields": [field_dict(f, self.registry, names) for f in fields],
            "views": [view_dict(v) for v in views],
        }

    def get_table(self, actor: Actor, table_ref: str | int) -> dict[str, Any]:
        with self.db.read() as session:
            table, _ = self.access.require_table(session, actor, table_ref, "read")
            return self.table_dict(session, table)

    # --- tables --------------------------------------------------------------------------
    def _unique_table_name(
        self, session: Any, base_id: int, name: str, exclude: int | None = None
    ) -> str:
        query = select(TableMeta.id).where(TableMeta.base_id == base_id, TableMeta.name == name)
        if exclude is not None:
            query = query.where(TableMeta.id != exclude)
        if session.scalar(query) is not None:
            raise Conflict(f"A table named {name!r} exists in this base", code="DUPLICATE_NAME")
        return name

    def create_table(
        self, actor: Actor, base_id: int, name: str, fields: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A table with its fields (the first that can be primary is primary; a text field
        "Name" is added when none can) and a default grid view."""
        if len(fields) > MAX_FIELDS_PER_TABLE:
            raise ValidationFailed(f"At most {MAX_FIELDS_PER_TABLE} fields", code="TOO_MANY_FIELDS")
        with self.db.write() as session:
            _base, _ = self.access.require_base(session, actor, base_id, "schema")
            name = self._unique_table_name(session, base_id, clean_name(name, "table"))
            table = fieldops.add_table(session, self.registry, base_id, name, fields)
            emit(
                session,
                [
                    Event(
                        TABLE_CHANGED,
                        base_id,
                        table.id,
                        actor_id=actor.user_id,
                        payload={"action": "created"},
                    )
                ],
            )
            return self.table_dict(session, table)

    def update_table(
        self, actor: Actor, table_ref: str | int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        with self.db.write() as session:
            table, _ = self.access.require_table(session, actor, table_ref, "schema")
            if changes.get("name") is not None:
                table.name = self._unique_table_name(
                    session, table.base_id, clean_name(changes["name"], "table"), table.id
                )
            if changes.get("primary_field_id") is not None:
                meta = session.get(FieldMeta, changes["primary_field_id"])
                if meta is None or meta.table_id != table.id:
                    raise ValidationFailed(
                        "primary_field_id must be a field of this table", code="INVALID_PRIMARY"
                    )
                if not self.registry.get(meta.type).can_be_primary:
                    raise ValidationFailed(
                        f"A {meta.type} field cannot be primary", code="INVALID_PRIMARY"
                    )
                table.primary_field_id = meta.id
                fieldops.bump(table)
            if changes.get("position") is not None:
                table.position = int(changes["position"])
            return self.table_dict(session, table)

    def delete_table(self, actor: Actor, table_ref: str | int) -> None:
        with self.db.write() as session:
            table, _ = self.access.require_table(session, actor, table_ref, "schema")
            table_id, base_id = table.id, table.base_id
            # To the base's trash: storage renamed aside, restorable with values and links.
            trash_schema.trash_table(session, self.registry, table, actor.user_id or None)
            emit(
                session,
                [
                    Event(
                        TABLE_CHANGED,
                        base_id,
                        table_id,
                        actor_id=actor.user_id,
                        payload={"action": "deleted"},
                    )
                ],
            )

    # --- fields --------------------------------------------------------------------------
    def create_field(
        self, actor: Actor, table_ref: str | int, spec: dict[str, Any]
    ) -> dict[str, Any]:
        with self.db.write() as session:
            table, _ = self.access.require_table(session, actor, table_ref, "schema")
            count = session.scalar(select(func.count()).where(FieldMeta.table_id == table.id))
            if (count or 0) >= MAX_FIELDS_PER_TABLE:
                raise ValidationFailed(
                    f"At most {MAX_FIELDS_PER_TABLE} fields", code="TOO_MANY_FIELDS"
                )
            meta = fieldops.add_field(session, self.registry, table, spec)
            self._recompute(session, table, [meta.id], actor)
            emit(
                session,
                [
                    Event(
                        FIELD_CHANGED,
                        table.base_id,
                        table.id,
                        actor_id=actor.user_id,
                        payload={"action": "created", "field_id": meta.id},
                    )
                ],
            )
            return field_dict(meta, self.registry, self._names(session, table.id))

    def update_field(
        self, actor: Actor, field_id: int, changes: dict[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        """Rename, re-describe, change options or type. A dry run answers
        ``{unconvertible: [{row_id, value, error}], count}`` and writes nothing."""
        fieldops.check_field_spec(changes)
        with self.db.write() as session:
            meta, table, base = self.access.require_field(session, actor, field_id, "schema")
            recompute: list[int] = []
            ftype = self.registry.get(meta.type)
            new_type = changes.get("type") or meta.type
            options = changes.get("options")
            if options is not None and not isinstance(options, dict):
                raise ValidationFailed("options must be an object", code="INVALID_FIELD_OPTIONS")
            if new_type != meta.type:
                ctx = make_context(session, base, actor.user_id)
                new_def, converted, failed = typechange.plan(
                    session,
                    self.registry,
                    table,
                    meta,
                    new_type,
                    options if options is not None else {},
                    ctx,
                )
                if dry_run:
                    session.rollback()
                    return {
                        "unconvertible": failed[: typechange.UNCONVERTIBLE_LISTED],
                        "count": len(failed),
                    }
                typechange.apply(
                    session, self.registry, table, meta, new_def, converted, failed, actor.user_id
                )
                ftype = self.registry.get(new_type)
                recompute = [meta.id]
            elif dry_run:
                return {"unconvertible": [], "count": 0}
            elif options is not None:
                merged = {**(meta.options or {}), **options}
                if meta.type == "link":
                    merged = {
                        **options,
                        **{
                            k: meta.options[k]
                            for k in ("table_id", "reverse_field_id", "junction", "side")
                        },
                    }
                if meta.type in ("single_select", "multiple_select"):
                    merged["choices"] = keep_choice_ids(meta.options, merged.get("choices"))
                meta.options = ftype.normalize_options(
                    merged, fieldops.options_context(session, table, meta.id)
                )
                fieldops.bump(table)
                if meta.type in COMPUTED:
                    fieldops.check_dependencies(session, table, meta)
                    fieldops.bump_base(session, table.base_id)
                    recompute = [meta.id, *self._dependents(session, table, meta.id, actor)]
            if changes.get("name") is not None:
                meta.name = fieldops.unique_field_name(
                    session, table.id, clean_name(changes["name"], "field"), meta.id
                )
            if "description" in changes:
                meta.description = str(changes.get("description") or "")[:2000]
            if "required" in changes:
                meta.required = bool(changes["required"])
            if "unique" in changes and bool(changes["unique"]) != meta.unique:
                self._set_unique(session, table, meta, ftype, bool(changes["unique"]))
            emit(
                session,
                [
                    Event(
                        FIELD_CHANGED,
                        table.base_id,
                        table.id,
                        actor_id=actor.user_id,
                        payload={"action": "updated", "field_id": meta.id},
                    )
                ],
            )
            session.flush()
            self._recompute(session, table, recompute, actor)
            return field_dict(meta, self.registry, self._names(session, table.id))

    def _names(self, session: Any, table_id: int) -> dict[int, str]:
        return dict(
            session.execute(
                select(FieldMeta.id, FieldMeta.name).where(FieldMeta.table_id == table_id)
            ).all()
        )

    def _dependents(self, session: Any, table: TableMeta, field_id: int, actor: Actor) -> list[int]:
        """Computed fields (any table of the base) that read ``field_id``, transitively."""
        graph = self.recalc.graph(self.rows.op_for(session, table, actor.user_id or None))
        return graph.dependents(field_id)

    def _set_unique(
        self, session: Any, table: TableMeta, meta: FieldMeta, ftype: FieldType, unique: bool
    ) -> None:
        conn = session.connection()
        column = f"f_{meta.id}"
        if unique:
            if not ftype.can_be_unique:
                raise ValidationFailed(
                    f"{meta.type} fields cannot be unique", code="UNIQUE_NOT_SUPPORTED"
                )
            t = physical.physical_table(schema_of(session, table), self.registry)
            dup = session.execute(
                select(t.c[column], func.count())
                .where(t.c[column].is_not(None))
                .group_by(t.c[column])
                .having(func.count() > 1)
                .limit(5)
            ).all()
            if dup:
                raise Conflict(
                    f"{meta.name!r} has duplicate values, so it cannot be unique",
                    code="UNIQUE_VIOLATION",
                    details={"duplicates": [str(v) for v, _ in dup]},
                )
            physical.create_unique_index(conn, table.id, column)
        else:
            conn.exec_driver_sql(
                f"DROP INDEX IF EXISTS {conn.dialect.identifier_preparer.quote(physical.unique_index_name(table.id, column))}"  # noqa: E501
            )
        meta.unique = unique

    def delete_field(self, actor: Actor, field_id: int) -> None:
        with self.db.write() as session:
            meta, table, _ = self.access.require_field(session, actor, field_id, "schema")
            dependents = self._dependents(session, table, field_id, actor)
            trash_schema.trash_field(session, self.registry, meta, actor.user_id or None)
            # Formulas that used the field now show a broken reference (#REF!) per cell.
            self._recompute(session, table, dependents, actor)
            emit(
                session,
                [
                    Event(
                        FIELD_CHANGED,
                        table.base_id,
                        table.id,
                        actor_id=actor.user_id,
                        payload={"action": "deleted", "field_id": field_id},
                    )
                ],
            )

    # --- views ---------------------------------------------------------------------------
    def create_view(
        self, actor: Actor, table_ref: str | int, name: str, view_type: str, config: dict[str, Any]
    ) -> dict[str, Any]:
        with self.db.write() as session:
            table, base = self.access.require_table(session, actor, table_ref, "write")
            config = check_view_config(session, self.registry, table, base, view_type, config)
            position = (
                session.scalar(
                    select(func.max(ViewMeta.position)).where(ViewMeta.table_id == table.id)
                )
                or 0
            ) + 1
            view = ViewMeta(
                table_id=table.id,
                name=clean_name(name, "view"),
                type=view_type,
                config=config,
                position=position,
            )
            session.add(view)
            session.flush()
            return view_dict(view)

    def update_view(self, actor: Actor, view_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as session:
            view, table, base = self.access.require_view(session, actor, view_id, "write")
            if changes.get("name") is not None:
                view.name = clean_name(changes["name"], "view")
            if changes.get("config") is not None:
                view.config = check_view_config(
                    session,
                    self.registry,
                    table,
                    base,
                    view.type,
                    {**(view.config or {}), **changes["config"]},
                )
            if changes.get("position") is not None:
                view.position = int(changes["position"])
            return view_dict(view)

    def delete_view(self, actor: Actor, view_id: int) -> None:
        with self.db.write() as session:
            view, table, _ = self.access.require_view(session, actor, view_id, "write")
            count = session.scalar(select(func.count()).where(ViewMeta.table_id == table.id))
            if (count or 0) <= 1:
                raise Conflict("A table keeps at least one view", code="LAST_VIEW")
            trash_schema.trash_view(session, view, actor.user_id or None)
