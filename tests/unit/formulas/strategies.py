"""Hypothesis strategies for formula text, shared by parser and sandbox property tests."""

from __future__ import annotations

from hypothesis import strategies as st

FIELD_NAMES = ["Quantity", "Unit price", "Status", "Due", "Tags", "Odd }name\\"]
FIELDS = {name: f"f_{i}" for i, name in enumerate(FIELD_NAMES, start=1)}
NAMES = {field_id: name for name, field_id in FIELDS.items()}
FORMULA_ALPHABET = "{}()\"',+-*/^%&=<>!.\\ \n0123456789eEaAbIFSUMtrueOLD_#$\x00é€😀\u202e"


def reference(name: str) -> str:
    return "{" + name.replace("\\", "\\\\").replace("}", "\\}") + "}"


def _text_literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '""') + '"'


_leaves = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(repr),
    st.text(max_size=8).filter(lambda s: s.isprintable()).map(_text_literal),
    st.sampled_from(FIELD_NAMES).map(reference),
    st.sampled_from(["TRUE", "FALSE", "TODAY()", "NOW()"]),
)
_OPERATORS = ["+", "-", "*", "/", "^", "%", "&", "=", "<>", "<", ">=", "!="]
_UNARY_FUNCTIONS = ["LEN", "UPPER", "ABS", "NOT", "ISBLANK", "SQRT", "INT", "YEAR", "TRIM"]
_BINARY_FUNCTIONS = ["IF", "IFERROR", "ROUND", "LEFT", "MOD", "POWER", "REPT", "AND", "MAX"]


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(_OPERATORS), children).map(" ".join),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"({c})"),
        st.tuples(st.sampled_from(_UNARY_FUNCTIONS), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(_BINARY_FUNCTIONS), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        st.tuples(children, children, children).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
    )


#: Syntactically valid formulas over FIELD_NAMES.
formulas = st.recursive(_leaves, _extend, max_leaves=12)
#: Text that looks like formulas but is mostly wrong.
formula_noise = st.text(alphabet=FORMULA_ALPHABET, max_size=60)
