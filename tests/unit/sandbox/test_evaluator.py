"""In-process evaluation: formulas over rows, blanks, errors as values, and the hardening."""

from __future__ import annotations

import ast
import threading
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings

from tablekit.formulas import ErrorValue, ParsedFormula, parse_formula
from tablekit.formulas.functions import LIBRARY, FunctionSpec
from tablekit.sandbox import evaluate
from tablekit.sandbox.evaluator import FormulaInterpreter
from tests.unit.formulas.strategies import FIELDS, formulas

D = Decimal
TABLE = {
    "Quantity": "f_qty",
    "Unit price": "f_price",
    "Name": "f_name",
    "Due": "f_due",
    "Tags": "f_tags",
    "Status": "f_status",
    "Total": "f_total",
}
ROW: dict[str, object] = {
    "f_qty": 3,
    "f_price": D("2.50"),
    "f_name": "Widget",
    "f_due": date(2024, 5, 31),
    "f_tags": ("red", "blue"),
    "f_status": None,
    "f_total": ErrorValue("#DIV/0!", "division by zero"),
}


def run(formula: str, row: dict[str, object] | None = None, **kwargs: bool) -> object:
    return evaluate(parse_formula(formula, TABLE.get, **kwargs), ROW if row is None else row)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("{Quantity} * {Unit price}", D("7.50")),
        ("{Unit price} * 1.19", D("2.9750")),
        ("ROUND({Unit price} * 1.19, 2)", D("2.98")),
        ("{Quantity} / 2", 1.5),
        ("{Quantity} ^ 2 - 1", 8),
        ("7 % 3", 1),
        ("-7 % 3", 2),
        ("{Status} + 1", 1),
        ('{Status} & "!"', "!"),
        ("{Status} = 0", True),
        ('{Status} = ""', True),
        ("ISBLANK({Status})", True),
        ('{Name} & " x" & {Quantity}', "Widget x3"),
        ('"n=" & 2.0 & ", " & 0.5 & ", " & 1e20', "n=2, 0.5, 1e+20"),
        ('"total " & {Unit price} * 2', "total 5.00"),
        ("{Tags}", ("red", "blue")),
        ('"tags: " & {Tags}', "tags: red, blue"),
        ("{Due} + 1", date(2024, 6, 1)),
        ('{Due} - "2024-05-01"', 30),
        ('{Due} > "2024-05-01"', True),
        ("{Due} < TODAY()", True),
        ('YEAR({Due}) & "-Q" & ROUNDUP(MONTH({Due}) / 3)', "2024-Q2"),
        ('IF({Quantity} > 2, "many", 1/0)', "many"),
        ('IF({Quantity} > 5, 1/0, "few")', "few"),
        ("IFERROR({Total}, -1)", -1),
        ('IFERROR(1/0, IFERROR(1/0, "both failed"))', "both failed"),
        ('IFERROR(IFERROR(1/0, 2/0), "x") & IFERROR(3, 4)', "x3"),
        ("OR({Quantity} > 1, {Total})", True),
        ('SWITCH({Name}, "Gadget", 1, "Widget", 2, 0)', 2),
        ('"10" + 5', 15),
        ('1 = "1"', True),
        ('"a" = "A"', False),
        ("TRUE + TRUE", 2),
        ("2^-1", 0.5),
    ],
)
def test_formulas_over_one_row(formula: str, expected: object) -> None:
    result = run(formula)

    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("formula", "code", "message"),
    [
        ("{Quantity} / 0", "#DIV/0!", "division by zero"),
        ("{Quantity} / {Status}", "#DIV/0!", "division by zero"),
        ("{Total} + 1", "#DIV/0!", "division by zero"),
        ("{Name} * 2", "#VALUE!", 'cannot use text "Widget" as a number'),
        ("{Tags} + 1", "#VALUE!", "expected one value but got a list of 2"),
        ("{Due} + {Due}", "#VALUE!", "cannot add two dates"),
        ("{Name} < 3", "#VALUE!", "cannot use text"),
        ("10 ^ 400", "#NUM!", "number is too large"),
        ("9^9^9^9", "#NUM!", "number is too large"),
        ("SQRT(-1)", "#NUM!", "square root of a negative number"),
        ('IFS({Quantity} > 10, "x")', "#N/A", "no condition of IFS is true"),
        ('REPT("x", 1e9)', "#LIMIT!", "text longer than 100,000 characters"),
    ],
)
def test_failures_are_error_values_not_exceptions(formula: str, code: str, message: str) -> None:
    result = run(formula)

    assert isinstance(result, ErrorValue)
    assert result.code == code
    assert message in result.message


def test_a_deleted_field_is_a_broken_reference_in_every_row() -> None:
    parsed = parse_formula("{f_qty} * {f_gone}", lambda ref: ref)

    result = evaluate(parsed, {"f_qty": 2})

    assert result == ErrorValue("#REF!", "the field f_gone was deleted")


