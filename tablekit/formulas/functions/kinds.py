"""Result kinds for ``infer_type``, and the rules functions use to derive theirs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

NUMBER = "number"
CURRENCY = "currency"
TEXT = "text"
DATE = "date"
DATETIME = "datetime"
CHECKBOX = "checkbox"
KINDS = frozenset({NUMBER, CURRENCY, TEXT, DATE, DATETIME, CHECKBOX})


def merge(kinds: Sequence[str]) -> str:
    """One kind for values that may each be any of ``kinds`` (the branches of an IF).

    Equal kinds stay; number and currency give currency; date and datetime give datetime;
    anything else mixed gives text, which can show every value.
    """
    found = set(kinds)
    if not found:
        return TEXT
    if len(found) == 1:
        return found.pop()
    if found <= {NUMBER, CURRENCY}:
        return CURRENCY
    if found <= {DATE, DATETIME}:
        return DATETIME
    return TEXT


def numeric(kinds: Sequence[str]) -> str:
    """Currency when any argument is currency, else number (SUM, ROUND, ABS...)."""
    return CURRENCY if CURRENCY in kinds else NUMBER


def numeric_first(kinds: Sequence[str]) -> str:
    """Currency when the first argument is currency, else number (ROUND, CEILING...)."""
    return CURRENCY if kinds and kinds[0] == CURRENCY else NUMBER


def extreme(kinds: Sequence[str]) -> str:
    """A date kind when every argument is one (MAX of dates), else numeric (MIN, MAX)."""
    merged = merge(kinds)
    return merged if merged in (DATE, DATETIME) else numeric(kinds)


def branches(indexes: slice) -> Callable[[Sequence[str]], str]:
    """Rule: the merged kind of the arguments at ``indexes`` (the values of IF or IFS)."""

    def rule(kinds: Sequence[str]) -> str:
        return merge(kinds[indexes])

    return rule


def first(default: str) -> Callable[[Sequence[str]], str]:
    """Rule: the kind of the first argument if it is date-like, else ``default``."""

    def rule(kinds: Sequence[str]) -> str:
        return kinds[0] if kinds and kinds[0] in (DATE, DATETIME) else default

    return rule
