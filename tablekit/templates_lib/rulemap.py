"""Rules between their stored form (ids) and their bundle form (names).

The rule service stores every reference by id (``f_12``, table 7, ``{f_12}`` in formulas)
so renames never break a rule; a bundle must not carry ids, which mean nothing in another
base. Export writes names back (``to_bundle``); install hands names to the rule service,
which resolves fields and tables itself, and only replaces what it takes by id alone:
``document_id`` and ``view_id`` given by name, and the ``$installer`` recipient
(``for_install``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tablekit.formulas.model import tokens_of
from tablekit.formulas.tokens import Kind, escape_reference
from tablekit.templates_lib.checks_rules import INSTALLER

FIELD_ID = re.compile(r"f_(\d+)")
STEP_VAR = re.compile(r"steps__(\d+)__(\w+)")
FIELD_REF_KEYS = frozenset({"field", "to_field", "to_link_field", "via_link", "from", "to"})
FIELD_LIST_KEYS = frozenset({"attach_fields", "fields"})
EMAIL_LIST_KEYS = frozenset({"to", "cc"})


@dataclass
class Names:
    """What an exported rule's ids stand for in its base."""

    fields: Mapping[int, str]
    tables: Mapping[int, str]
    documents: Mapping[int, str]
    views: Mapping[int, str]
    installer_email: str = ""


def render_formula(source: str, names: Names) -> str:
    """A stored rule formula with names: ``{f_12}`` → ``{Status}``, ``{row__id}`` →
    ``{row.id}``, ``{steps__0__row_id}`` → ``{steps.0.row_id}``."""
    out: list[str] = []
    last = 0
    for token in tokens_of(source):
        if token.kind is not Kind.REF:
            continue
        ref = str(token.value)
        if (match := FIELD_ID.fullmatch(ref)) and int(match[1]) in names.fields:
            shown = names.fields[int(match[1])]
        elif ref == "row__id":
            shown = "row.id"
        elif match := STEP_VAR.fullmatch(ref):
            shown = f"steps.{match[1]}.{match[2]}"
        elif ref.startswith("payload__"):
            shown = "payload." + ref.removeprefix("payload__")
        else:
            continue
        out.append(source[last : token.start])
        out.append(escape_reference(shown))
        last = token.end
    out.append(source[last:])
    return "".join(out)


def _field_name(value: Any, names: Names) -> Any:
    if isinstance(value, str) and (match := FIELD_ID.fullmatch(value)):
        return names.fields.get(int(match[1]), value)
    return value


def _value(value: Any, names: Names) -> Any:
    if isinstance(value, str) and value.startswith("="):
        return "=" + render_formula(value[1:], names)
    return value


def _filter(node: Any, names: Names) -> Any:
    if isinstance(node, list):
        return [_filter(item, names) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "field":
            out[key] = _field_name(value, names)
        elif key == "value":
            out[key] = _value(value, names)
        else:
            out[key] = _filter(value, names)
    return out


def _params(params: Mapping[str, Any], names: Names) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if key == "cron" and "preset" in params:
            continue  # derived from the preset when saved
        if key == "table_id" and isinstance(value, int):
            out[key] = names.tables.get(value, value)
        elif key == "document_id" and isinstance(value, int):
            out[key] = names.documents.get(value, value)
        elif key == "view_id" and isinstance(value, int):
            out[key] = names.views.get(value, value)
        elif key in EMAIL_LIST_KEYS and isinstance(value, list):
            out[key] = [
                INSTALLER if names.installer_email and v == names.installer_email else v
                for v in value
            ]
        elif key in FIELD_REF_KEYS:
            out[key] = _field_name(value, names)
        elif key in FIELD_LIST_KEYS and isinstance(value, list):
            out[key] = [_field_name(v, names) for v in value]
        elif key == "fields" and isinstance(value, dict):
            out[key] = {str(_field_name(k, names)): _value(v, names) for k, v in value.items()}
        elif key == "filter":
            out[key] = _filter(value, names)
        elif key == "by":
            out[key] = _value(value, names)
        elif key == "copy_links" and isinstance(value, list):
            out[key] = [_params(item, names) for item in value]
        else:
            out[key] = value
    return out


def to_bundle(rule: Mapping[str, Any], names: Names) -> dict[str, Any]:
    """A stored rule (``RuleService.rule_dict``) as a bundle rule, by name."""
    trigger = rule.get("trigger") or {}
    params = dict(trigger.get("params") or {})
    out: dict[str, Any] = {
        "name": rule["name"],
        "enabled": bool(rule.get("enabled", True)),
        "trigger": {"type": trigger.get("type"), "params": _params(params, names)},
    }
    condition = rule.get("condition") or {}
    if condition:
        shown: dict[str, Any] = {}
        if condition.get("filter"):
            shown["filter"] = _filter(condition["filter"], names)
        if condition.get("formula"):
            shown["formula"] = render_formula(str(condition["formula"]), names)
        out["condition"] = shown
    out["actions"] = [
        {"type": action["type"], "params": _params(action.get("params") or {}, names)}
        for action in rule.get("actions") or []
    ]
    return out


def for_install(
    rule: Mapping[str, Any],
    *,
    documents: Mapping[str, int],
    views: Mapping[str, int],
    installer_email: str,
) -> dict[str, Any]:
    """A bundle rule as a rule-service body: documents and form views by id, the installer's
    e-mail for ``$installer``. Everything else stays by name for the service to resolve."""

    def fix(params: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(params)
        if isinstance(out.get("document_id"), str) and out["document_id"] in documents:
            out["document_id"] = documents[out["document_id"]]
        if isinstance(out.get("view_id"), str) and out["view_id"] in views:
            out["view_id"] = views[out["view_id"]]
        for key in EMAIL_LIST_KEYS:
            if isinstance(out.get(key), list):
                out[key] = [installer_email if v == INSTALLER else v for v in out[key]]
        return out

    trigger = dict(rule.get("trigger") or {})
    trigger["params"] = fix(trigger.get("params") or {})
    body = {key: rule[key] for key in ("name", "enabled", "condition") if key in rule}
    body["trigger"] = trigger
    body["actions"] = [
        {"type": a.get("type"), "params": fix(a.get("params") or {})}
        for a in rule.get("actions") or []
    ]
    return body


def uses_documents(rule: Mapping[str, Any]) -> bool:
    return any(
        isinstance(a, dict) and a.get("type") == "generate_document"
        for a in rule.get("actions") or []
    )
