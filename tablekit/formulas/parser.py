"""Pratt parser: tokens to a Python ``ast.Expression``, plus ``parse_formula`` and its cache.

Precedence, lowest first: comparisons (``= == != <> < <= > >=``), ``&``, ``+ -``,
``* / %``, unary ``-``/``+``, ``^`` (right-associative, so ``-2^2`` is -4 and
``2^3^2`` is 512). ``&`` becomes one n-ary CONCATENATE call, so long text chains stay
shallow. ``%`` is the remainder (like MOD), not a percent sign.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TypeVar, cast

from tablekit.formulas.errors import FormulaError, position_of
from tablekit.formulas.functions import LIBRARY
from tablekit.formulas.limits import MAX_DEPTH
from tablekit.formulas.model import (
    CACHE_TEXT_LIMIT,
    OLD_PREFIX,
    ParsedFormula,
    is_field_id,
    tokens_of,
)
from tablekit.formulas.tokens import Kind, Token, escape_reference

_INFIX: dict[str, tuple[int, Callable[[], ast.AST]]] = {
    "=": (10, ast.Eq), "==": (10, ast.Eq), "!=": (10, ast.NotEq), "<>": (10, ast.NotEq),
    "<": (10, ast.Lt), "<=": (10, ast.LtE), ">": (10, ast.Gt), ">=": (10, ast.GtE),
    "&": (20, ast.BitAnd),
    "+": (30, ast.Add), "-": (30, ast.Sub),
    "*": (40, ast.Mult), "/": (40, ast.Div), "%": (40, ast.Mod),
    "^": (60, ast.Pow),
}  # fmt: skip
_UNARY_BP = 50
N = TypeVar("N", bound=ast.expr)
_OLD_FORMS = ("OLD", "CHANGED")


class _Parser:
    """One parse of one token stream; ``ids`` maps each reference text to its field id."""

    def __init__(
        self, text: str, tokens: tuple[Token, ...], ids: Mapping[str, str | None], allow_old: bool
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.ids = ids
        self.allow_old = allow_old
        self.index = 0
        self.depth = 0
        self.uses_old = False
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    # -- helpers ------------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, reason: str, token: Token, hint: str | None = None) -> FormulaError:
        return FormulaError(reason, position_of(self.text, token.start), hint=hint)

    def unexpected(self, token: Token) -> FormulaError:
        return self.fail(f"unexpected {token.describe(self.text)}", token)

    def at(self, node: N, token: Token) -> N:
        line = bisect_right(self.line_starts, token.start)
        node.lineno = node.end_lineno = line
        node.col_offset = token.start - self.line_starts[line - 1]
        node.end_col_offset = node.col_offset + (token.end - token.start)
        return node

    # -- grammar ------------------------------------------------------------------------

    def parse(self) -> ast.Expression:
        if self.peek().kind is Kind.END:
            raise self.fail("formula is empty", self.peek())
        body = self.expression(0)
        if self.peek().kind is not Kind.END:
            raise self.unexpected(self.peek())
        return ast.Expression(body=body)

    def expression(self, min_bp: int) -> ast.expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                f"formula is nested too deeply (more than {MAX_DEPTH} levels)", self.peek()
            )
        left = self.prefix()
        while True:
            token = self.peek()
            if token.kind is not Kind.OP or token.value not in _INFIX:
                break
            bp, op = _INFIX[str(token.value)]
            if bp <= min_bp:
                break
            self.advance()
            right = self.expression(bp - 1 if token.value == "^" else bp)
            left = self.infix(left, op(), right, token)
        self.depth -= 1
        return left

    def infix(self, left: ast.expr, op: ast.AST, right: ast.expr, token: Token) -> ast.expr:
        if isinstance(op, ast.BitAnd):
            if isinstance(left, ast.Call) and getattr(left, "ampersand", False):
                left.args.append(right)
                return left
            call = self.at(ast.Call(ast.Name("CONCATENATE", ast.Load()), [left, right], []), token)
            call.ampersand = True  # type: ignore[attr-defined]
            return call
        if isinstance(op, ast.cmpop):
            return self.at(ast.Compare(left, [op], [right]), token)
        assert isinstance(op, ast.operator)
        return self.at(ast.BinOp(left, op, right), token)

    def prefix(self) -> ast.expr:
        token = self.advance()
        kind = token.kind
        if kind is Kind.NUMBER or kind is Kind.TEXT:
            return self.at(ast.Constant(cast(int | float | str, token.value)), token)
        if kind is Kind.REF:
            return self.at(ast.Name(self.field_id(token), ast.Load()), token)
        if kind is Kind.OP and token.value in ("-", "+"):
            operand = self.expression(_UNARY_BP)
            op = ast.USub() if token.value == "-" else ast.UAdd()
            return self.at(ast.UnaryOp(op, operand), token)
        if kind is Kind.LPAREN:
            inner = self.expression(0)
            self.close(token)
            return inner
        if kind is Kind.NAME:
            return self.name(token)
        raise self.unexpected(token)

    def close(self, opening: Token) -> None:
        token = self.advance()
        if token.kind is Kind.RPAREN:
            return
        if token.kind is Kind.END:
            raise self.fail("unclosed '('", opening)
        raise self.unexpected(token)

    def field_id(self, token: Token) -> str:
        reference = str(token.value)
        field_id = self.ids.get(reference)
        if field_id is None:
            raise self.fail(f"unknown field {escape_reference(reference)[:80]}", token)
        return field_id

    def name(self, token: Token) -> ast.expr:
        name = str(token.value).upper()
        is_call = self.peek().kind is Kind.LPAREN
        if name in ("TRUE", "FALSE"):
            if is_call:  # TRUE() and FALSE(), as Airtable writes them
                self.advance()
                self.close(token)
            return self.at(ast.Constant(name == "TRUE"), token)
        if not is_call:
            hint = f"field references are written {escape_reference(str(token.value))}"
            raise self.fail(f"unexpected name {token.value}", token, hint=hint)
        if name in _OLD_FORMS:
            return self.old_form(name, token)
        spec = LIBRARY.get(name)
        if spec is None:
            raise self.fail(f"unknown function {name}", token)
        opening = self.advance()
        args: list[ast.expr] = []
        if self.peek().kind is Kind.RPAREN:
            self.advance()
        else:
            while True:
                args.append(self.expression(0))
                separator = self.advance()
                if separator.kind is Kind.RPAREN:
                    break
                if separator.kind is Kind.END:
                    raise self.fail("unclosed '('", opening)
                if separator.kind is not Kind.COMMA:
                    raise self.unexpected(separator)
        problem = spec.arity_error(len(args))
        if problem:
            raise self.fail(problem, token)
        return self.at(ast.Call(ast.Name(name, ast.Load()), args, []), token)

    def old_form(self, name: str, token: Token) -> ast.expr:
        # OLD({Status}) reads the value before the update; CHANGED({Status}) compares both.
        if not self.allow_old:
            raise self.fail(f"{name} is only available in automation conditions", token)
        self.advance()
        reference = self.advance()
        if reference.kind is not Kind.REF or self.peek().kind is not Kind.RPAREN:
            raise self.fail(f"{name} expects one field reference, like {name}({{Status}})", token)
        self.advance()
        field_id = self.field_id(reference)
        self.uses_old = True
        old = self.at(ast.Name(OLD_PREFIX + field_id, ast.Load()), reference)
        if name == "OLD":
            return old
        new = self.at(ast.Name(field_id, ast.Load()), reference)
        return self.at(ast.Compare(new, [ast.NotEq()], [old]), token)


def _canonical(text: str, tokens: tuple[Token, ...], ids: Mapping[str, str | None]) -> str:
    # The text as typed, with references written by id and names in UPPERCASE.
    out: list[str] = []
    last = 0
    for token in tokens:
        if token.kind is Kind.REF:
            out.append(text[last : token.start] + "{" + str(ids[str(token.value)]) + "}")
            last = token.end
        elif token.kind is Kind.NAME:
            out.append(text[last : token.start] + str(token.value).upper())
            last = token.end
    out.append(text[last:])
    return "".join(out)


def _build(
    text: str,
    allow_old: bool,
    resolved: tuple[tuple[str, str | None], ...],
    tokens: tuple[Token, ...] | None = None,
) -> ParsedFormula:
    tokens = tokens_of(text) if tokens is None else tokens
    ids = dict(resolved)
    parser = _Parser(text, tokens, ids, allow_old)
    tree = parser.parse()
    used = frozenset(field_id for field_id in ids.values() if field_id is not None)
    return ParsedFormula(_canonical(text, tokens, ids), tree, used, uses_old=parser.uses_old)


_build_cached = lru_cache(maxsize=1_024)(_build)


def parse_formula(
    text: str, resolve: Callable[[str], str | None], *, allow_old: bool = False
) -> ParsedFormula:
    """Parse ``text`` into a validated, cached ``ParsedFormula``.

    ``resolve`` maps a reference's text to a field id, or None when there is no such field:
    pass a name resolver for user input and ``resolve_id`` for stored sources.
    ``allow_old`` admits OLD() and CHANGED() (automation conditions).
    Raises ``FormulaError`` with the position of the first problem.
    """
    if not isinstance(text, str):
        raise FormulaError("a formula must be text", "1:1")
    tokens = tokens_of(text)
    resolved: dict[str, str | None] = {}
    for token in tokens:
        if token.kind is Kind.REF and str(token.value) not in resolved:
            reference = str(token.value)
            field_id = resolve(reference)
            if field_id is not None and not is_field_id(field_id):
                raise ValueError(f"resolver returned an invalid field id {field_id!r}")
            resolved[reference] = field_id
    key = tuple(resolved.items())
    if len(text) <= CACHE_TEXT_LIMIT:
        return _build_cached(text, allow_old, key)
    return _build(text, allow_old, key, tokens)
