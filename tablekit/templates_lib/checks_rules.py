"""Static checks of a bundle's documents and rules (see ``validate``).

Rules are checked for their shape and for what only the bundle can answer: the tables,
documents and form views they name. Each action's params are checked by the rule service
when the rule is created during install, which reports the same kind of path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tablekit.errors import ValidationFailed

if TYPE_CHECKING:  # only for annotations: validate imports this module
    from tablekit.templates_lib.bundle import Bundle
    from tablekit.templates_lib.validate import Problems, TableInfo

RULE_KEYS = frozenset({"name", "enabled", "trigger", "condition", "actions"})
DOCUMENT_KEYS = frozenset({"name", "table", "template", "css", "description"})
#: Placeholder for the e-mail of the user who installs the bundle (rule recipients).
INSTALLER = "$installer"


def check_documents(bundle: Bundle, tables: dict[str, TableInfo], problems: Problems) -> None:
    from tablekit.documents.templating import validate_template

    seen: set[str] = set()
    for i, doc in enumerate(bundle.documents):
        at = f"documents[{i}]"
        if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
            problems.add(at, "must be {name, table, template, css?}")
            continue
        for key in sorted(set(doc) - DOCUMENT_KEYS):
            problems.add(f"{at}.{key}", "unknown document entry")
        if doc["name"] in seen:
            problems.add(f"{at}.name", f"document {doc['name']!r} appears twice")
        seen.add(doc["name"])
        if str(doc.get("table")) not in tables:
            problems.add(f"{at}.table", f"unknown table {doc.get('table')!r}")
        if not isinstance(doc.get("template"), str) or not doc["template"].strip():
            problems.add(f"{at}.template", "must be a non-empty Jinja2 HTML template")
            continue
        try:
            validate_template(doc["template"], html=True)
        except ValidationFailed as exc:
            line = exc.details.get("line")
            problems.add(f"{at}.template", f"line {line}: {exc.message}" if line else exc.message)
        if "css" in doc and not isinstance(doc["css"], str):
            problems.add(f"{at}.css", "must be text")


def form_views(tables: dict[str, TableInfo]) -> dict[str, list[str]]:
    """Form view names → the tables that have a form view of that name."""
    found: dict[str, list[str]] = {}
    for table in tables.values():
        for view in table.views:
            if view.get("type") == "form":
                found.setdefault(str(view.get("name")), []).append(table.name)
    return found


def check_rules(
    bundle: Bundle,
    tables: dict[str, TableInfo],
    problems: Problems,
    *,
    triggers: Iterable[str] | None,
    actions: Iterable[str] | None,
) -> None:
    trigger_types = set(triggers) if triggers is not None else None
    action_types = set(actions) if actions is not None else None
    documents = {str(d.get("name")) for d in bundle.documents if isinstance(d, dict)}
    forms = form_views(tables)
    rule_names = {str(r.get("name")) for r in bundle.rules if isinstance(r, dict)}
    seen: set[str] = set()
    for i, rule in enumerate(bundle.rules):
        at = f"rules[{i}]"
        if not isinstance(rule, dict) or not isinstance(rule.get("name"), str):
            problems.add(at, "must be {name, enabled?, trigger, condition?, actions}")
            continue
        for key in sorted(set(rule) - RULE_KEYS):
            problems.add(f"{at}.{key}", "unknown rule entry")
        if rule["name"] in seen:
            problems.add(f"{at}.name", f"rule {rule['name']!r} appears twice")
        seen.add(rule["name"])
        trigger = rule.get("trigger")
        if not isinstance(trigger, dict) or not isinstance(trigger.get("type"), str):
            problems.add(f"{at}.trigger", "must be {type, params}")
        else:
            if trigger_types is not None and trigger["type"] not in trigger_types:
                problems.add(f"{at}.trigger.type", f"unknown trigger type {trigger['type']!r}")
            params = trigger.get("params") or {}
            if not isinstance(params, dict):
                problems.add(f"{at}.trigger.params", "must be an object")
            else:
                _check_table_ref(f"{at}.trigger.params", params, tables, problems)
                view = params.get("view_id")
                if isinstance(view, str) and len(forms.get(view, [])) != 1:
                    problems.add(
                        f"{at}.trigger.params.view_id",
                        f"must name exactly one form view of the bundle; {view!r} names "
                        f"{len(forms.get(view, []))}",
                    )
        steps = rule.get("actions")
        if not isinstance(steps, list) or not steps:
            problems.add(f"{at}.actions", "must be a non-empty list")
            continue
        for j, action in enumerate(steps):
            where = f"{at}.actions[{j}]"
            if not isinstance(action, dict) or not isinstance(action.get("type"), str):
                problems.add(where, "must be {type, params}")
                continue
            if action_types is not None and action["type"] not in action_types:
                problems.add(f"{where}.type", f"unknown action type {action['type']!r}")
            params = action.get("params") or {}
            if not isinstance(params, dict):
                problems.add(f"{where}.params", "must be an object")
                continue
            _check_table_ref(f"{where}.params", params, tables, problems)
            doc = params.get("document_id")
            if isinstance(doc, str) and doc not in documents:
                problems.add(f"{where}.params.document_id", f"unknown document {doc!r}")
    for table in bundle.tables:
        for j, spec in enumerate(table.get("fields") or [] if isinstance(table, dict) else []):
            rule_ref = (spec.get("options") or {}).get("rule") if isinstance(spec, dict) else None
            if rule_ref is not None and rule_ref not in rule_names:
                problems.add(
                    f"tables[{bundle.tables.index(table)}].fields[{j}].options.rule",
                    f"unknown rule {rule_ref!r}",
                )


def _check_table_ref(
    where: str, params: dict[str, Any], tables: dict[str, TableInfo], problems: Problems
) -> None:
    ref = params.get("table_id")
    if ref is not None and str(ref) not in tables:
        problems.add(f"{where}.table_id", f"unknown table {ref!r}")
