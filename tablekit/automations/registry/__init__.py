"""Registries of trigger and action types, built fresh per app (never import-time globals),
keyed by the JSON ``type``."""

from __future__ import annotations

from typing import Any

import msgspec

from tablekit.automations.actions import Action, builtin_actions
from tablekit.automations.registry.triggers import Trigger, builtin_triggers
from tablekit.registry import Registry


def build_trigger_registry(extra: list[Trigger] | None = None) -> Registry[Trigger]:
    return Registry("trigger", [*builtin_triggers(), *(extra or [])])


def build_action_registry(extra: list[Action] | None = None) -> Registry[Action]:
    return Registry("action", [*builtin_actions(), *(extra or [])])


def describe(items: Registry[Any]) -> list[dict[str, Any]]:
    """Type, label and the JSON schema of the params: what the rule builder renders."""
    return [
        {"type": item.type, "label": item.label, "params": msgspec.json.schema(item.params_schema)}
        for item in items
    ]


__all__ = ["Action", "Trigger", "build_action_registry", "build_trigger_registry", "describe"]
