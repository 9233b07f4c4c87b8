"""Automations: rules and their run log, button clicks, incoming webhooks, notifications,
the mail outbox and outgoing webhooks. Thin handlers, one service call each."""

import functools
from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Request, delete, get, patch, post
from litestar.params import Parameter
from msgspec import UNSET, UnsetType

from tablekit.api.security import FailureLimiter, services_of
from tablekit.api.structs import In
from tablekit.services.actor import Actor
from tablekit.services.container import Services

HOOKS_PER_MINUTE = 120


class RuleIn(In):
    name: str
    trigger: dict[str, Any]
    actions: list[dict[str, Any]]
    enabled: bool = True
    condition: dict[str, Any] | None = None


class RuleUpdate(In):
    name: str | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    trigger: dict[str, Any] | UnsetType = UNSET
    condition: dict[str, Any] | UnsetType | None = UNSET
    actions: list[dict[str, Any]] | UnsetType = UNSET


class RowRef(In):
    row_id: int | None = None


class ReadIn(In):
    ids: list[int] | None = None


class WebhookIn(In):
    url: str
    events: list[str] | None = None
    table_id: int | None = None
    secret: str | None = None
    enabled: bool = True


class WebhookUpdate(In):
    url: str | UnsetType = UNSET
    events: list[str] | UnsetType = UNSET
    table_id: int | UnsetType | None = UNSET
    secret: str | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


Wait = Annotated[float, Parameter(ge=0, le=30, description="seconds to wait for the runs")]
Limit = Annotated[int, Parameter(ge=1, le=500)]


def _cursor(cursor: str | None) -> int | None:
    return int(cursor) if cursor and cursor.isdigit() else None


@get("/automations/types", operation_id="automationTypes", sync_to_thread=False)
def automation_types(actor: Actor, services: Services) -> dict[str, Any]:
    """Trigger and action types with the JSON schema of their params (the rule builder)."""
    return services.automations.describe()


@get("/bases/{base:int}/rules", operation_id="listRules", sync_to_thread=True)
def list_rules(actor: Actor, services: Services, base: int) -> dict[str, Any]:
    """The base's automation rules."""
    return {"items": services.automations.list_rules(actor, base)}


@post("/bases/{base:int}/rules", operation_id="createRule", sync_to_thread=True)
def create_rule(actor: Actor, services: Services, base: int, data: RuleIn) -> dict[str, Any]:
    """Create a rule; names are resolved to ids, formulas and templates checked now."""
    return services.automations.create(actor, base, msgspec.to_builtins(data))


@get("/rules/{rule:int}", operation_id="getRule", sync_to_thread=True)
def get_rule(actor: Actor, services: Services, rule: int) -> dict[str, Any]:
    """One rule (webhook rules include their ``hook_url``)."""
    return services.automations.get(actor, rule)


@patch("/rules/{rule:int}", operation_id="updateRule", sync_to_thread=True)
def update_rule(actor: Actor, services: Services, rule: int, data: RuleUpdate) -> dict[str, Any]:
    """Change a rule (enable, disable, rename, edit); it is validated again as a whole."""
    return services.automations.update(actor, rule, data.given())


@delete("/rules/{rule:int}", operation_id="deleteRule", sync_to_thread=True)
def delete_rule(actor: Actor, services: Services, rule: int) -> None:
    """Delete a rule and its run log."""
    services.automations.delete(actor, rule)


@post("/rules/{rule:int}/test", status_code=200, operation_id="testRule", sync_to_thread=True)
def test_rule(actor: Actor, services: Services, rule: int, data: RowRef) -> dict[str, Any]:
    """Dry run for a row (default: the newest): what each action would do; nothing is
    written, nothing is sent."""
    return services.automations.test(actor, rule, data.row_id)


@post("/rules/{rule:int}/run", status_code=202, operation_id="runRule", sync_to_thread=True)
def run_rule(
    actor: Actor, services: Services, rule: int, data: RowRef, wait: Wait = 0.0
) -> dict[str, Any]:
    """Run now (also a disabled or scheduled rule); the worker executes it."""
    return services.automations.run(actor, rule, data.row_id, wait)


@get("/rules/{rule:int}/runs", operation_id="listRuleRuns", sync_to_thread=True)
def list_runs(
    actor: Actor, services: Services, rule: int, limit: Limit = 50, cursor: str | None = None
) -> dict[str, Any]:
    """The run log, newest first: trigger, status, each step's line and output, errors."""
    return services.automations.runs(actor, rule, limit, _cursor(cursor))


