"""In-process evaluation of a ``ParsedFormula`` with a hardened asteval interpreter.

Hardening, in layers:
- the tree was validated when the ``ParsedFormula`` was built (node whitelist, names are
  field ids, calls are library functions with a valid arity, depth <= 100);
- the interpreter enables only the six node handlers formulas need (constant, name,
  binop, unaryop, compare, call): attribute access, subscripts, comprehensions, lambdas,
  assignment, f-strings... are ``unimplemented`` even if a tree carried them;
- the symbol table holds the function library and nothing else: no builtins, no
  ``open``, ``print``, ``format``, ``type`` or exception classes;
- variables are read from the row mapping through ``plain_value``: only str, int, float,
  Decimal, bool, date, datetime, None and tuples of those reach a function;
- every function bounds its result (100,000 characters, 10,000 items), and one
  evaluation may visit at most ``MAX_STEPS`` list items and produce ``MAX_TEXT_WORK``
  characters, which bounds its time and memory whatever the formula and the data.
asteval has no timeout; whatever can run long goes through ``SandboxPool`` instead.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import partial
from types import MappingProxyType
from typing import Any

# The one sanctioned import of asteval in the codebase (ruff TID251 bans it elsewhere).
from asteval import Interpreter
from asteval.asteval import ALL_NODES

from tablekit.formulas import OLD_PREFIX, ParsedFormula
from tablekit.formulas.functions import LIBRARY, FunctionSpec, Lazy
from tablekit.formulas.functions.coerce import check_number
from tablekit.formulas.functions.operators import BINARY, COMPARE, UNARY
from tablekit.formulas.limits import MAX_FORMULA_LENGTH, MAX_STEPS, MAX_TEXT_WORK
from tablekit.formulas.values import (
    BrokenReference,
    CellError,
    ErrorValue,
    check_text,
    plain_value,
    set_allowance,
    spend_text,
)

__all__ = ["ErrorValue", "FormulaInterpreter", "evaluate"]

_ENABLED = frozenset({"constant", "name", "binop", "unaryop", "compare", "call"})
_CONFIG = {node: node in _ENABLED for node in ALL_NODES}
_NO_ROW: Mapping[str, object] = MappingProxyType({})


class UnsupportedExpression(Exception):
    """A node the formula language does not allow reached evaluation (only possible with a
    tampered stored source): the cell becomes #ERROR!, nothing runs."""


