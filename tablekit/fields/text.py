"""Text-like fields: text, long text, e-mail, URL, phone."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from sqlalchemy.sql.elements import ColumnElement

from tablekit.fields import conditions
from tablekit.fields.base import TEXT_OPS, CellError, Context, FieldDef, FieldType

MAX_TEXT = 100_000
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
PHONE_RE = re.compile(r"^[0-9+()./\-\s]{3,40}$")
PHONE_MIN_DIGITS = 3
URL_SCHEMES = frozenset({"http", "https", "mailto"})


class TextField(FieldType):
    type = "text"
    label = "Single line text"
    can_be_unique = True
    operators = TEXT_OPS
    max_length: ClassVar[int] = 10_000
    multiline: ClassVar[bool] = False

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise CellError("expected text")
        text = str(value)
        if "\x00" in text:
            # PostgreSQL cannot store NUL in text; refuse it on both databases alike.
            raise CellError("text cannot contain NUL characters")
        if not self.multiline:
            text = text.replace("\r", " ").replace("\n", " ")
        if len(text) > self.max_length:
            raise CellError(f"text longer than {self.max_length} characters")
        if not text.strip():
            # Blank is empty, not a value: it must not collide in unique fields.
            return None
        return self.check(text.strip() if not self.multiline else text)

    def check(self, text: str) -> str:
        return text

    def search(
        self, column: ColumnElement[Any], text: str, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool] | None:
        return conditions.contains(column, text)


class LongTextField(TextField):
    type = "long_text"
    label = "Long text"
    can_be_unique = False
    max_length = MAX_TEXT
    multiline = True


class EmailField(TextField):
    type = "email"
    label = "E-mail"

    def check(self, text: str) -> str:
        if text and not EMAIL_RE.match(text):
            raise CellError(f"{text!r} is not an e-mail address")
        return text


class UrlField(TextField):
    type = "url"
    label = "URL"
    can_be_unique = False

    def check(self, text: str) -> str:
        if not text:
            return text
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in URL_SCHEMES:
            raise CellError("only http, https and mailto links are allowed")
        if scheme != "mailto" and not parts.netloc:
            raise CellError(f"{text!r} has no host; write it like https://example.com/page")
        return text


class PhoneField(TextField):
    type = "phone"
    label = "Phone number"
    can_be_unique = False

    def check(self, text: str) -> str:
        digits = sum(c.isdigit() for c in text)
        if text and (not PHONE_RE.match(text) or digits < PHONE_MIN_DIGITS):
            raise CellError(f"{text!r} is not a phone number")
        return text
