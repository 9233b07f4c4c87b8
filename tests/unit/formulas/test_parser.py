"""Parser stories: what users type, what is stored, what they are told when it is wrong."""

from __future__ import annotations

import ast

import pytest

from tablekit.errors import ValidationFailed
from tablekit.formulas import FormulaError, ParsedFormula, parse_formula, resolve_id
from tablekit.formulas.limits import MAX_DEPTH, MAX_FORMULA_LENGTH

FIELDS = {
    "Quantity": "f_1",
    "Unit price": "f_2",
    "Status": "f_3",
    "Stock": "f_4",
    "Minimum stock": "f_5",
    "Size {cm}": "f_6",
    "Due": "f_7",
}
NAMES = {field_id: name for name, field_id in FIELDS.items()}


def by_name(reference: str) -> str | None:
    return FIELDS.get(reference)


def parse(text: str, **kwargs: bool) -> ParsedFormula:
    return parse_formula(text, by_name, **kwargs)


@pytest.mark.parametrize(
    ("text", "source", "python"),
    [
        ("{Quantity} * {Unit price}", "{f_1} * {f_2}", "f_1 * f_2"),
        (
            'IF({Stock} < {Minimum stock}, "Reorder", "OK")',
            'IF({f_4} < {f_5}, "Reorder", "OK")',
            "IF(f_4 < f_5, 'Reorder', 'OK')",
        ),
        ('{Status} & " / " & {Quantity}', '{f_3} & " / " & {f_1}', "CONCATENATE(f_3, ' / ', f_1)"),
        (
            "if({Stock} <> 0, true, False)",
            "IF({f_4} <> 0, TRUE, FALSE)",
            "IF(f_4 != 0, True, False)",
        ),
        ("{Size {cm\\}}", "{f_6}", "f_6"),
        ("'single' = \"double\"", "'single' = \"double\"", "'single' == 'double'"),
        ('"say ""hi"""', '"say ""hi"""', "'say \"hi\"'"),
        ('"a\\"b"', '"a\\"b"', "'a\"b'"),
        ("TRUE()", "TRUE()", "True"),
        ("TODAY()", "TODAY()", "TODAY()"),
        ("1.5e3 + .5", "1.5e3 + .5", "1500.0 + 0.5"),
        ("  {Stock}\n  + 1  ", "  {f_4}\n  + 1  ", "f_4 + 1"),
    ],
)
def test_formulas_are_stored_by_id_and_become_python(text: str, source: str, python: str) -> None:
    parsed = parse(text)

    assert parsed.source == source
    assert ast.unparse(parsed.tree) == python


