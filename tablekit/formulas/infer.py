"""Best-effort result type of a formula, from the types of the fields it reads.

The field service stores a formula's result in a typed column and picks an editor and a
format for it; this gives the default, which users may override (declared result type).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from tablekit.formulas.functions import LIBRARY
from tablekit.formulas.functions.kinds import (
    CHECKBOX,
    CURRENCY,
    DATE,
    DATETIME,
    KINDS,
    NUMBER,
    TEXT,
)
from tablekit.formulas.model import OLD_PREFIX, ParsedFormula

# TableKit field type keys (and result kinds, for formula fields whose type is known).
_FIELD_KINDS = {
    "number": NUMBER, "percent": NUMBER, "rating": NUMBER, "duration": NUMBER,
    "auto_number": NUMBER, "count": NUMBER, "rollup": NUMBER,
    "currency": CURRENCY,
    "checkbox": CHECKBOX,
    "date": DATE,
    "datetime": DATETIME, "created_time": DATETIME, "modified_time": DATETIME,
}  # fmt: skip


def field_kind(field_type: str) -> str:
    """The result kind a field of ``field_type`` contributes; unknown types count as text."""
    if field_type in KINDS:
        return field_type
    return _FIELD_KINDS.get(field_type, TEXT)


def infer_type(parsed: ParsedFormula, field_types: Mapping[str, str]) -> str:
    """``number``, ``currency``, ``text``, ``date``, ``datetime`` or ``checkbox``.

    ``field_types`` maps field id to its type key; for a formula field, pass its result
    type (``"number"``...) if known. Missing ids (deleted fields) count as text.
    """
    return _kind(parsed.tree.body, field_types)


def _kind(node: ast.expr, field_types: Mapping[str, str]) -> str:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return CHECKBOX
        return TEXT if isinstance(node.value, str) else NUMBER
    if isinstance(node, ast.Name):
        field_id = node.id.removeprefix(OLD_PREFIX)
        return field_kind(field_types.get(field_id, TEXT))
    if isinstance(node, ast.Compare):
        return CHECKBOX
    if isinstance(node, ast.UnaryOp):
        inner = _kind(node.operand, field_types)
        return CURRENCY if inner == CURRENCY else NUMBER
    if isinstance(node, ast.BinOp):
        return _binary(node, field_types)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        spec = LIBRARY[node.func.id]
        if isinstance(spec.returns, str):
            return spec.returns
        return spec.returns([_kind(arg, field_types) for arg in node.args])
    return TEXT


def _binary(node: ast.BinOp, field_types: Mapping[str, str]) -> str:
    left, right = _kind(node.left, field_types), _kind(node.right, field_types)
    dated = {DATE, DATETIME}
    if isinstance(node.op, ast.Add | ast.Sub):
        if left in dated and right in dated and isinstance(node.op, ast.Sub):
            return NUMBER  # days between two dates
        if left in dated:
            return left
        if right in dated and isinstance(node.op, ast.Add):
            return right
    if isinstance(node.op, ast.Add | ast.Sub | ast.Mod):
        return CURRENCY if CURRENCY in (left, right) else NUMBER
    if isinstance(node.op, ast.Mult):
        return CURRENCY if CURRENCY in (left, right) else NUMBER
    if isinstance(node.op, ast.Div):
        return CURRENCY if left == CURRENCY and right != CURRENCY else NUMBER
    return NUMBER  # a power
