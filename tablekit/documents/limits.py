"""Budgets that stop a template from exhausting memory or time.

The Jinja2 sandbox stops templates from reaching Python internals, but not from asking for
``'x' * 10**9``, nested loops of 10^8 steps or a string doubled forty times. Two kinds of
limit close that gap:

- per-operation caps, checked *before* an operation allocates: string length, container
  length, integer size, width of ``%`` formats. They hold even while Jinja folds constants
  at compile time;
- a per-render :class:`Budget` (loop iterations, calls, characters produced, wall-clock
  deadline), held in a context variable by :func:`budget` for one ``render_template`` call.
  Every guarded step also checks the deadline, so no single render runs much past it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2.exceptions import SecurityError


class LimitExceeded(SecurityError):
    """A template went over one of its limits; the message says which."""


@dataclass(frozen=True)
class Limits:
    """The caps for one environment. Sizes are characters or items; ``timeout`` seconds."""

    max_source_chars: int = 200_000
    max_string_chars: int = 1_000_000
    max_items: int = 100_000
    max_int_bits: int = 4_096
    max_range: int = 10_000
    max_loop_iterations: int = 100_000
    max_calls: int = 100_000
    max_total_chars: int = 20_000_000
    max_output_chars: int = 5_000_000
    timeout: float = 1.0


DEFAULT_LIMITS = Limits()


class Budget:
    """What one render may still spend. Not thread-safe: one render, one thread."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.timeout
        self.iterations = 0
        self.calls = 0
        self.chars = 0

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"the template ran longer than {self.limits.timeout:g} s")

    def loop_step(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.max_loop_iterations:
            raise LimitExceeded(
                f"the template ran more than {self.limits.max_loop_iterations} loop iterations"
            )
        self.check_clock()

    def call(self) -> None:
        self.calls += 1
        if self.calls > self.limits.max_calls:
            raise LimitExceeded(f"the template made more than {self.limits.max_calls} calls")
        self.check_clock()

    def charge(self, chars: int) -> None:
        self.chars += chars
        if self.chars > self.limits.max_total_chars:
            raise LimitExceeded(
                f"the template produced more than {self.limits.max_total_chars} characters"
            )
        self.check_clock()


_CURRENT: ContextVar[Budget | None] = ContextVar("tablekit_template_budget", default=None)


@contextmanager
def budget(limits: Limits) -> Iterator[Budget]:
    """Make a fresh :class:`Budget` current for the duration of one render."""
    current = Budget(limits)
    token = _CURRENT.set(current)
    try:
        yield current
    finally:
        _CURRENT.reset(token)


def current_budget() -> Budget | None:
    return _CURRENT.get()


def required_budget() -> Budget:
    """The active budget; templates rendered outside ``render_template`` have none."""
    active = _CURRENT.get()
    if active is None:
        raise SecurityError("document templates must be rendered through render_template()")
    return active


def estimate_text_size(value: Any, limit: int) -> int:
    """Roughly how many characters ``str(value)`` would have; stops counting past ``limit``.

    Walks containers iteratively without building the string, because ``[big] * 100000``
    holds 100,000 references to one string but would print as 100,000 copies.
    """
    total = 0
    stack: list[Any] = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item) + 2
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            stack.extend(item)
        else:
            total += len(str(item))
    return total


def check_result(limits: Limits, value: Any) -> Any:
    """Refuse an oversized value, charge the current budget for it, and return it."""
    size = 0
    if isinstance(value, str | bytes | bytearray):
        size = len(value)
        if size > limits.max_string_chars:
            raise LimitExceeded(f"a string of {size} characters is too long")
    elif isinstance(value, list | tuple | dict | set | frozenset):
        size = len(value)
        if size > limits.max_items:
            raise LimitExceeded(f"a collection of {size} items is too large")
    elif isinstance(value, int) and value.bit_length() > limits.max_int_bits:
        raise LimitExceeded("a number is too large")
    active = _CURRENT.get()
    if active is not None:
        active.charge(size)
    return value


def _sequence_limit(limits: Limits, value: Any) -> int | None:
    if isinstance(value, str | bytes | bytearray):
        return limits.max_string_chars
    if isinstance(value, list | tuple):
        return limits.max_items
    return None


def check_binop(limits: Limits, operator: str, left: Any, right: Any) -> None:
    """Refuse ``*``, ``**``, ``%`` and ``+`` whose result would break a cap, before computing."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            cap = _sequence_limit(limits, seq)
            if cap is not None and isinstance(times, int) and len(seq) * max(times, 0) > cap:
                raise LimitExceeded(f"repeating a value {times} times is too large")
        both_ints = isinstance(left, int) and isinstance(right, int)
        if both_ints and left.bit_length() + right.bit_length() > limits.max_int_bits:
            raise LimitExceeded("a number is too large")
    elif operator == "**":
        both_ints = isinstance(left, int) and isinstance(right, int)
        if both_ints and abs(left) > 1 and left.bit_length() * max(right, 0) > limits.max_int_bits:
            raise LimitExceeded(f"{left} ** {right} is too large")
    elif operator == "%":
        if isinstance(left, str):
            check_percent_format(limits, left, right)
    elif operator == "+":
        cap = _sequence_limit(limits, left)
        joinable = cap is not None and isinstance(right, str | bytes | bytearray | list | tuple)
        if joinable and len(left) + len(right) > (cap or 0):
            raise LimitExceeded("joining these values gives a result that is too large")


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")


def check_percent_format(limits: Limits, template: str, values: Any) -> None:
    """Bound the result of ``template % values`` from the widths and the longest value."""
    specs = list(_PERCENT_SPEC.finditer(template))
    widths = 0
    for spec in specs:
        if "*" in (spec[1], spec[2]):
            raise LimitExceeded("'*' widths are not allowed in % formatting")
        widths += int(spec[1] or 0) + int(spec[2] or 0)
    if isinstance(values, Mapping):
        items: list[Any] = list(values.values())
    elif isinstance(values, tuple):
        items = list(values)
    else:
        items = [values]
    cap = limits.max_string_chars
    longest = max((estimate_text_size(item, cap) for item in items), default=0)
    if len(template) + widths + len(specs) * longest > cap:
        raise LimitExceeded("the result of % formatting would be too long")
