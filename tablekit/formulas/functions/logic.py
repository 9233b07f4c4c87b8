"""Logic functions: IF, IFS, SWITCH, AND, OR, NOT, XOR, ISBLANK, IFERROR.

IF, IFS, SWITCH, AND, OR and IFERROR are lazy: the sandbox passes their arguments
unevaluated (``Lazy``) and only the branch that is taken runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from tablekit.formulas.functions.coerce import flatten, is_blank, to_bool
from tablekit.formulas.functions.kinds import CHECKBOX, branches, merge
from tablekit.formulas.functions.operators import equals
from tablekit.formulas.functions.spec import FunctionSpec, force
from tablekit.formulas.values import ErrorValue, NoMatch


def IF(condition: object, then: object, otherwise: object = None) -> object:
    """``then`` when ``condition`` is true, else ``otherwise`` (blank when left out).

    >>> IF(5 < 10, "Reorder", "OK")
    'Reorder'
    >>> IF(0, "yes") is None
    True
    """
    return force(then) if to_bool(force(condition)) else force(otherwise)


def IFS(*pairs: object) -> object:
    """The value of the first true condition of ``condition, value`` pairs.

    No true condition is ``#N/A``; end with ``TRUE, value`` for a default.

    >>> IFS(False, "low", True, "high")
    'high'
    """
    for i in range(0, len(pairs) - 1, 2):
        if to_bool(force(pairs[i])):
            return force(pairs[i + 1])
    raise NoMatch("no condition of IFS is true")


def SWITCH(expression: object, *cases: object) -> object:
    """The value paired with the first case equal to ``expression``; an odd last is the default.

    >>> SWITCH("B", "A", "first", "B", "second", "other")
    'second'
    >>> SWITCH("Z", "A", "first", "other")
    'other'
    """
    value = force(expression)
    for i in range(0, len(cases) - 1, 2):
        if equals(value, force(cases[i])):
            return force(cases[i + 1])
    if len(cases) % 2:
        return force(cases[-1])
    raise NoMatch("no case of SWITCH matches")


def AND(*conditions: object) -> bool:
    """True when every argument (every item of a list) is true; stops at the first false.

    >>> AND(True, 1, "x")
    True
    >>> AND(True, 0)
    False
    """
    for condition in conditions:
        if not all(to_bool(item) for item in flatten((force(condition),))):
            return False
    return True


def OR(*conditions: object) -> bool:
    """True when any argument (any item of a list) is true; stops at the first true.

    >>> OR(0, "", True)
    True
    """
    for condition in conditions:
        if any(to_bool(item) for item in flatten((force(condition),))):
            return True
    return False


def NOT(condition: object) -> bool:
    """The opposite truth value.

    >>> NOT(0)
    True
    """
    return not to_bool(condition)


def XOR(*conditions: object) -> bool:
    """True when an odd number of the arguments are true.

    >>> XOR(True, False)
    True
    >>> XOR(True, True)
    False
    """
    return sum(1 for item in flatten(conditions) if to_bool(item)) % 2 == 1


def ISBLANK(value: object) -> bool:
    """True for a blank cell, empty text or an empty list.

    >>> ISBLANK("")
    True
    >>> ISBLANK(0)
    False
    """
    return is_blank(value)


def IFERROR(value: object, fallback: object) -> object:
    """``value``, or ``fallback`` when computing it fails (any error code).

    >>> IFERROR(ErrorValue("#DIV/0!", "division by zero"), "n/a")
    'n/a'
    >>> IFERROR(42, "n/a")
    42
    """
    try:
        result = force(value)
    except Exception:  # any failure of the argument is what IFERROR is for
        result = ErrorValue("#ERROR!", "failed")
    # The fallback runs outside the except block so its own errors are reported cleanly.
    return force(fallback) if isinstance(result, ErrorValue) else result


def _switch_values(kinds: Sequence[str]) -> str:
    # SWITCH(expression, case, value, ..., [default]): the values sit at 2, 4, ... and last.
    values = list(kinds[2::2])
    if len(kinds) % 2 == 0:
        values.append(kinds[-1])
    return merge(values)


FUNCTIONS = (
    FunctionSpec("IF", IF, 2, 3, branches(slice(1, None)), lazy=True),
    FunctionSpec("IFS", IFS, 2, None, branches(slice(1, None, 2)), lazy=True, pairs=True),
    FunctionSpec("SWITCH", SWITCH, 3, None, _switch_values, lazy=True),
    FunctionSpec("AND", AND, 1, None, CHECKBOX, lazy=True),
    FunctionSpec("OR", OR, 1, None, CHECKBOX, lazy=True),
    FunctionSpec("NOT", NOT, 1, 1, CHECKBOX),
    FunctionSpec("XOR", XOR, 1, None, CHECKBOX),
    FunctionSpec("ISBLANK", ISBLANK, 1, 1, CHECKBOX),
    FunctionSpec("IFERROR", IFERROR, 2, 2, branches(slice(0, None)), lazy=True),
)