@post(
    "/tables/{table:str}/rows/{row:int}/buttons/{field:str}",
    status_code=202,
    operation_id="clickButton",
    sync_to_thread=True,
)
def click_button(
    actor: Actor, services: Services, table: str, row: int, field: str, wait: Wait = 0.0
) -> dict[str, Any]:
    """Click a row's button field: runs the rules attached to it."""
    return services.inbound.click(actor, table, row, field, wait)


@post("/hooks/{secret:str}", status_code=202, operation_id="incomingWebhook")
async def incoming_webhook(request: Request[Any, Any, Any], secret: str) -> dict[str, Any]:
    """An incoming webhook: the JSON body starts the rule whose secret is in the URL."""
    limiter = getattr(request.app.state, "hook_limiter", None)
    if limiter is None:
        limiter = request.app.state.hook_limiter = FailureLimiter(
            HOOKS_PER_MINUTE, message="Too many webhook calls; slow down"
        )
    limiter.hit(f"hook:{secret[:16]}")
    body = await request.body()  # raw bytes: the payload is parsed (and capped) by the service
    handle = functools.partial(services_of(request).inbound.hook, secret, body)
    result: dict[str, Any] = await anyio.to_thread.run_sync(handle)
    return result


@get("/notifications", operation_id="listNotifications", sync_to_thread=True)
def list_notifications(
    actor: Actor, services: Services, unread: bool = False, limit: Limit = 100
) -> dict[str, Any]:
    """The caller's in-app notifications, newest first, with the unread count."""
    return services.inbox.notifications(actor, unread=unread, limit=limit)


@post("/notifications/read", status_code=200, operation_id="readNotifications", sync_to_thread=True)
def read_notifications(actor: Actor, services: Services, data: ReadIn) -> dict[str, Any]:
    """Mark notifications read: the given ids, or all of them."""
    return services.inbox.mark_read(actor, data.ids)


@get("/outbox", operation_id="listOutbox", sync_to_thread=True)
def list_outbox(
    actor: Actor,
    services: Services,
    base_id: int | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    """E-mails sent or held (without SMTP every mail stays here); admins only."""
    return services.inbox.outbox(actor, base_id=base_id, limit=limit, before=_cursor(cursor))


@get("/bases/{base:int}/webhooks", operation_id="listWebhooks", sync_to_thread=True)
def list_webhooks(actor: Actor, services: Services, base: int) -> dict[str, Any]:
    """Outgoing webhooks of a base."""
    return {"items": services.inbox.webhooks(actor, base)}


@post("/bases/{base:int}/webhooks", operation_id="createWebhook", sync_to_thread=True)
def create_webhook(actor: Actor, services: Services, base: int, data: WebhookIn) -> dict[str, Any]:
    """Send row events (signed) to a URL; the answer shows the signing secret once."""
    return services.inbox.create_webhook(actor, base, msgspec.to_builtins(data))


@patch("/webhooks/{webhook:int}", operation_id="updateWebhook", sync_to_thread=True)
def update_webhook(
    actor: Actor, services: Services, webhook: int, data: WebhookUpdate
) -> dict[str, Any]:
    """Change an outgoing webhook (URL, events, table, secret, enabled)."""
    return services.inbox.update_webhook(actor, webhook, data.given())


@delete("/webhooks/{webhook:int}", operation_id="deleteWebhook", sync_to_thread=True)
def delete_webhook(actor: Actor, services: Services, webhook: int) -> None:
    """Delete an outgoing webhook and its deliveries log."""
    services.inbox.delete_webhook(actor, webhook)


@get("/webhooks/{webhook:int}/deliveries", operation_id="listDeliveries", sync_to_thread=True)
def list_deliveries(
    actor: Actor, services: Services, webhook: int, limit: Limit = 50, cursor: str | None = None
) -> dict[str, Any]:
    """The deliveries log: request, response status and body, attempts, errors."""
    return services.inbox.deliveries(actor, webhook, limit, _cursor(cursor))


ROUTES = [
    automation_types,
    list_rules,
    create_rule,
    get_rule,
    update_rule,
    delete_rule,
    test_rule,
    run_rule,
    list_runs,
    click_button,
    list_notifications,
    read_notifications,
    list_outbox,
    list_webhooks,
    create_webhook,
    update_webhook,
    delete_webhook,
    list_deliveries,
]
# Outside /api/v1: the URL is the credential, no session or token.
PUBLIC_ROUTES = [incoming_webhook]
