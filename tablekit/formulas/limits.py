"""Size limits of the formula language, shared by the parser, the functions and the sandbox.

They exist so that no formula, however hostile, can make one evaluation slow or large:
every limit is checked before the work it bounds is done.
"""

from __future__ import annotations

#: Longest formula source accepted at parse time, in characters.
MAX_FORMULA_LENGTH = 10_000
#: Deepest nesting of the parsed tree (parentheses, calls, operator chains).
MAX_DEPTH = 100
#: Longest number literal, in characters (Python refuses to parse huge ints slowly).
MAX_NUMBER_LITERAL = 100
#: Longest text any function or operator may produce.
MAX_TEXT_LENGTH = 100_000
#: Most items a list argument (lookup, multi-select) may hold.
MAX_ITEMS = 10_000
#: Largest integer result, in bits (about 10^308, the range of a float).
MAX_INT_BITS = 1024
#: List items one evaluation may visit (reading a list, expanding it in a function).
#: Bounds the time of any evaluation, whatever the formula and the data, to well under 1 s.
MAX_STEPS = 200_000
#: Characters of text all function calls of one evaluation may produce; bounds memory.
MAX_TEXT_WORK = 1_000_000
#: Longest format pattern accepted by TEXT and FORMATDATE.
MAX_PATTERN_LENGTH = 100