@pytest.mark.parametrize(
    ("text", "python"),
    [
        ("1 + 2 * 3", "1 + 2 * 3"),
        ("(1 + 2) * 3", "(1 + 2) * 3"),
        ("-2^2", "-2 ** 2"),
        ("2^3^2", "2 ** 3 ** 2"),
        ("2^-1", "2 ** (-1)"),
        ("10 - 4 - 3", "10 - 4 - 3"),
        ("7 % 3 * 2", "7 % 3 * 2"),
        ("1 + 2 & 3", "CONCATENATE(1 + 2, 3)"),
        ("1 & 2 = 12", "CONCATENATE(1, 2) == 12"),
        ("1 < 2 = TRUE", "(1 < 2) == True"),
        ("1 == 1 != 2", "(1 == 1) != 2"),
        ("--1", "--1"),
        ("+{Stock}", "+f_4"),
    ],
)
def test_precedence_follows_spreadsheets_with_math_power(text: str, python: str) -> None:
    assert ast.unparse(parse(text).tree) == python


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("{Qty} * 2", "unknown field {Qty}", "1:1"),
        ("2 * {Qty}", "unknown field {Qty}", "1:5"),
        ("IF({Stock} < 1)", "IF expects 2 or 3 arguments (got 1)", "1:1"),
        ("NOT(1, 2)", "NOT expects 1 argument (got 2)", "1:1"),
        ("TODAY(1)", "TODAY expects no arguments (got 1)", "1:1"),
        ("SUM()", "SUM expects at least 1 argument (got 0)", "1:1"),
        ("IFS(1, 2, 3)", "IFS expects condition/value pairs", "1:1"),
        ('MID("abc", 1)', "MID expects 3 arguments (got 2)", "1:1"),
        ("SUBSTITUTE(1)", "SUBSTITUTE expects 3 or 4 arguments (got 1)", "1:1"),
        ("FOO(1)", "unknown function FOO", "1:1"),
        ("1 + foo(2)", "unknown function FOO", "1:5"),
        ("SUM(1, 2))", "unexpected ')'", "1:10"),
        ("(1 + 2))", "unexpected ')'", "1:8"),
        ("1 +", "unexpected end of formula", "1:4"),
        ("SUM(1, 2", "unclosed '('", "1:4"),
        ("((1)", "unclosed '('", "1:1"),
        ('"abc', "unterminated text", "1:1"),
        ("1 & 'abc", "unterminated text", "1:5"),
        ("{Stock", "unterminated field reference", "1:1"),
        ("{ }", "empty field reference", "1:1"),
        ("1 $ 2", "unexpected character '$'", "1:3"),
        ("1 ! 2", "unexpected character '!'", "1:3"),
        ("Stock + 1", "unexpected name Stock", "1:1"),
        ("SUM(1,,2)", "unexpected ','", "1:7"),
        ("SUM(1 2)", "unexpected number 2", "1:7"),
        ("1 +\n  * 2", "unexpected '*'", "2:3"),
        ("", "formula is empty", "1:1"),
        ("   ", "formula is empty", "1:4"),
        ("1\x00", "invalid character U+0000", "1:2"),
        ("OLD({Status})", "OLD is only available in automation conditions", "1:1"),
        ("CHANGED({Status})", "CHANGED is only available in automation conditions", "1:1"),
        ("1" * 101, "number is too long", "1:1"),
        ("TRUE(1)", "unexpected number 1", "1:6"),
    ],
)
def test_errors_say_what_and_where(text: str, message: str, position: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text)

    assert caught.value.reason.startswith(message)
    assert caught.value.position == position
    assert caught.value.message.startswith(f"{message}")
    assert f" at {position}" in caught.value.message


def test_formula_error_is_a_validation_failure_the_api_maps_to_422() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse("{Qty}")

    assert caught.value.code == "FORMULA_INVALID"
    assert caught.value.details == {"position": "1:1"}
    assert caught.value.message == "unknown field {Qty} at 1:1"


def test_a_bare_name_gets_a_hint_to_use_braces() -> None:
    with pytest.raises(FormulaError, match=r"field references are written \{Stock\}"):
        parse("Stock * 2")


def test_field_ids_are_the_dependencies() -> None:
    parsed = parse("IF({Stock} < {Minimum stock}, {Stock} * 2, 0)")

    assert parsed.field_ids == frozenset({"f_4", "f_5"})
    assert parsed.uses_old is False


def test_render_shows_current_names_and_escapes_braces() -> None:
    parsed = parse("{Size {cm\\}} + {Quantity}")

    assert parsed.render(NAMES.get) == "{Size {cm\\}} + {Quantity}"
    renamed = {"f_6": "Width}", "f_1": "Qty"}
    assert parsed.render(renamed.get) == "{Width\\}} + {Qty}"


def test_render_of_a_deleted_field_says_so_and_does_not_resolve_again() -> None:
    parsed = parse("{Quantity} * {Unit price}")

    shown = parsed.render({"f_1": "Quantity"}.get)

    assert shown == "{Quantity} * {#deleted f_2}"
    with pytest.raises(FormulaError, match=r"unknown field \{#deleted f_2\} at 1:14"):
        parse(shown)


def test_rename_keeps_the_stored_formula_valid() -> None:
    stored = parse("{Quantity} * {Unit price}").source

    reread = parse_formula(stored, resolve_id)

    assert reread.source == stored
    assert reread.render({"f_1": "Qty", "f_2": "Price"}.get) == "{Qty} * {Price}"


def test_stored_source_with_a_deleted_field_still_parses_by_id() -> None:
    parsed = parse_formula("{f_99} + 1", resolve_id)

    assert parsed.field_ids == frozenset({"f_99"})


