"""The ``form`` part of a form view's configuration: which fields a form shows, and for
link fields whether visitors pick existing rows or add new ones in a line-item sub-form.

Checked when the view is saved, so a public form never meets a reference it cannot resolve
except a field deleted later (the form then leaves it out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tablekit.errors import ValidationFailed
from tablekit.fields.base import FieldDef, FieldType
from tablekit.registry import Registry
from tablekit.storage.schema import TableSchema

# Public visitors cannot browse users or upload files; buttons start rules, they hold nothing.
NOT_ON_FORMS = frozenset({"collaborator", "attachment", "button"})
MAX_SUBFORM_ROWS = 200
DEFAULT_MAX_ROWS = 50
TEXT_KEYS = ("title", "description", "submit_label", "success_message")

FieldIdOf = Callable[[TableSchema, Any, str], int]
FilterCheck = Callable[[TableSchema, Any], Any]


def invalid(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code="INVALID_VIEW_CONFIG", details=details)


class FormChecker:
    """Validates ``config.form`` of one table; linked tables' schemas come from ``load``."""

    def __init__(
        self,
        registry: Registry[FieldType],
        load: Callable[[int], TableSchema],
        field_id: FieldIdOf,
        check_filter: FilterCheck,
    ) -> None:
        self.registry = registry
        self.load = load
        self.field_id = field_id
        self.check_filter = check_filter

    def check(self, schema: TableSchema, form: Any) -> dict[str, Any]:
        if not isinstance(form, dict):
            raise invalid("form must be an object")
        out = dict(form)
        out["fields"] = self._items(schema, form.get("fields", []), "form.fields", None)
        for key in TEXT_KEYS:
            if key in form and not isinstance(form[key], str | None):
                raise invalid(f"form.{key} must be text")
        return out

    def _items(
        self, schema: TableSchema, items: Any, where: str, parent_link: FieldDef | None
    ) -> list[dict[str, Any]]:
        if not isinstance(items, list):
            raise invalid(f"{where} is a list of {{field_id, required?, help?}}")
        out: list[dict[str, Any]] = []
        seen: set[int] = set()
        for i, item in enumerate(items):
            at = f"{where}[{i}]"
            if not isinstance(item, dict):
                raise invalid(f"{at} must be an object")
            fdef = schema.by_id(self.field_id(schema, item.get("field_id"), at))
            assert fdef is not None
            if fdef.id in seen:
                raise invalid(f"{at}: {fdef.name!r} is on the form twice")
            seen.add(fdef.id)
            if self.registry.get(fdef.type).read_only:
                raise invalid(f"{at}: {fdef.name!r} is read-only and cannot be on a form")
            if fdef.type in NOT_ON_FORMS:
                raise invalid(f"{at}: {fdef.type} fields cannot be on a form")
            if parent_link is not None and fdef.id == parent_link.options.get("reverse_field_id"):
                raise invalid(f"{at}: {fdef.name!r} is filled in by the form itself")
            out.append(self._item(fdef, item, at, nested=parent_link is not None))
        return out

    def _item(self, fdef: FieldDef, item: dict[str, Any], at: str, nested: bool) -> dict[str, Any]:
        checked: dict[str, Any] = {**item, "field_id": fdef.id}
        for key in ("required",):
            if key in item and not isinstance(item[key], bool):
                raise invalid(f"{at}.{key} must be true or false")
        if "help" in item and not isinstance(item["help"], str | None):
            raise invalid(f"{at}.help must be text")
        if fdef.type != "link":
            for key in ("filter", "subform"):
                if key in item:
                    raise invalid(f"{at}.{key} is only for link fields")
            return checked
        linked = self.load(int(fdef.options["table_id"]))
        if item.get("filter") not in (None, {}):
            checked["filter"] = self.check_filter(linked, item["filter"])
        if item.get("subform") is not None:
            if nested:
                raise invalid(f"{at}.subform: a sub-form cannot contain another sub-form")
            checked["subform"] = self._subform(fdef, linked, item["subform"], f"{at}.subform")
        return checked

    def _subform(
        self, link: FieldDef, linked: TableSchema, subform: Any, at: str
    ) -> dict[str, Any]:
        if not isinstance(subform, dict):
            raise invalid(f"{at} must be an object with fields")
        if "filter" in subform:
            raise invalid(f"{at}: new lines are not chosen from existing rows; drop filter")
        bounds: dict[str, int] = {}
        for key, default in (("min_rows", 0), ("max_rows", DEFAULT_MAX_ROWS)):
            value = subform.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int):
                raise invalid(f"{at}.{key} must be a whole number")
            bounds[key] = value
        if not 0 <= bounds["min_rows"] <= bounds["max_rows"] <= MAX_SUBFORM_ROWS:
            raise invalid(f"{at}: need 0 <= min_rows <= max_rows <= {MAX_SUBFORM_ROWS}")
        fields = self._items(linked, subform.get("fields", []), f"{at}.fields", link)
        if not fields:
            raise invalid(f"{at}.fields: a sub-form needs at least one field")
        return {**subform, **bounds, "fields": fields}
