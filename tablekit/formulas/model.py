"""``ParsedFormula`` and the whitelist its Python AST must pass.

Every ``ParsedFormula`` is validated when it is constructed, whoever constructs it: the
tree may only hold the node types the parser emits, names that are field ids, and calls
of library functions with a valid arity. This is the gate in front of the sandbox.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from tablekit.formulas.errors import FormulaError
from tablekit.formulas.functions import LIBRARY
from tablekit.formulas.limits import MAX_DEPTH, MAX_FORMULA_LENGTH
from tablekit.formulas.tokens import Kind, Token, escape_reference, tokenize

#: Variable prefix of an old value in automation conditions: OLD({f_12}) reads ``old__f_12``.
OLD_PREFIX = "old__"
_FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_VOLATILE = frozenset({"TODAY", "NOW"})
_BINARY_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.Pow)
_UNARY_OPS = (ast.USub, ast.UAdd)
_COMPARE_OPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_CONSTANT_TYPES = (int, float, str, bool)
#: Longer formulas are parsed every time rather than pinned in the parse caches: a parsed
#: formula takes ~125 bytes per character, so the caches stay under ~60 MB whatever is saved.
CACHE_TEXT_LIMIT = 500


def is_field_id(text: str) -> bool:
    """Whether ``text`` can be a field id: an identifier of at most 64 ASCII characters."""
    return (
        _FIELD_ID.fullmatch(text) is not None
        and not keyword.iskeyword(text)
        and not text.startswith(OLD_PREFIX)
    )


def resolve_id(reference: str) -> str | None:
    """The resolver for stored (canonical) sources, whose references are already ids.

    It does not check that the field still exists: a deleted field then evaluates to a
    ``#REF!`` error in each row instead of making the stored formula unreadable.
    """
    return reference if is_field_id(reference) else None


@lru_cache(maxsize=256)
def _cached_tokens(text: str) -> tuple[Token, ...]:
    return tokenize(text)


def tokens_of(text: str) -> tuple[Token, ...]:
    """``tokenize(text)``, cached for formulas of ordinary length."""
    return _cached_tokens(text) if len(text) <= CACHE_TEXT_LIMIT else tokenize(text)


@dataclass(frozen=True)
class ParsedFormula:
    """A formula ready to evaluate: canonical source, validated tree and dependencies.

    ``source`` writes references by id (``{f_12} * {f_13}``), so renames never break it.
    ``tree`` is shared through the parse cache: never mutate it.
    """

    source: str
    tree: ast.Expression = field(compare=False, repr=False)
    field_ids: frozenset[str]
    uses_old: bool = False

    def __post_init__(self) -> None:
        validate_tree(self.tree, self.field_ids, allow_old=self.uses_old)

    def render(self, name_of: Callable[[str], str | None]) -> str:
        """The formula as users read it: ids replaced by current names.

        A field id ``name_of`` does not know (a deleted field) renders as
        ``{#deleted f_12}``, which does not resolve if saved again unchanged.
        """
        out: list[str] = []
        last = 0
        for token in tokens_of(self.source):
            if token.kind is Kind.REF:
                field_id = str(token.value)
                name = name_of(field_id)
                out.append(self.source[last : token.start])
                out.append(
                    escape_reference(name) if name is not None else f"{{#deleted {field_id}}}"
                )
                last = token.end
        out.append(self.source[last:])
        return "".join(out)

    @property
    def volatile(self) -> bool:
        """Whether the result changes with time alone (uses TODAY or NOW)."""
        return any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _VOLATILE
            for node in ast.walk(self.tree)
        )


def _where(node: ast.AST) -> str:
    line = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0)
    return f"{line}:{col + 1}"


def validate_tree(tree: ast.AST, field_ids: frozenset[str], *, allow_old: bool) -> None:
    """Refuse any tree the parser would not have produced; raises ``FormulaError``."""
    if type(tree) is not ast.Expression:
        raise FormulaError("a formula must be a single expression", "1:1")
    nodes = 0
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_FORMULA_LENGTH:
            reason = f"formula is nested too deeply (more than {MAX_DEPTH} levels)"
            if nodes > MAX_FORMULA_LENGTH:
                reason = "formula is too large"
            raise FormulaError(reason, _where(node), hint="split it or use SUM/CONCATENATE")
        stack.extend((child, depth + 1) for child in _children(node, field_ids, allow_old))


def _children(node: ast.AST, field_ids: frozenset[str], allow_old: bool) -> list[ast.expr]:
    # The sub-expressions of ``node`` after checking ``node`` itself against the whitelist.
    kind = type(node)
    if kind is ast.Constant:
        value = node.value  # type: ignore[attr-defined]
        if type(value) not in _CONSTANT_TYPES or value != value or value in (1e999, -1e999):
            raise FormulaError("unsupported constant", _where(node))
        if isinstance(value, str) and len(value) > MAX_FORMULA_LENGTH:
            raise FormulaError("text constant is too long", _where(node))
        return []
    if kind is ast.Name:
        assert isinstance(node, ast.Name)
        name = node.id
        if allow_old and name.startswith(OLD_PREFIX):
            name = name[len(OLD_PREFIX) :]
        if type(node.ctx) is not ast.Load or name not in field_ids or not is_field_id(name):
            raise FormulaError(f"unknown variable {node.id[:70]}", _where(node))
        return []
    if kind is ast.BinOp:
        assert isinstance(node, ast.BinOp)
        if type(node.op) not in _BINARY_OPS:
            raise FormulaError("unsupported operator", _where(node))
        return [node.left, node.right]
    if kind is ast.UnaryOp:
        assert isinstance(node, ast.UnaryOp)
        if type(node.op) not in _UNARY_OPS:
            raise FormulaError("unsupported operator", _where(node))
        return [node.operand]
    if kind is ast.Compare:
        assert isinstance(node, ast.Compare)
        if len(node.ops) != 1 or len(node.comparators) != 1:
            raise FormulaError("chained comparison", _where(node))
        if type(node.ops[0]) not in _COMPARE_OPS:
            raise FormulaError("unsupported comparison", _where(node))
        return [node.left, node.comparators[0]]
    if kind is ast.Call:
        assert isinstance(node, ast.Call)
        return _call_children(node)
    raise FormulaError(f"unsupported expression ({kind.__name__})", _where(node))


def _call_children(node: ast.Call) -> list[ast.expr]:
    func = node.func
    if type(func) is not ast.Name or type(func.ctx) is not ast.Load:
        raise FormulaError("only library functions can be called", _where(node))
    spec = LIBRARY.get(func.id)
    if spec is None:
        raise FormulaError(f"unknown function {func.id[:70]}", _where(node))
    if node.keywords or any(type(arg) is ast.Starred for arg in node.args):
        raise FormulaError("unsupported call syntax", _where(node))
    problem = spec.arity_error(len(node.args))
    if problem:
        raise FormulaError(problem, _where(node))
    return list(node.args)