def test_old_and_changed_in_automation_conditions() -> None:
    parsed = parse('AND(CHANGED({Status}), OLD({Status}) = "New")', allow_old=True)

    assert parsed.uses_old is True
    assert parsed.field_ids == frozenset({"f_3"})
    assert ast.unparse(parsed.tree) == "AND(f_3 != old__f_3, old__f_3 == 'New')"
    assert parsed.render(NAMES.get) == 'AND(CHANGED({Status}), OLD({Status}) = "New")'


@pytest.mark.parametrize("text", ["OLD(1)", "OLD({Status}, {Stock})", "CHANGED()", "OLD"])
def test_old_takes_exactly_one_field_reference(text: str) -> None:
    with pytest.raises(FormulaError, match=r"expects one field reference|unexpected name"):
        parse(text, allow_old=True)


def test_parse_is_cached_per_text_mode_and_resolution() -> None:
    first = parse("{Quantity} * 3")
    again = parse("{Quantity} * 3")
    other_table = parse_formula("{Quantity} * 3", {"Quantity": "f_77"}.get)

    assert again is first
    assert other_table.source == "{f_77} * 3"


def test_too_long_formulas_are_refused_before_parsing() -> None:
    text = "1+" * (MAX_FORMULA_LENGTH // 2) + "1"

    with pytest.raises(FormulaError, match="formula is too long") as caught:
        parse(text)
    assert caught.value.position == "1:1"


def test_deep_parentheses_are_refused_without_recursion_error() -> None:
    text = "(" * 4_000 + "1" + ")" * 4_000

    with pytest.raises(FormulaError, match="nested too deeply"):
        parse(text)


def test_long_operator_chains_count_as_depth() -> None:
    chain = "+".join(["1"] * (MAX_DEPTH + 5))

    with pytest.raises(FormulaError, match="nested too deeply"):
        parse(chain)


def test_long_ampersand_chains_stay_flat() -> None:
    text = " & ".join(['"x"'] * 500)

    parsed = parse(text)

    assert isinstance(parsed.tree.body, ast.Call)
    assert len(parsed.tree.body.args) == 500


def test_a_resolver_returning_a_non_identifier_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="invalid field id"):
        parse_formula("{A}", lambda _: "f-1; import os")


def test_volatile_formulas_are_flagged_for_daily_recalculation() -> None:
    assert parse("DATEDIF({Due}, TODAY(), 'D')").volatile is True
    assert parse("{Quantity} * 2").volatile is False


def _bypass(tree: ast.Expression, ids: frozenset[str] = frozenset({"f_1"})) -> ParsedFormula:
    return ParsedFormula("x", ast.fix_missing_locations(tree), ids)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("f_1.__class__", "unsupported expression (Attribute)"),
        ("f_1[0]", "unsupported expression (Subscript)"),
        ("(lambda: 1)()", "only library functions"),
        ("[x for x in f_1]", "unsupported expression (ListComp)"),
        ("open('/etc/passwd')", "unknown function open"),
        ("__import__('os')", "unknown function __import__"),
        ("SUM(*f_1)", "unsupported call syntax"),
        ("ROUND(f_1, digits=2)", "unsupported call syntax"),
        ("f_2 + 1", "unknown variable f_2"),
        ("old__f_1", "unknown variable old__f_1"),
        ("1 < f_1 < 3", "chained comparison"),
        ("f_1 is None", "unsupported comparison"),
        ("f_1 << 2", "unsupported operator"),
        ("~f_1", "unsupported operator"),
        ("b'bytes'", "unsupported constant"),
        ("f'{f_1}'", "unsupported expression (JoinedStr)"),
        ("(y := 1)", "unsupported expression (NamedExpr)"),
        ("IF(1)", "IF expects 2 or 3 arguments"),
    ],
)
def test_hand_made_trees_are_validated_too(expression: str, message: str) -> None:
    tree = ast.parse(expression, mode="eval")

    with pytest.raises(FormulaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _bypass(tree)


def test_only_an_expression_tree_is_accepted() -> None:
    with pytest.raises(FormulaError, match="single expression"):
        ParsedFormula("x", ast.parse("1"), frozenset())  # type: ignore[arg-type]
