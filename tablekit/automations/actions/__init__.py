"""Action types, one class each (``type``, ``label``, ``params_schema``, ``validate``,
``execute``); ``builtin_actions()`` lists them in the order the rule builder offers them."""

from __future__ import annotations

from tablekit.automations.actions.base import Action
from tablekit.automations.actions.messages import NotifyAction, SendEmailAction
from tablekit.automations.actions.misc import (
    CallWebhookAction,
    GenerateDocumentAction,
    LockRowAction,
)
from tablekit.automations.actions.numbers import AdjustNumberAction
from tablekit.automations.actions.rows import (
    AddRowAction,
    CopyRowAction,
    LinkRowsAction,
    UpdateRowsAction,
)


def builtin_actions() -> list[Action]:
    return [
        NotifyAction(),
        SendEmailAction(),
        AddRowAction(),
        UpdateRowsAction(),
        LinkRowsAction(),
        LockRowAction(),
        GenerateDocumentAction(),
        CallWebhookAction(),
        AdjustNumberAction(),
        CopyRowAction(),
    ]


__all__ = ["Action", "builtin_actions"]
