"""Tokenizer and parser properties: any text gives a formula or a FormulaError, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablekit.formulas import FormulaError, parse_formula, resolve_id
from tablekit.formulas.tokens import Kind, escape_reference, tokenize
from tests.unit.formulas.strategies import FIELDS, NAMES, formula_noise, formulas


def _parse_or_error(text: str) -> None:
    try:
        parsed = parse_formula(text, FIELDS.get)
    except FormulaError as exc:
        assert exc.position.count(":") == 1
        assert exc.message.endswith(exc.position) or f" at {exc.position}" in exc.message
    else:
        assert parsed.field_ids <= set(FIELDS.values())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    _parse_or_error(text)


@settings(max_examples=300, deadline=None)
@given(formula_noise)
def test_formula_like_noise_parses_or_fails_cleanly(text: str) -> None:
    _parse_or_error(text)


@settings(max_examples=200, deadline=None)
@given(formulas)
def test_valid_formulas_round_trip_through_storage_and_display(text: str) -> None:
    parsed = parse_formula(text, FIELDS.get)

    shown = parsed.render(NAMES.get)
    reread = parse_formula(shown, FIELDS.get)
    from_storage = parse_formula(parsed.source, resolve_id)

    assert reread.source == parsed.source
    assert from_storage.source == parsed.source
    assert from_storage.field_ids == parsed.field_ids


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and "\n" not in s))
def test_any_field_name_survives_escaping(name: str) -> None:
    try:
        tokens = tokenize(escape_reference(name))
    except FormulaError:
        return  # control characters are refused everywhere
    assert tokens[0].kind is Kind.REF
    assert tokens[0].value == name


def test_tokens_keep_their_spans() -> None:
    text = "IF({A} >= 1.5, \"x\", 'y')"

    tokens = tokenize(text)

    assert [text[t.start : t.end] for t in tokens[:-1]] == [
        "IF", "(", "{A}", ">=", "1.5", ",", '"x"', ",", "'y'", ")",
    ]  # fmt: skip
    assert tokens[-1].kind is Kind.END


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"tab\\tand\\nnewline"', "tab\tand\nnewline"),
        ('"C:\\path"', "C:\\path"),
        ("'it''s'", "it's"),
        ('"€ 😀"', "€ 😀"),
        ('"\u202ehidden"', "\u202ehidden"),
    ],
)
def test_text_literals_decode_escapes(text: str, value: str) -> None:
    assert tokenize(text)[0].value == value


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\ud800", "\x85"])
def test_control_characters_and_lone_surrogates_are_refused(bad: str) -> None:
    with pytest.raises(FormulaError, match="invalid character"):
        tokenize(f'"a{bad}b"')
