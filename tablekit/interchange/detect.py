"""Guessing a field type for each column of an import from a sample of its values.

A guess is only kept when the real field type accepts every sampled value (its
``from_text``), so detection can never propose a type that the import would then reject.
The order of the candidates goes from the most specific to plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tablekit.fields.base import CellError, Context, FieldDef, FieldType, OptionsContext
from tablekit.registry import Registry

SAMPLE_ROWS = 1000
PREVIEW_ROWS = 20
MAX_CHOICES = 12
MAX_CHOICE_LENGTH = 60
NUMBER_RE = re.compile(r"^[+-]?(?:\d{1,15}|\d{1,3}(?:,\d{3}){1,4})(?:\.(\d{1,8}))?$")
LEADING_ZERO_RE = re.compile(r"^[+-]?0\d")
CURRENCY_RE = re.compile(r"^(?P<pre>[€$£]?)\s*(?P<num>[+-]?[\d.,]+)\s*(?P<post>[€$£]?)$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OTHER_DATE_RE = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{4}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
CHECKBOX_WORDS = frozenset({"true", "false", "yes", "no"})
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}


@dataclass
class ColumnGuess:
    """A detected column: its name, proposed field type and options, sample values."""

    index: int
    name: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "type": self.type,
            "options": self.options,
            "samples": self.samples[:5],
        }


def _decimals(values: Sequence[str]) -> int:
    best = 0
    for value in values:
        match = NUMBER_RE.match(value.replace("%", "").strip())
        if match and match.group(1):
            best = max(best, len(match.group(1)))
    return min(best, 8)


def _candidates(values: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Plausible (type, options) for the non-empty values, most specific first."""
    out: list[tuple[str, dict[str, Any]]] = []
    if any("\n" in v or len(v) > 255 for v in values):
        return [("long_text", {})]
    lowered = {v.lower() for v in values}
    if lowered <= CHECKBOX_WORDS:
        out.append(("checkbox", {}))
    plain = all(NUMBER_RE.match(v) for v in values)
    if plain and not any(LEADING_ZERO_RE.match(v) for v in values):
        out.append(("number", {"precision": _decimals(values)}))
    if all(v.endswith("%") and NUMBER_RE.match(v[:-1].strip()) for v in values):
        out.append(("percent", {"precision": min(_decimals(values) + 2, 8)}))
    matches = [CURRENCY_RE.match(v) for v in values]
    symbols = {(m.group("pre") or m.group("post")) for m in matches if m}
    if all(matches) and len(symbols) == 1 and "" not in symbols:
        out.append(("currency", {"currency": SYMBOLS[symbols.pop()], "precision": 2}))
    if all(ISO_DATE_RE.match(v) or OTHER_DATE_RE.match(v) for v in values):
        out.append(("date", {}))
    if all(DATETIME_RE.match(v) for v in values):
        out.append(("datetime", {}))
    if all("@" in v for v in values):
        out.append(("email", {}))
    if all(v.lower().startswith(("http://", "https://")) for v in values):
        out.append(("url", {}))
    distinct = list(dict.fromkeys(values))
    if (
        len(values) >= 3 * len(distinct)
        and len(distinct) <= MAX_CHOICES
        and all(len(v) <= MAX_CHOICE_LENGTH for v in distinct)
        and not plain
    ):
        out.append(("single_select", {"choices": [{"name": v} for v in distinct]}))
    out.append(("text", {}))
    return out


def guess_column(
    index: int,
    name: str,
    values: list[str],
    registry: Registry[FieldType],
    ctx: Context,
) -> ColumnGuess:
    """The most specific type whose real conversion accepts every sampled value."""
    filled = [v.strip() for v in values if v.strip()]
    for type_key, options in _candidates(filled):
        ftype = registry.get(type_key)
        normalized = ftype.normalize_options(options, OptionsContext(table_ids=set()))
        fdef = FieldDef(id=0, table_id=0, name=name, type=type_key, options=normalized)
        try:
            for value in filled:
                ftype.from_text(value, fdef, ctx)
        except CellError:
            continue
        if type_key == "single_select":
            normalized = {"choices": [{"name": c["name"]} for c in normalized["choices"]]}
        return ColumnGuess(index, name, type_key, normalized, values[:PREVIEW_ROWS])
    return ColumnGuess(index, name, "text", {}, values[:PREVIEW_ROWS])


def guess_columns(
    header: list[str],
    rows: list[list[str]],
    registry: Registry[FieldType],
    ctx: Context,
) -> list[ColumnGuess]:
    columns: list[list[str]] = [[] for _ in header]
    for cells in rows:
        for i in range(len(header)):
            columns[i].append(cells[i] if i < len(cells) else "")
    return [guess_column(i, name, columns[i], registry, ctx) for i, name in enumerate(header)]
