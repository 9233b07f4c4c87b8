"""Formulas in rules: conditions, ``=``-prefixed field values and ``adjust_number``'s ``by``.

References resolve to variables: a field of the trigger table (``{Status}`` → ``f_12``), the
webhook payload (``{payload.order_no}`` → ``payload__order_no``), an earlier step's output
(``{steps.0.row_id}`` → ``steps__0__row_id``) and the trigger row's id (``{row.id}``).
Everything evaluates in the sandbox's process pool (wall-clock timeout, memory limit): a
hostile formula fails its step, never the worker.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from tablekit.automations.values import plain
from tablekit.errors import ValidationFailed
from tablekit.formulas import ErrorValue, FormulaError, ParsedFormula, parse_formula
from tablekit.sandbox import SandboxPool
from tablekit.storage.schema import TableSchema

_PAYLOAD = re.compile(r"payload\.([A-Za-z0-9_]{1,40})")
_STEP = re.compile(r"steps\.(\d{1,2})\.([A-Za-z0-9_]{1,40})")
_COPY = re.compile(r"=\s*\{(f_\d+)\}\s*")
ROW_ID = "row__id"
# The stored (resolved) spellings, accepted again when a saved rule is validated anew.
_STORED_PAYLOAD = re.compile(r"payload__([A-Za-z0-9_]{1,40})")
_STORED_STEP = re.compile(r"steps__(\d{1,2})__([A-Za-z0-9_]{1,40})")


def resolver(schema: TableSchema | None, *, payload: bool = False, steps: int = 0) -> Any:
    """A reference resolver for ``parse_formula`` in the namespaces a rule has."""

    def resolve(reference: str) -> str | None:
        if schema is not None:
            fdef = schema.find(reference)
            if fdef is not None:
                return fdef.key
            if reference in ("row.id", ROW_ID):
                return ROW_ID
        if payload and (
            match := _PAYLOAD.fullmatch(reference) or _STORED_PAYLOAD.fullmatch(reference)
        ):
            return f"payload__{match[1]}"
        match = _STEP.fullmatch(reference) or _STORED_STEP.fullmatch(reference)
        if match and int(match[1]) < steps:
            return f"steps__{int(match[1])}__{match[2]}"
        return None

    return resolve


def parse(
    text: str,
    schema: TableSchema | None,
    *,
    where: str,
    payload: bool = False,
    steps: int = 0,
    allow_old: bool = False,
) -> ParsedFormula:
    """Parse a rule formula; errors name where it is (``condition.formula``...)."""
    try:
        return parse_formula(
            text, resolver(schema, payload=payload, steps=steps), allow_old=allow_old
        )
    except FormulaError as exc:
        raise ValidationFailed(
            f"{where}: {exc.message}",
            code="FORMULA_INVALID",
            details={"where": where, "position": exc.position},
        ) from None


def is_formula(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith("=")


def copied_field(value: Any) -> str | None:
    """``f_12`` when a stored field value is a plain field copy (``={f_12}``)."""
    if isinstance(value, str) and (match := _COPY.fullmatch(value)):
        return match[1]
    return None


def variables(
    cells: Mapping[str, Any] | None,
    *,
    row_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
    steps: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The variables a rule formula may read, besides the trigger row's fields."""
    values: dict[str, Any] = dict(cells or {})
    if row_id is not None:
        values[ROW_ID] = row_id
    for key, value in (payload or {}).items():
        if isinstance(key, str) and _PAYLOAD.fullmatch(f"payload.{key}"):
            values[f"payload__{key}"] = plain(value)
    for index, output in enumerate(steps):
        for key, value in (output or {}).items():
            values[f"steps__{index}__{key}"] = plain(value)
    return values


class FormulaRunner:
    """Evaluates rule formulas in a ``SandboxPool`` created on first use (per process)."""

    def __init__(
        self, pool: SandboxPool | None = None, *, processes: int = 1, timeout: float = 1.0
    ) -> None:
        self._pool = pool
        self._owned = pool is None
        self._processes = processes
        self._timeout = timeout
        self._lock = threading.Lock()

    @property
    def pool(self) -> SandboxPool:
        with self._lock:
            if self._pool is None:
                self._pool = SandboxPool(processes=self._processes, timeout=self._timeout)
            return self._pool

    def evaluate_many(self, source: str, rows: Sequence[Mapping[str, Any]]) -> list[object]:
        return self.pool.evaluate_many(source, rows, allow_old=True)

    def evaluate(self, source: str, values: Mapping[str, Any], *, where: str) -> Any:
        """One value; an error result raises ValidationFailed(``FORMULA_ERROR``)."""
        result = self.evaluate_many(source, [values])[0]
        if isinstance(result, ErrorValue):
            raise ValidationFailed(
                f"{where}: the formula gave {result.code} ({result.message})",
                code="FORMULA_ERROR",
                details={"where": where, "error": result.code},
            )
        return result

    def close(self) -> None:
        with self._lock:
            if self._owned and self._pool is not None:
                self._pool.close()
                self._pool = None