def test_only_plain_values_enter_an_evaluation() -> None:
    class Model:
        price = 3

    parsed = parse_formula("{f_a} + 1", lambda ref: ref)

    result = evaluate(parsed, {"f_a": Model()})

    assert result == ErrorValue("#VALUE!", "unsupported value of type Model in f_a")
    assert evaluate(parsed, {"f_a": [1]}) == 2  # a JSON list is read as a tuple


def test_unused_odd_values_in_the_row_do_no_harm() -> None:
    parsed = parse_formula("{f_a} + 1", lambda ref: ref)

    assert evaluate(parsed, {"f_a": 1, "f_other": object()}) == 2


def test_old_values_in_automation_conditions() -> None:
    parsed = parse_formula(
        'AND(CHANGED({Status}), OLD({Status}) = "New", {Status} = "Confirmed")',
        TABLE.get,
        allow_old=True,
    )

    assert evaluate(parsed, {"f_status": "Confirmed", "old__f_status": "New"}) is True
    assert evaluate(parsed, {"f_status": "Confirmed", "old__f_status": "Confirmed"}) is False
    assert evaluate(parsed, {"f_status": "Confirmed"}) is False  # a new row has no old value


def test_lookups_of_many_values_cannot_make_one_row_slow() -> None:
    row = {"f_lines": tuple(range(10_000))}
    parsed = parse_formula("SUM(" + ", ".join(["SUM({L})"] * 500) + ")", {"L": "f_lines"}.get)

    started = time.perf_counter()
    result = evaluate(parsed, row)
    elapsed = time.perf_counter() - started

    assert isinstance(result, ErrorValue)
    assert result.code == "#LIMIT!"
    assert "too much work" in result.message
    assert elapsed < 1.0


def test_text_produced_by_one_evaluation_is_bounded() -> None:
    parsed = parse_formula(" + ".join(['LEN(REPT("x", 100000))'] * 30), lambda ref: ref)

    result = evaluate(parsed, {})

    assert isinstance(result, ErrorValue)
    assert result.code == "#LIMIT!"


def test_the_symbol_table_is_the_function_library_and_nothing_else() -> None:
    interpreter = FormulaInterpreter()

    assert set(interpreter.symtable) == set(LIBRARY)
    assert all(isinstance(value, FunctionSpec) for value in interpreter.symtable.values())
    for name in ("open", "print", "format", "type", "eval", "getattr", "Exception", "__import__"):
        assert name not in interpreter.symtable


def test_only_formula_node_handlers_are_enabled() -> None:
    interpreter = FormulaInterpreter()

    enabled = {
        node
        for node, handler in interpreter.node_handlers.items()
        if handler != interpreter.unimplemented
    }

    assert enabled == {"constant", "name", "binop", "unaryop", "compare", "call"}


def _smuggled(expression: str) -> ParsedFormula:
    # A ParsedFormula whose tree skipped validation, as if the validator had a bug.
    parsed = object.__new__(ParsedFormula)
    object.__setattr__(parsed, "source", expression)
    object.__setattr__(parsed, "tree", ast.parse(expression, mode="eval"))
    object.__setattr__(parsed, "field_ids", frozenset({"f_1"}))
    object.__setattr__(parsed, "uses_old", False)
    return parsed


@pytest.mark.parametrize(
    "expression",
    [
        "f_1.__class__.__bases__",
        "().__class__.__bases__[0].__subclasses__()",
        "open('/etc/passwd').read()",
        "__import__('os').system('id')",
        "[x for x in range(10**9)]",
        "(lambda: 1)()",
        "f'{f_1.__class__}'",
        "'{0.__class__}'.format(f_1)",
        "SUM.impl.__globals__",
        "print('x')",
        "f_1 if f_1 else 2",
        "{1: 2}",
        "f_1[0]",
    ],
)
def test_the_interpreter_refuses_trees_that_bypass_validation(expression: str) -> None:
    result = evaluate(_smuggled(expression), {"f_1": "x"})

    assert isinstance(result, ErrorValue)
    assert result.code in ("#ERROR!", "#REF!")


def test_evaluation_is_thread_safe() -> None:
    parsed = parse_formula('{f_a} * 2 & "-" & IFERROR(1 / {f_a}, "inf")', lambda ref: ref)
    failures: list[str] = []

    def work(offset: int) -> None:
        for i in range(300):
            value = offset * 1000 + i
            expected = f"{value * 2}-" + ("inf" if value == 0 else f"{1 / value:.15g}")
            got = evaluate(parsed, {"f_a": value})
            if got != expected:
                failures.append(f"{value}: {got!r} != {expected!r}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []


@settings(max_examples=200, deadline=None)
@given(formulas)
def test_generated_formulas_evaluate_to_a_value_or_an_error_value(text: str) -> None:
    parsed = parse_formula(text, FIELDS.get)
    row = {
        "f_1": 4,
        "f_2": D("9.99"),
        "f_3": "Confirmed",
        "f_4": datetime(2024, 5, 31, 12, 0),
        "f_5": ("a", "b"),
        "f_6": None,
    }

    result = evaluate(parsed, row)

    allowed = (str, int, float, Decimal, bool, date, tuple, type(None), ErrorValue)
    assert isinstance(result, allowed)
