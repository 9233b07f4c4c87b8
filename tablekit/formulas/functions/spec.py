"""What the parser and the evaluator need to know about a function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: ``returns`` of a spec: a fixed result kind, or a rule from the argument kinds to it.
ResultRule = str | Callable[[Sequence[str]], str]


class Lazy:
    """An argument not evaluated yet; ``force`` evaluates it.

    Lazy functions (IF, IFS, SWITCH, AND, OR, IFERROR) receive these so that an untaken
    branch is never evaluated: its division by zero or its size bomb never happens.
    """

    __slots__ = ("_thunk",)

    def __init__(self, thunk: Callable[[], object]) -> None:
        self._thunk = thunk

    def __call__(self) -> object:
        return self._thunk()


def force(value: object) -> object:
    """The value of a possibly lazy argument (plain values pass through for doctests)."""
    return value() if isinstance(value, Lazy) else value


@dataclass(frozen=True)
class FunctionSpec:
    """A formula function: its implementation, its arity and its result kind.

    ``max_args`` None means any number. ``pairs`` asks for an even count (IFS).
    ``returns`` feeds ``infer_type``: a kind (``number``, ``text``...) or a rule.
    """

    name: str
    impl: Callable[..., object]
    min_args: int
    max_args: int | None
    returns: ResultRule
    lazy: bool = False
    pairs: bool = False

    def __call__(self, *args: object) -> object:
        return self.impl(*args)

    def arity_error(self, count: int) -> str | None:
        """The parse-time message when ``count`` arguments do not fit, else None."""
        low, high = self.min_args, self.max_args
        fits = low <= count and (high is None or count <= high)
        if self.pairs and count % 2:
            fits = False
        if fits:
            return None
        if self.pairs:
            expected = "condition/value pairs (an even number of arguments, at least 2)"
        elif high == 0:
            expected = "no arguments"
        elif high is None:
            expected = f"at least {low} argument{'s' if low != 1 else ''}"
        elif low == high:
            expected = f"{low} argument{'s' if low != 1 else ''}"
        elif high == low + 1:
            expected = f"{low} or {high} arguments"
        else:
            expected = f"{low} to {high} arguments"
        return f"{self.name} expects {expected} (got {count})"
