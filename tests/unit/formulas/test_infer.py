"""Result types: what column a formula's results are stored in by default."""

from __future__ import annotations

import pytest

from tablekit.formulas import infer_type, parse_formula

TYPES = {
    "f_qty": "number",
    "f_price": "currency",
    "f_name": "text",
    "f_due": "date",
    "f_at": "datetime",
    "f_done": "checkbox",
    "f_tags": "multiple_select",
    "f_lines": "rollup",
    "f_total": "formula",
}


@pytest.mark.parametrize(
    ("formula", "kind"),
    [
        ("{f_qty} * {f_price}", "currency"),
        ("{f_qty} * 2", "number"),
        ("{f_price} / {f_price}", "number"),
        ("{f_price} / 4", "currency"),
        ("-{f_price}", "currency"),
        ("{f_name} & {f_qty}", "text"),
        ("{f_due} + 7", "date"),
        ("{f_at} - 1", "datetime"),
        ("{f_due} - {f_due}", "number"),
        ("{f_qty} > 3", "checkbox"),
        ("AND({f_done}, TRUE)", "checkbox"),
        ("IF({f_done}, {f_price}, 0)", "currency"),
        ('IF({f_done}, "yes", 0)', "text"),
        ("IF({f_done}, {f_due}, {f_at})", "datetime"),
        ("IFS({f_done}, 1, TRUE, 2)", "number"),
        ('SWITCH({f_name}, "a", {f_due}, {f_due})', "date"),
        ("SUM({f_lines})", "number"),
        ("SUM({f_price}, 1)", "currency"),
        ("ROUND({f_price} * 1.19, 2)", "currency"),
        ("MAX({f_due}, TODAY())", "date"),
        ("MAX({f_qty}, 3)", "number"),
        ("DATEADD({f_at}, 2, 'hours')", "datetime"),
        ("DATEADD({f_due}, 2, 'days')", "date"),
        ("DATEDIF({f_due}, TODAY(), 'D')", "number"),
        ("UPPER({f_tags})", "text"),
        ("{f_tags}", "text"),
        ("NOW()", "datetime"),
        ("IFERROR({f_qty} / 0, 0)", "number"),
        ("{f_total} + 1", "number"),
        ("{f_gone} + 1", "number"),
        ("{f_gone}", "text"),
    ],
)
def test_result_type_follows_the_fields_read(formula: str, kind: str) -> None:
    parsed = parse_formula(formula, lambda ref: ref)

    assert infer_type(parsed, TYPES) == kind


def test_old_values_have_the_type_of_their_field() -> None:
    parsed = parse_formula("OLD({f_price})", lambda ref: ref, allow_old=True)

    assert infer_type(parsed, TYPES) == "currency"
