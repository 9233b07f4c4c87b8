"""What triggers and actions see: ``SaveContext`` when a rule is saved (validation, names to
ids) and ``RunContext`` when a step runs (the trigger row, earlier outputs, templates,
formulas, row operations one chain level deeper)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.automations import expressions
from tablekit.automations.expressions import FormulaRunner
from tablekit.automations.models import Rule, RuleRun
from tablekit.automations.values import api_value, by_name, formula_values, jsonable
from tablekit.db.models import BaseMeta, TableMeta
from tablekit.documents.templating import render_template, validate_template
from tablekit.errors import ValidationFailed
from tablekit.fields.base import FieldDef, FieldType
from tablekit.notify.ssrf import Allowlist, Resolver
from tablekit.registry import Registry
from tablekit.services.actor import Actor
from tablekit.services.rows import RowService
from tablekit.services.rowwrite import Op
from tablekit.settings import Settings
from tablekit.storage.schema import TableSchema


class DocumentGenerator(Protocol):
    """What ``generate_document`` needs from the documents service."""

    def check_generate(
        self, session: Session, base_id: int, table_id: int, doc_id: int, field: str | int,
        file_name: str,
    ) -> FieldDef: ...  # fmt: skip

    def prepare_generate(
        self, session: Session, actor_id: int | None, doc_id: int, row_id: int,
        field: str | int, file_name: str,
    ) -> Any: ...  # fmt: skip

    def generate(
        self, actor_id: int | None, doc_id: int, row_id: int, *, field: str | int,
        file_name: str, session: Session | None = None, depth: int = 0,
    ) -> dict[str, Any]: ...  # fmt: skip


class Refused(Exception):
    """A step declined to act (a guard such as ``min`` would be crossed): the run stops with
    status ``refused``, which is an outcome, not a failure."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class StepResult:
    """A step's run-log line and its output (available to later steps as ``steps[i]``)."""

    line: str
    output: dict[str, Any] = field(default_factory=dict)


def where_error(where: str, exc: ValidationFailed) -> ValidationFailed:
    """``exc`` with ``where`` (``actions[1].params.fields``) in front of its message."""
    details = {**exc.details, "where": where}
    return ValidationFailed(f"{where}: {exc.message}", code=exc.code, details=details)


def check_text(value: str, where: str, *, html: bool = False) -> str:
    """Refuse a text param whose template does not compile (at save)."""
    try:
        validate_template(value, html=html)
    except ValidationFailed as exc:
        raise where_error(where, exc) from None
    return value


@dataclass
class SaveContext:
    """Validation of one rule: its base, the caller, and row operations on its tables."""

    session: Session
    base: BaseMeta
    actor: Actor
    rows: RowService
    settings: Settings
    documents: DocumentGenerator | None = None
    payload: bool = False
    trigger_op: Op | None = None
    _ops: dict[int, Op] = field(default_factory=dict)

    @property
    def registry(self) -> Registry[FieldType]:
        return self.rows.registry

    def op(self, ref: Any, where: str = "table_id") -> Op:
        """A table of this base by id or name; ValidationFailed otherwise."""
        query = select(TableMeta).where(TableMeta.base_id == self.base.id)
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            query = query.where(TableMeta.id == int(ref))
        elif isinstance(ref, str):
            query = query.where(TableMeta.name == ref)
        else:
            raise ValidationFailed(f"{where}: name a table by id or name", code="INVALID_RULE")
        table = self.session.scalar(query)
        if table is None:
            raise ValidationFailed(
                f"{where}: no table {ref!r} in this base",
                code="UNKNOWN_TABLE",
                details={"where": where, "table": ref},
            )
        if table.id not in self._ops:
            self._ops[table.id] = self.rows.op_for(self.session, table, self.actor.user_id)
        return self._ops[table.id]

    def field(self, schema: TableSchema, ref: Any, where: str) -> FieldDef:
        fdef = schema.find(ref) if isinstance(ref, str | int) else None
        if fdef is None:
            raise ValidationFailed(
                f"{where}: unknown field {ref!r} in table {schema.name!r}",
                code="UNKNOWN_FIELD",
                details={"where": where, "field": ref, "table": schema.name},
            )
        return fdef

    def allowlist(self) -> Allowlist:
        return Allowlist.parse(self.settings.http_allowlist)


@dataclass
class Engine:
    """The long-lived parts a run needs (one per worker or app)."""

    rows: RowService
    settings: Settings
    formulas: FormulaRunner
    documents: DocumentGenerator | None = None
    resolver: Resolver | None = None
    http_timeout: float = 5.0
    wake: Callable[[], None] = lambda: None


