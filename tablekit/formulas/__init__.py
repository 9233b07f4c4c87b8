"""The formula language: spreadsheet-style formulas parsed into validated Python ASTs.

``parse_formula`` turns ``{Quantity} * {Unit price}`` into a ``ParsedFormula`` whose tree
reads field ids as plain variables and calls only the function library; it is cached, and
errors point at their position. The canonical ``source`` stores references by id, so a
rename never breaks a formula; ``render`` shows it with current names again.
Evaluation lives in ``tablekit.sandbox``; this package never runs a formula.
"""

from __future__ import annotations

from tablekit.formulas.errors import FormulaError
from tablekit.formulas.infer import infer_type
from tablekit.formulas.model import OLD_PREFIX, ParsedFormula, is_field_id, resolve_id
from tablekit.formulas.parser import parse_formula
from tablekit.formulas.values import ErrorValue

__all__ = [
    "OLD_PREFIX",
    "ErrorValue",
    "FormulaError",
    "ParsedFormula",
    "infer_type",
    "is_field_id",
    "parse_formula",
    "resolve_id",
]
