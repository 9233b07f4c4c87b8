"""Per-column converters from import text to stored values, built once per import.

Every converter ends in the field type's own ``from_text``, so imported cells obey the
same rules as typed ones. Two things make a million cells cheap:

* a memo per column (import columns repeat: categories, flags, dates, quantities), which
  switches itself off when a column turns out to be mostly distinct values;
* fast paths for the commonest plain forms (``12.5`` in a number column, ``2024-05-01`` in
  a date column) that skip the general parser. Each is guarded by a strict pattern for
  which it returns exactly what ``from_text`` returns (``tests/interchange/test_convert.py``
  checks this property on random input); anything else takes the general path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError, Context, FieldDef, FieldType
from tablekit.fields.text import TextField
from tablekit.registry import Registry
from tablekit.storage import links, physical
from tablekit.storage.schema import TableSchema

Converter = Callable[[str], Any]
MEMO_LIMIT = 50_000
MEMO_TRIAL = 5_000
MEMO_MIN_HIT_RATE = 0.3
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_LINK_NAMES = 200_000


class Memo:
    """``convert`` with a bounded cache. Once :attr:`useless` (it rarely hit in its first
    calls) the caller should call :attr:`inner` directly instead."""

    def __init__(self, inner: Converter) -> None:
        self.inner = inner
        self.cache: dict[str, Any] = {}
        self.calls = 0
        self.hits = 0

    def __call__(self, text: str) -> Any:
        self.calls += 1
        try:
            value = self.cache[text]
        except KeyError:
            value = self.inner(text)
            if len(self.cache) < MEMO_LIMIT:
                self.cache[text] = value
            return value
        self.hits += 1
        return value

    @property
    def useless(self) -> bool:
        return self.calls >= MEMO_TRIAL and self.hits < MEMO_MIN_HIT_RATE * self.calls


def memoized(convert: Converter) -> Converter:
    return Memo(convert)


def unwrap(convert: Converter) -> Converter:
    """The converter to keep using: without its memo if the memo does not pay."""
    if isinstance(convert, Memo) and convert.useless:
        convert.cache.clear()
        return convert.inner
    return convert


def _plain_digits(text: str, precision: int) -> bool:
    """``-?\\d+(\\.\\d+)?`` in ASCII digits, at most 15 of them, within ``precision``."""
    body = text[1:] if text[:1] == "-" else text
    whole, dot, fraction = body.partition(".")
    return (
        body.isascii()
        and whole.isdigit()
        and (not dot or fraction.isdigit())
        and len(fraction) <= precision
        and len(whole) + len(fraction) <= 15
    )


def fast_path(fdef: FieldDef, ftype: FieldType, slow: Converter) -> Converter:
    """A converter equal to ``slow`` that answers plain forms without the general parser."""
    kind = fdef.type
    if kind in ("number", "percent"):
        precision = int(fdef.options.get("precision", 0 if kind == "number" else 4))

        def number(text: str) -> Any:
            # Within 15 digits and the field's precision the decimal is exact, and float()
            # of the text is the same correctly rounded double as float() of the Decimal.
            return float(text) if _plain_digits(text, precision) else slow(text)

        return number
    if kind == "currency":
        precision = int(fdef.options.get("precision", 2))
        quantum = Decimal(1).scaleb(-precision)

        def currency(text: str) -> Any:
            if _plain_digits(text, precision):
                return Decimal(text).quantize(quantum)
            return slow(text)

        return currency
    if kind == "date":

        def day(text: str) -> Any:
            if ISO_DATE.match(text):
                try:
                    return date.fromisoformat(text)
                except ValueError:
                    pass
            return slow(text)

        return day
    if type(ftype) is TextField:
        limit = ftype.max_length

        def text_value(text: str) -> Any:
            if (
                text
                and len(text) <= limit
                and text == text.strip()
                and "\r" not in text
                and "\n" not in text
                and "\x00" not in text
            ):
                return text
            return slow(text)

        return text_value
    return slow


def plain_converter(fdef: FieldDef, ftype: FieldType, ctx: Context) -> Converter:
    """Text → stored value for one column; raises CellError with the field's message."""

    def slow(text: str) -> Any:
        return ftype.from_text(text, fdef, ctx)

    return fast_path(fdef, ftype, slow)


def link_converter(
    session: Session,
    fdef: FieldDef,
    target: TableSchema,
    registry: Registry[FieldType],
    ctx: Context,
) -> Converter:
    """Link cells name linked rows by their primary field, comma separated, as the
    exporter writes them (``Ann, Bob``); a bare number names a row id."""
    expr, to_text = links.primary_text(target, registry, ctx)
    table = physical.physical_table(target, registry)
    by_name: dict[str, list[int]] = {}
    ids: set[int] = set()
    for row_id, value in session.execute(sa.select(table.c.id, expr).limit(MAX_LINK_NAMES + 1)):
        ids.add(row_id)
        by_name.setdefault(to_text(value), []).append(row_id)
    if len(ids) > MAX_LINK_NAMES:
        raise ValidationFailed(
            f"{target.name!r} has more than {MAX_LINK_NAMES} rows; links cannot be imported "
            "by name",
            code="IMPORT_LINK_TARGET_TOO_LARGE",
        )
    multiple = bool(fdef.options.get("multiple", True))

    def convert(text: str) -> list[int]:
        found: list[int] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            matches = by_name.get(part)
            if matches is None and part.isdigit() and int(part) in ids:
                matches = [int(part)]
            if not matches:
                raise CellError(f"no row named {part!r} in {target.name!r}")
            if len(matches) > 1:
                raise CellError(f"several rows of {target.name!r} are named {part!r}")
            if matches[0] not in found:
                found.append(matches[0])
        if len(found) > 1 and not multiple:
            raise CellError("this field links to one record only")
        return found

    return memoized(convert)
