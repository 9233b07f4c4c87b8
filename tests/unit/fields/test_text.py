"""Text-like fields: text, long text, e-mail, URL and phone."""

import pytest

from tablekit.fields.base import CellError
from tablekit.fields.text import EmailField, LongTextField, PhoneField, TextField, UrlField
from tests.factories import cell_context, field_def

CTX = cell_context()


def to_db(ftype, value, type_key=None):
    return ftype.to_db(value, field_def(type_key or ftype.type), CTX)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("Hello", "Hello"),
        ("  padded  ", "padded"),
        ("two\r\nlines", "two  lines"),
        ("ünïcödé ✓", "ünïcödé ✓"),
        (42, "42"),
        (1.5, "1.5"),
        (None, None),
        ("", None),
        ("   \t ", None),
        ("\r\n", None),
    ],
)
def test_text_accepts_and_normalizes(value, stored):
    assert to_db(TextField(), value) == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "expected text"),
        (["a"], "expected text"),
        ({"a": 1}, "expected text"),
        ("x" * 10_001, "longer than 10000"),
        ("nul\x00byte", "NUL"),
    ],
)
def test_text_refuses_with_a_reason(value, message):
    with pytest.raises(CellError, match=message):
        to_db(TextField(), value)


def test_text_at_the_length_limit_is_kept():
    assert to_db(TextField(), "x" * 10_000) == "x" * 10_000


def test_long_text_keeps_line_breaks_and_inner_whitespace():
    text = "  first line\n\tsecond line \n"
    assert to_db(LongTextField(), text) == text
    assert to_db(LongTextField(), "y" * 100_000) == "y" * 100_000
    with pytest.raises(CellError, match="longer than 100000"):
        to_db(LongTextField(), "y" * 100_001)


def test_text_round_trips_through_plain_text():
    fdef = field_def("text")
    assert TextField().to_text("Hello", fdef) == "Hello"
    assert TextField().from_text("Hello", fdef, CTX) == "Hello"
    assert TextField().from_text("", fdef, CTX) is None
    assert TextField().to_text(None, fdef) == ""


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Lee+shop@example.co.uk ", "Ann.Lee+shop@example.co.uk"),
        ("ann@example.com\n", "ann@example.com"),
        ("", None),
    ],
)
def test_email_accepts_addresses(value, stored):
    assert to_db(EmailField(), value) == stored


@pytest.mark.parametrize(
    "value",
    [
        "ann",
        "ann@example",
        "@example.com",
        "ann@@example.com",
        "ann lee@example.com",
        "<ann@example.com>",
        "ann@example.com, bob@example.com",
        "ann@example.com\r\nBcc: eve@example.com",
        "ann@example.com\nBcc: eve@example.com",
        "ann@example.com\u2028Bcc: eve@example.com",
    ],
)
def test_email_refuses_what_is_not_one_address(value):
    with pytest.raises(CellError, match="is not an e-mail address"):
        to_db(EmailField(), value)


@pytest.mark.parametrize(
    "value",
    [
        "https://example.com/path?q=1#top",
        "http://example.com",
        "HTTPS://EXAMPLE.COM",
        "mailto:ann@example.com",
    ],
)
def test_url_accepts_http_https_and_mailto(value):
    assert to_db(UrlField(), f"  {value} ") == value


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.com/file",
        "example.com",
        "//evil.example/path",
    ],
)
def test_url_refuses_other_schemes(value):
    with pytest.raises(CellError, match="only http, https and mailto"):
        to_db(UrlField(), value)


@pytest.mark.parametrize("value", ["https://", "http:example.com", "https:///path"])
def test_url_needs_a_host(value):
    with pytest.raises(CellError, match="has no host"):
        to_db(UrlField(), value)


@pytest.mark.parametrize("value", ["+49 30 1234567", "(555) 010-9999", "030/123.45.67", "112"])
def test_phone_accepts_numbers(value):
    assert to_db(PhoneField(), value) == value


@pytest.mark.parametrize("value", ["call me", "12", "---", "+() ", "1" * 41, "+49 30 12 ext. 5"])
def test_phone_refuses_what_is_not_a_number(value):
    with pytest.raises(CellError, match="is not a phone number"):
        to_db(PhoneField(), value)


def test_only_text_and_email_of_this_family_can_be_unique():
    assert TextField.can_be_unique and EmailField.can_be_unique
    assert not (LongTextField.can_be_unique or UrlField.can_be_unique)