@dataclass
class RunContext:
    """One run of one rule, inside its transaction."""

    session: Session
    engine: Engine
    rule: Rule
    run: RuleRun
    base: BaseMeta
    trigger_op: Op | None
    row_id: int | None
    row_cells: dict[str, Any] | None
    old: dict[str, Any] | None
    payload: dict[str, Any] | None
    steps: list[dict[str, Any]] = field(default_factory=list)
    step_index: int = 0
    dry_run: bool = False
    _ops: dict[int, Op] = field(default_factory=dict)
    _schemas: dict[int, TableSchema] = field(default_factory=dict)
    _stale: bool = False
    # The trigger row's fields the actions read (None: all, e.g. for templates).
    fields: list[FieldDef] | None = None

    def __post_init__(self) -> None:
        if self.trigger_op is not None:
            self._share(self.trigger_op)
            self._ops[self.trigger_op.schema.id] = self.trigger_op

    def _share(self, op: Op) -> None:
        # One run, one transaction: every op of the run loads each linked table's schema
        # once (the ops' own caches are per op).
        self._schemas.update(op._schemas)
        self._schemas[op.schema.id] = op.schema
        op._schemas = self._schemas

    @property
    def schema(self) -> TableSchema | None:
        return self.trigger_op.schema if self.trigger_op is not None else None

    @property
    def cells(self) -> dict[str, Any] | None:
        """The trigger row keyed by field id, as it is now (re-read after a step changed it)."""
        if self._stale and self.trigger_op is not None and self.row_id is not None:
            self._stale = False
            rows = self.trigger_op.fetch([self.row_id])
            decoder = self.trigger_op.decoder(keys="id", fields=self.fields)
            decoded = decoder.decode(rows) if rows else []
            self.row_cells = decoded[0]["fields"] if decoded else None
        return self.row_cells

    @property
    def settings(self) -> Settings:
        return self.engine.settings

    def op(self, table_id: int) -> Op:
        """Row operations on a table of the base as the system, one chain level deeper."""
        if table_id not in self._ops:
            table = self.session.get(TableMeta, table_id)
            if table is None or table.base_id != self.base.id:
                raise ValidationFailed(f"Table {table_id} no longer exists", code="UNKNOWN_TABLE")
            op = self.engine.rows.op_for(self.session, table, None, self.run.depth + 1)
            self._share(op)
            self._ops[table_id] = op
        return self._ops[table_id]

    def require_row(self) -> tuple[Op, int]:
        """The trigger row's table and id; fails when the rule has no row or it is gone
        (a deleted row: writes to it would find nothing)."""
        if self.trigger_op is None or self.row_id is None:
            raise ValidationFailed("This rule's trigger has no row", code="NO_TRIGGER_ROW")
        if self.cells is None or (self.run.trigger or {}).get("event") == "row_deleted":
            raise ValidationFailed(f"Row {self.row_id} no longer exists", code="ROW_NOT_FOUND")
        return self.op(self.trigger_op.schema.id), self.row_id

    def reload(self) -> None:
        """The trigger row changed: later steps read it again (only if they need it)."""
        self._stale = True

    def template_context(self) -> dict[str, Any]:
        zone = ZoneInfo(self.base.timezone or "UTC")
        schema = self.schema
        return {
            "row": by_name(schema, self.cells),
            "row_id": self.row_id,
            "old": by_name(schema, self.old),
            "steps": jsonable(self.steps),
            "payload": jsonable(self.payload or {}),
            "base": {"id": self.base.id, "name": self.base.name, "timezone": self.base.timezone},
            "table": {"id": schema.id, "name": schema.name} if schema else {},
            "rule": {"id": self.rule.id, "name": self.rule.name},
            "trigger": jsonable(self.run.trigger),
            "now": datetime.now(UTC).astimezone(zone).isoformat(timespec="seconds"),
            "today": datetime.now(UTC).astimezone(zone).date().isoformat(),
        }

    def render(self, source: str, *, html: bool = False) -> str:
        return render_template(source, self.template_context(), html=html)

    def variables(
        self, schema: TableSchema | None = None, cells: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Formula variables: the trigger row (or ``cells`` of ``schema``) and the extras."""
        if schema is None:
            values = formula_values(self.schema, self.cells, self.old)
        else:
            values = formula_values(schema, cells)
        return expressions.variables(
            values, row_id=self.row_id, payload=self.payload, steps=self.steps
        )

    def evaluate(self, source: str, where: str, values: Mapping[str, Any] | None = None) -> Any:
        variables = values if values is not None else self.variables()
        return self.engine.formulas.evaluate(source.removeprefix("="), variables, where=where)

    def field_values(
        self,
        target: TableSchema,
        spec: Mapping[str, Any],
        *,
        source: TableSchema | None = None,
        cells: Mapping[str, Any] | None = None,
        where: str = "fields",
    ) -> dict[str, Any]:
        """API cell values for ``target`` from a stored ``fields`` map: literals, field copies
        (``={f_12}`` copies the API value, links included) and formulas."""
        explicit = cells is not None
        source = source or self.schema
        cells = cells if cells is not None else (self.cells or {})
        values: dict[str, Any] | None = None
        out: dict[str, Any] = {}
        for key, value in spec.items():
            fdef = target.find(key)
            if fdef is None:
                raise ValidationFailed(
                    f"{where}: field {key} no longer exists", code="UNKNOWN_FIELD"
                )
            copied = expressions.copied_field(value)
            if copied is not None and source is not None and source.find(copied) is not None:
                out[fdef.key] = cells.get(copied)
            elif expressions.is_formula(value):
                if values is None:
                    values = self.variables(source, cells) if explicit else self.variables()
                result = api_value(self.evaluate(value, f"{where}.{fdef.name}", values))
                if (
                    fdef.type == "link"
                    and not isinstance(result, list)
                    and result not in ("", None)
                ):
                    result = [result]
                out[fdef.key] = result
            else:
                out[fdef.key] = value
        return out
