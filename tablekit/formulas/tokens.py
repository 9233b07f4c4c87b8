"""Tokenizer: formula text to a tuple of tokens with their source spans.

Tokens keep their exact span so that the canonical source (references rewritten as ids)
and the rendered source (ids back to names) preserve everything else the user typed.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple

from tablekit.formulas.errors import FormulaError, position_of
from tablekit.formulas.limits import MAX_FORMULA_LENGTH, MAX_NUMBER_LITERAL


class Kind(Enum):
    NUMBER = "number"
    TEXT = "text"
    REF = "ref"
    NAME = "name"
    OP = "op"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    END = "end"


class Token(NamedTuple):
    """One token. ``value`` is the decoded content: the number, the text, the reference."""

    kind: Kind
    start: int
    end: int
    value: object

    def describe(self, text: str) -> str:
        """How error messages name this token: ``')'``, ``number 12``, ``field {Qty}``."""
        raw = text[self.start : self.end]
        if self.kind is Kind.END:
            return "end of formula"
        if self.kind is Kind.NUMBER:
            return f"number {raw}"
        if self.kind is Kind.TEXT:
            return "text " + (raw if len(raw) <= 30 else raw[:27] + "...")
        if self.kind is Kind.REF:
            return "field " + (raw if len(raw) <= 40 else raw[:37] + "...")
        if self.kind is Kind.NAME:
            return f"name {raw}"
        return f"'{raw}'"


# Longest operators first so that "<=" is not read as "<" then "=".
OPERATORS = ("==", "!=", "<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "^", "%", "&")
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Control characters (except tab, newline, carriage return) and lone surrogates are refused
# anywhere: they hide text from reviewers and break storage encodings.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_WHITESPACE = " \t\r\n"
_TEXT_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


def tokenize(text: str) -> tuple[Token, ...]:
    """Split ``text`` into tokens, ending with an ``END`` token.

    Raises ``FormulaError`` for text that is too long, forbidden characters, unterminated
    text or references, empty references and number literals that are too long.
    """
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(
            f"formula is too long ({len(text):,} characters, the limit is {MAX_FORMULA_LENGTH:,})",
            "1:1",
        )
    bad = _FORBIDDEN.search(text)
    if bad:
        raise FormulaError(
            f"invalid character U+{ord(bad.group()):04X}", position_of(text, bad.start())
        )
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
        elif ch == "{":
            token = _reference(text, i)
            tokens.append(token)
            i = token.end
        elif ch in "\"'":
            token = _text(text, i)
            tokens.append(token)
            i = token.end
        elif ch.isascii() and (ch.isdigit() or (ch == "." and _NUMBER.match(text, i))):
            token = _number(text, i)
            tokens.append(token)
            i = token.end
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _NAME.match(text, i)
            assert match is not None
            tokens.append(Token(Kind.NAME, i, match.end(), match.group()))
            i = match.end()
        elif ch == "(":
            tokens.append(Token(Kind.LPAREN, i, i + 1, ch))
            i += 1
        elif ch == ")":
            tokens.append(Token(Kind.RPAREN, i, i + 1, ch))
            i += 1
        elif ch == ",":
            tokens.append(Token(Kind.COMMA, i, i + 1, ch))
            i += 1
        else:
            op = next((op for op in OPERATORS if text.startswith(op, i)), None)
            if op is None:
                raise FormulaError(f"unexpected character {ch!r}", position_of(text, i))
            tokens.append(Token(Kind.OP, i, i + len(op), op))
            i += len(op)
    tokens.append(Token(Kind.END, n, n, None))
    return tuple(tokens)


def _reference(text: str, start: int) -> Token:
    # "{Unit price}"; "\}" is a literal "}" and "\\" a literal backslash inside a name.
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "\\}":
            chars.append(text[i + 1])
            i += 2
        elif ch == "}":
            name = "".join(chars)
            if not name.strip():
                raise FormulaError("empty field reference", position_of(text, start))
            return Token(Kind.REF, start, i + 1, name)
        elif ch in "\r\n":
            break
        else:
            chars.append(ch)
            i += 1
    raise FormulaError("unterminated field reference", position_of(text, start))


def _text(text: str, start: int) -> Token:
    # "..." or '...'; a doubled quote or a backslash escape puts the quote inside.
    quote = text[start]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _TEXT_ESCAPES:
            chars.append(_TEXT_ESCAPES[text[i + 1]])
            i += 2
        elif ch == quote:
            if text.startswith(quote, i + 1):
                chars.append(quote)
                i += 2
                continue
            return Token(Kind.TEXT, start, i + 1, "".join(chars))
        else:
            chars.append(ch)
            i += 1
    raise FormulaError("unterminated text", position_of(text, start))


def _number(text: str, start: int) -> Token:
    match = _NUMBER.match(text, start)
    assert match is not None
    raw = match.group()
    if len(raw) > MAX_NUMBER_LITERAL:
        reason = f"number is too long (more than {MAX_NUMBER_LITERAL} characters)"
        raise FormulaError(reason, position_of(text, start))
    value: int | float
    if raw.isdigit():
        value = int(raw)  # at most MAX_NUMBER_LITERAL digits, so always in range
    else:
        value = float(raw)
        if value in (float("inf"), float("-inf")):
            raise FormulaError("number is out of range", position_of(text, start))
    return Token(Kind.NUMBER, start, match.end(), value)


def escape_reference(name: str) -> str:
    """Write ``name`` as a reference: ``{A\\}B}`` for a name containing ``}``."""
    return "{" + name.replace("\\", "\\\\").replace("}", "\\}") + "}"