class _Discard:
    """Writer for asteval's print/err output: formulas cannot print, this is a backstop."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None


class FormulaInterpreter(Interpreter):  # type: ignore[misc]
    """asteval with formula semantics: spreadsheet operators, lazy IF/AND/OR/IFERROR.

    Not thread-safe (asteval keeps per-run state); ``evaluate`` keeps one per thread.
    """

    def __init__(self) -> None:
        super().__init__(
            symtable=dict(LIBRARY),
            minimal=True,
            use_numpy=False,
            max_statement_length=MAX_FORMULA_LENGTH,
            builtins_readonly=True,
            config=_CONFIG,
            writer=_Discard(),
            err_writer=_Discard(),
        )
        self.symtable.pop("print", None)  # asteval always adds it
        self.error: list[Any] = []
        self._row: Mapping[str, object] = _NO_ROW

    # -- node handlers (asteval dispatches to on_<node>) -----------------------------------

    def on_name(self, node: ast.Name) -> object:
        """A variable: the field's value in the current row, checked to be plain."""
        try:
            value = self._row[node.id]
        except KeyError:
            if node.id.startswith(OLD_PREFIX):
                return None  # no old value: the row was just created
            raise BrokenReference(f"the field {node.id} was deleted") from None
        return plain_value(value, node.id)

    def on_binop(self, node: ast.BinOp) -> object:
        operation = BINARY.get(type(node.op))
        if operation is None:
            raise UnsupportedExpression(f"operator {type(node.op).__name__} not supported")
        return operation(self.run(node.left), self.run(node.right))

    def on_unaryop(self, node: ast.UnaryOp) -> object:
        operation = UNARY.get(type(node.op))
        if operation is None:
            raise UnsupportedExpression(f"operator {type(node.op).__name__} not supported")
        return operation(self.run(node.operand))

    def on_compare(self, node: ast.Compare) -> object:
        operation = COMPARE.get(type(node.ops[0])) if len(node.ops) == 1 else None
        if operation is None:
            raise UnsupportedExpression("comparison not supported")
        return operation(self.run(node.left), self.run(node.comparators[0]))

    def on_call(self, node: ast.Call) -> object:
        func = node.func
        spec = self.symtable.get(func.id) if type(func) is ast.Name else None
        if not isinstance(spec, FunctionSpec) or node.keywords:
            raise UnsupportedExpression("only library functions can be called")
        args: list[Any]
        if spec.lazy:
            args = [Lazy(partial(self._force, arg)) for arg in node.args]
        else:
            args = [self.run(arg) for arg in node.args]
        result = spec.impl(*args)
        if isinstance(result, str):
            spend_text(len(result))  # bounds the text all calls of one evaluation produce
        return result

    # -- evaluation -----------------------------------------------------------------------

    def _force(self, node: ast.expr) -> object:
        # Evaluate a lazy argument. asteval records a failure in self.error and then skips
        # every later node, so a caught failure (IFERROR) must clear that record.
        try:
            return self.run(node)
        except Exception as exc:
            original = self._first_error(exc)
            self.error = []
            self.error_msg = None
            self._interrupt = None
            raise original from None

    def _first_error(self, exc: BaseException) -> BaseException:
        # asteval re-raises type(exc)(message); the original instance is in its records.
        for holder in self.error:
            original = holder.exc_info[1]
            if original is not None and holder.exc is not None and isinstance(original, holder.exc):
                return original  # type: ignore[no-any-return]
        return exc

    def evaluate(self, parsed: ParsedFormula, values: Mapping[str, object]) -> object:
        """The formula's value for one row, or an ``ErrorValue``; never raises."""
        self._row = values
        set_allowance(MAX_STEPS, MAX_TEXT_WORK)
        self.error = []
        self.error_msg = None
        self._interrupt = None
        self.retval = None
        self.expr = parsed.source  # asteval only re-raises node errors when expr is set
        try:
            result = self.run(parsed.tree.body)
            if self.error:
                return error_value(self._first_error(RuntimeError("evaluation failed")))
            return finish(result)
        except Exception as exc:
            return error_value(self._first_error(exc))
        finally:
            self._row = _NO_ROW
            self.error = []
            set_allowance(None)


def error_value(exc: BaseException) -> ErrorValue:
    """The cell value for an exception raised while evaluating."""
    if isinstance(exc, CellError):
        return exc.to_value()
    if isinstance(exc, ZeroDivisionError):
        return ErrorValue("#DIV/0!", "division by zero")
    if isinstance(exc, OverflowError | InvalidOperation):
        return ErrorValue("#NUM!", "number is out of range")
    if isinstance(exc, MemoryError):
        return ErrorValue("#LIMIT!", "memory limit exceeded")
    if isinstance(exc, RecursionError):
        return ErrorValue("#LIMIT!", "formula is nested too deeply")
    if isinstance(exc, UnsupportedExpression):
        return ErrorValue("#ERROR!", f"unsupported expression: {str(exc)[:200]}")
    if isinstance(exc, TypeError | ValueError):
        return ErrorValue("#VALUE!", str(exc)[:200] or "wrong kind of value")
    return ErrorValue("#ERROR!", f"{type(exc).__name__}: {str(exc)[:200]}")


def finish(result: object) -> object:
    """Check a result before it leaves the sandbox: plain, finite, within size limits."""
    try:
        if isinstance(result, str):
            return check_text(result)
        if isinstance(result, int | float | Decimal) and not isinstance(result, bool):
            return check_number(result)
        return plain_value(result)
    except CellError as exc:
        return exc.to_value()


_local = threading.local()


def evaluate(parsed: ParsedFormula, values: Mapping[str, object]) -> object:
    """Evaluate ``parsed`` for one row (``values`` maps field id to value) in this process.

    Returns the value or an ``ErrorValue`` (``#REF!`` when a referenced field is missing
    from ``values``, e.g. deleted); never raises for anything the formula does. Pass old
    values of an update as ``old__<field id>`` for OLD()/CHANGED(). Thread-safe.
    """
    interpreter: FormulaInterpreter | None = getattr(_local, "interpreter", None)
    if interpreter is None:
        interpreter = _local.interpreter = FormulaInterpreter()
    return interpreter.evaluate(parsed, values)
