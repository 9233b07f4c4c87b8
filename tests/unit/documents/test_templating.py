"""Rendering templates in the sandbox: context, escaping, errors with lines, and limits."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from jinja2.exceptions import SecurityError

from tablekit.documents.limits import Limits
from tablekit.documents.templating import (
    _compile,
    create_environment,
    render_template,
    validate_template,
)
from tablekit.errors import ValidationFailed

ORDER: dict[str, Any] = {
    "row": {
        "No.": "SO-1042",
        "Customer": "Müller & Söhne <GmbH>",
        "Total": Decimal("1234.5"),
        "Notes": None,
        "Lines": [
            {"Product": "Widget", "Qty": 2, "Price": Decimal("10.00")},
            {"Product": "Gadget", "Qty": 1, "Price": Decimal("99.90")},
        ],
    },
    "base": {"company": "ACME"},
}


def render_error(source: str, context: dict[str, Any] | None = None, **kw: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        render_template(source, context or {}, html=kw.pop("html", True), **kw)
    return caught.value


def test_row_fields_render_by_name_and_html_is_escaped() -> None:
    out = render_template('{{ row["No."] }} for {{ row.Customer }}', ORDER, html=True)

    assert out == "SO-1042 for Müller &amp; Söhne &lt;GmbH&gt;"


def test_plain_text_mode_does_not_escape() -> None:
    out = render_template("Order {{ row['No.'] }} - {{ row.Customer }}", ORDER, html=False)

    assert out == "Order SO-1042 - Müller & Söhne <GmbH>"


@pytest.mark.parametrize("html", [True, False])
def test_template_syntax_inside_row_data_renders_literally(html: bool) -> None:
    context = {"row": {"Notes": "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}"}}

    out = render_template("{{ row.Notes }}", context, html=html)

    assert out == "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}"


def test_none_renders_as_empty_text() -> None:
    assert render_template("[{{ row.Notes }}]", ORDER, html=True) == "[]"


def test_loops_with_loop_variables_and_loop_controls() -> None:
    source = (
        "{% for line in row.Lines %}{{ loop.index }}/{{ loop.length }} {{ line.Product }}"
        "{% if loop.last %}.{% else %}, {% endif %}{% endfor %}"
        "{% for i in range(10) %}{% if i == 2 %}{% break %}{% endif %}{{ i }}{% endfor %}"
    )

    assert render_template(source, ORDER, html=True) == "1/2 Widget, 2/2 Gadget.01"


def test_helpers_and_builtin_filters_are_available() -> None:
    source = (
        "{{ row.Total|money }} | {{ row.Total|money('EUR', 'de') }} | "
        "{{ row.Lines|sum(attribute='Qty') }} | {{ row.Lines|map(attribute='Product')|join(', ') }}"
        " | {{ '%.1f'|format(2.25) }} | {{ 'a-b'.split('-')|length }} | {{ row.Lines|length }}"
    )

    out = render_template(source, ORDER, html=False)

    assert out == "€1,234.50 | 1.234,50 € | 3 | Widget, Gadget | 2.2 | 2 | 2"


def test_tojson_handles_decimals() -> None:
    out = render_template("{{ row.Lines[0]|tojson }}", ORDER, html=False)

    assert out == '{"Price": "10.00", "Product": "Widget", "Qty": 2}'


def test_macros_and_namespaces_work() -> None:
    source = (
        "{% macro line(l) %}{{ l.Qty }}x{{ l.Product }}{% endmacro %}"
        "{% set ns = namespace(total=0) %}{% for l in row.Lines %}{{ line(l) }} "
        "{% set ns.total = ns.total + l.Qty * l.Price %}{% endfor %}= {{ ns.total }}"
    )

    assert render_template(source, ORDER, html=True) == "2xWidget 1xGadget = 119.90"


def test_syntax_error_is_template_invalid_with_line() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_template("Hello\n{{ row.Name \n", html=True)

    assert caught.value.code == "TEMPLATE_INVALID"
    assert caught.value.details["line"] == 2
    assert "line 2" in caught.value.message


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{{ x|attr('y') }}", "No filter named 'attr'"),
        ("{{ x|pprint }}", "No filter named 'pprint'"),
        ("{% include 'other.html' %}", "include, import and extends"),
        ("{% extends 'base.html' %}", "include, import and extends"),
        ("{% import 'm.html' as m %}", "include, import and extends"),
        ("{% from 'm.html' import x %}", "include, import and extends"),
        ("{% for x in tree recursive %}{{ loop(x) }}{% endfor %}", "recursive loops"),
    ],
)
def test_unavailable_features_are_refused_when_saved(source: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_template(source, html=True)

    assert caught.value.code == "TEMPLATE_INVALID"
    assert fragment in caught.value.message


def test_overlong_template_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_template("x" * 300, html=True, limits=Limits(max_source_chars=200))

    assert caught.value.code == "TEMPLATE_INVALID"


def test_runtime_error_is_template_error_with_line() -> None:
    error = render_error("one\ntwo\n{{ 1 // row.zero }}", {"row": {"zero": 0}})

    assert error.code == "TEMPLATE_ERROR"
    assert error.details["line"] == 3
    assert "ZeroDivisionError" in error.message


def test_undefined_names_and_fields_fail_loudly() -> None:
    assert "'row' is undefined" in render_error("{{ row.Name }}").message
    assert "no attribute 'Nmae'" in render_error("{{ row.Nmae }}", {"row": {}}).message
    assert render_template("{{ row.Nmae|default('-') }}", {"row": {}}, html=True) == "-"


@pytest.mark.parametrize(
    ("call", "expected"),
    [("upper()", "A B"), ("strip()", "a b"), ("startswith('a')", "True"), ("title()", "A B")],
)
def test_harmless_str_methods_are_callable(call: str, expected: str) -> None:
    assert render_template(f"{{{{ 'a b'.{call} }}}}", {}, html=True) == expected


@pytest.mark.parametrize("method", ["replace('a', 'b')", "center(9)", "zfill(9)", "join('ab')"])
def test_growing_str_methods_are_refused(method: str) -> None:
    error = render_error(f"{{{{ 'a'.{method} }}}}")

    assert error.code == "TEMPLATE_ERROR"
    assert "not available" in error.message


def test_int_to_bytes_is_refused() -> None:
    error = render_error("{{ (1).to_bytes(999999999, 'big') }}")

    assert "int.to_bytes() is not available" in error.message


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{% for i in range(10001) %}{% endfor %}", "range() is limited"),
        ("{% for i in range(400) %}{% for j in range(400) %}{% endfor %}{% endfor %}", "loop"),
        ("{{ 'ab' * 600000 }}", "too large"),
        ("{{ (2 ** 5000) }}", "too large"),
        ("{{ ('x' * 600000) + ('y' * 600000) }}", "too large"),
        ("{{ ('x' * 600000) ~ ('y' * 600000) }}", "too long"),
        ("{{ '%-2000000s' % 'x' }}", "too long"),
        ("{{ 'x'|indent(2000000) }}", "too large"),
        ("{{ ('a\n' * 400000)|indent(4) }}", "|indent"),
        ("{{ ('x' * 10000)|replace('x', 'y' * 200) }}", "|replace"),
        ("{{ ('x' * 600000)|wordwrap(1, wrapstring='--') }}", "|wordwrap"),
        ("{{ (['x' * 100000] * 20)|join }}", "|join"),
    ],
)
def test_size_limits_stop_bombs_with_a_clear_message(source: str, fragment: str) -> None:
    error = render_error(source, limits=Limits(max_loop_iterations=50_000))

    assert error.code == "TEMPLATE_ERROR"
    assert fragment in error.message


def test_total_output_is_capped() -> None:
    error = render_error(
        "{% for i in range(100) %}{{ 'x' * 1000 }}{% endfor %}",
        limits=Limits(max_output_chars=50_000),
    )

    assert "output is longer than 50000" in error.message


def test_literal_text_repeated_by_loops_is_charged() -> None:
    source = "{% set x %}{% for i in range(1000) %}" + "y" * 1000 + "{% endfor %}{% endset %}"

    error = render_error(source, limits=Limits(max_total_chars=500_000))

    assert "produced more than 500000 characters" in error.message


def test_deadline_stops_a_slow_template() -> None:
    source = (
        "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{{ f(30) }}"
    )
    started = time.monotonic()

    error = render_error(source, limits=Limits(timeout=0.2, max_calls=10**9))

    assert "longer than 0.2 s" in error.message
    assert time.monotonic() - started < 1.0


def test_the_sandbox_refuses_to_render_outside_render_template() -> None:
    template = create_environment(html=True).from_string("{% for i in range(2) %}{% endfor %}")

    with pytest.raises(SecurityError, match="render_template"):
        template.render()


def test_compiled_templates_are_cached() -> None:
    source = "cached {{ 41 + 1 }}"
    render_template(source, {}, html=False)
    hits = _compile.cache_info().hits

    assert render_template(source, {}, html=False) == "cached 42"
    assert _compile.cache_info().hits == hits + 1
