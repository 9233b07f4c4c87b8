"""Render user-written Jinja2 templates (documents, e-mail subjects and bodies, webhook bodies).

Templates come from base editors and are filled with row data, so:

- they run in Jinja2's ``ImmutableSandboxedEnvironment`` (no ``_`` attributes, no
  mutation of lists and dicts) with ``StrictUndefined``, so a typo or a probe such as
  ``config`` fails loudly instead of rendering nothing;
- row data is only ever *context*: ``{{ 7*7 }}`` inside a cell prints as written;
- every loop iteration, call, concatenation, ``*``/``%``/``**``/``+`` and piece of output
  is charged to a per-render budget (:mod:`.limits`), so bombs fail within about a second;
  the parsed template is instrumented for this before code generation;
- ``include``/``import``/``extends``, recursive loops, ``str.format`` and most ``str``
  methods are unavailable; filters are a curated list (:mod:`.filters`).

Errors: ``ValidationFailed(code="TEMPLATE_INVALID")`` when the template does not compile
(``details["line"]``), ``ValidationFailed(code="TEMPLATE_ERROR")`` when rendering fails or
hits a sandbox rule or limit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import closing
from typing import Any, cast

from jinja2 import StrictUndefined, Template, nodes, pass_context, pass_eval_context
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.runtime import Context, Undefined, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from tablekit.documents.filters import build_filters
from tablekit.documents.limits import (
    DEFAULT_LIMITS,
    Budget,
    LimitExceeded,
    Limits,
    budget,
    check_binop,
    check_result,
    estimate_text_size,
    required_budget,
)
from tablekit.errors import ValidationFailed

# Methods of text and numbers a template may call: none can make a result longer than its
# input (``center``, ``zfill``, ``replace``, ``join``, ``int.to_bytes`` could).
SAFE_STR_METHODS = frozenset(
    {"capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
     "isascii", "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle",
     "isupper", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "rfind",
     "rindex", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith",
     "strip", "striptags", "swapcase", "title", "unescape", "upper"}
)  # fmt: skip
_SAFE_METHODS: tuple[tuple[type | tuple[type, ...], frozenset[str]], ...] = (
    ((str, bytes, bytearray), SAFE_STR_METHODS),
    ((int, float), frozenset({"bit_length", "is_integer", "as_integer_ratio"})),
)

# Internal filter names contain "@", which the template grammar cannot spell, so templates
# cannot call them directly.
_LOOP, _CONCAT, _CHARGE = "@loop", "@concat", "@charge"


class _CountedIterable:
    """Charges one budget step per loop iteration; keeps ``len`` for ``loop.length``."""

    def __init__(self, iterable: Iterable[Any], steps: Budget) -> None:
        self._iterable = iterable
        self._budget = steps

    def __iter__(self) -> Iterator[Any]:
        for item in self._iterable:
            self._budget.loop_step()
            yield item

    def __len__(self) -> int:
        return len(self._iterable)  # type: ignore[arg-type]  # TypeError is what Jinja expects


class _Instrument(NodeTransformer):
    """Rewrites the parsed template so loops, ``~`` and literal output pay into the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        if node.recursive:
            raise TemplateSyntaxError("recursive loops are not supported", node.lineno)
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _LOOP, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(parts, _CONCAT, [], [], None, None, lineno=node.lineno)

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        literal = sum(len(n.data) for n in node.nodes if isinstance(n, nodes.TemplateData))
        if literal:
            size = nodes.Const(literal, lineno=node.lineno)
            charge = nodes.Filter(nodes.Const(""), _CHARGE, [size], [], None, None)
            charge.lineno = node.lineno
            node.nodes.insert(0, charge)
        return node

    def _refuse(self, node: nodes.Node) -> nodes.Node:
        raise TemplateSyntaxError(
            "include, import and extends are not available in these templates", node.lineno
        )

    visit_Include = visit_Import = visit_FromImport = visit_Extends = _refuse


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with TableKit's limits. Build it with :func:`create_environment`."""

    intercepted_binops = frozenset({"*", "%", "**", "+"})

    def __init__(self, *, html: bool, limits: Limits) -> None:
        self.limits = limits
        super().__init__(
            autoescape=html,
            undefined=StrictUndefined,
            finalize=self._finalize,
            extensions=["jinja2.ext.loopcontrols"],
        )
        self.globals.pop("lipsum", None)
        self.globals["range"] = self._range
        self.filters = {**build_filters(limits), **self._internal_filters()}
        self.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": str}

    def _internal_filters(self) -> dict[str, Callable[..., Any]]:
        limits = self.limits

        @pass_context
        def loop(context: Context, iterable: Iterable[Any]) -> _CountedIterable:
            return _CountedIterable(iterable, required_budget())

        @pass_eval_context
        def concat(eval_ctx: nodes.EvalContext, parts: list[Any]) -> str:
            size = sum(estimate_text_size(part, limits.max_string_chars) for part in parts)
            if size > limits.max_string_chars:
                raise LimitExceeded("joining these values with ~ gives a result that is too long")
            joined: str = markup_join(parts) if eval_ctx.autoescape else str_join(parts)
            return check_result(limits, joined)  # type: ignore[no-any-return]

        @pass_context
        def charge(context: Context, value: str, size: int) -> str:
            required_budget().charge(size)
            return value

        return {_LOOP: loop, _CONCAT: concat, _CHARGE: charge}

    def _finalize(self, value: Any) -> Any:
        """Applied to every ``{{ }}`` value: None prints as "", big values are refused."""
        if value is None:
            return ""
        if isinstance(value, Undefined):
            return value
        size = estimate_text_size(value, self.limits.max_string_chars)
        if size > self.limits.max_string_chars:
            raise LimitExceeded("a value is too long to print")
        required_budget().charge(size)
        return value

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        try:
            count = len(numbers)
        except OverflowError:
            count = self.limits.max_range + 1
        if count > self.limits.max_range:
            raise LimitExceeded(f"range() is limited to {self.limits.max_range} numbers")
        return numbers

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_binop(self.limits, operator, left, right)
        return check_result(self.limits, super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        required_budget().call()
        owner, name = getattr(__obj, "__self__", None), getattr(__obj, "__name__", "")
        for types, allowed in _SAFE_METHODS:
            if isinstance(owner, types) and name not in allowed:
                kind = type(owner).__name__
                raise SecurityError(f"{kind}.{name}() is not available in templates; use a filter")
        return check_result(__self.limits, super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:
            return None

        def refused(*args: Any, **kwargs: Any) -> str:
            raise SecurityError("str.format() is not available in templates; use |format")

        return refused

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        tree = _Instrument().visit(source)
        tree.set_environment(self)
        return super()._generate(tree, name, filename, defer_init)


@functools.lru_cache(maxsize=8)
def create_environment(*, html: bool, limits: Limits = DEFAULT_LIMITS) -> DocumentEnvironment:
    """The shared sandbox: ``html=True`` autoescapes, ``html=False`` is for plain text.

    Shared and cached: do not add globals or filters to it. Render only through
    :func:`render_template`, which sets up the budget the sandbox requires.
    """
    return DocumentEnvironment(html=html, limits=limits)


def _line_of(exc: BaseException) -> int | None:
    line = getattr(exc, "lineno", None)
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line if isinstance(line, int) else None


@functools.lru_cache(maxsize=512)
def _compile(source: str, html: bool, limits: Limits) -> Template:
    if not isinstance(source, str):
        raise ValidationFailed("a template must be text", code="TEMPLATE_INVALID")
    if len(source) > limits.max_source_chars:
        raise ValidationFailed(
            f"the template is longer than {limits.max_source_chars} characters",
            code="TEMPLATE_INVALID",
        )
    try:
        return create_environment(html=html, limits=limits).from_string(source)
    except TemplateSyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        raise ValidationFailed(
            f"template syntax error{where}: {exc.message}",
            code="TEMPLATE_INVALID",
            details={"line": exc.lineno, "error": exc.message},
        ) from None
    except (RecursionError, MemoryError, SyntaxError) as exc:
        raise ValidationFailed(
            f"the template is too deeply nested to compile ({type(exc).__name__})",
            code="TEMPLATE_INVALID",
        ) from None


def validate_template(source: str, *, html: bool, limits: Limits = DEFAULT_LIMITS) -> None:
    """Compile only, to refuse a broken template when it is saved (TEMPLATE_INVALID)."""
    _compile(source, html, limits)


def render_template(
    source: str, context: Mapping[str, Any], *, html: bool, limits: Limits = DEFAULT_LIMITS
) -> str:
    """Render ``source`` with ``context`` inside the sandbox and the per-render budget.

    ``html=True`` escapes every value (documents, HTML mail); ``html=False`` does not
    (subjects, text bodies, JSON webhook bodies). Raises ValidationFailed with code
    TEMPLATE_INVALID or TEMPLATE_ERROR; ``details["line"]`` points into the template.
    """
    template = _compile(source, html, limits)
    chunks: list[str] = []
    size = 0
    with budget(limits) as steps:
        try:
            stream = cast(Generator[str, None, None], template.generate(dict(context)))
            with closing(stream):
                for chunk in stream:
                    size += len(chunk)
                    if size > limits.max_output_chars:
                        raise LimitExceeded(
                            f"the output is longer than {limits.max_output_chars} characters"
                        )
                    chunks.append(chunk)
                    steps.check_clock()
        except LimitExceeded as exc:
            raise _render_error(f"template stopped: {exc}", exc) from None
        except SecurityError as exc:
            raise _render_error(f"not allowed in templates: {exc}", exc) from None
        except TemplateError as exc:
            raise _render_error(f"template error: {exc.message}", exc) from None
        except RecursionError as exc:
            raise _render_error("template error: recursion too deep", exc) from None
        except Exception as exc:
            raise _render_error(f"template error: {type(exc).__name__}: {exc}", exc) from None
    return "".join(chunks)


def _render_error(message: str, exc: BaseException) -> ValidationFailed:
    line = _line_of(exc)
    where = f" (line {line})" if line else ""
    return ValidationFailed(
        f"{message[:500]}{where}", code="TEMPLATE_ERROR", details={"line": line}
    )
