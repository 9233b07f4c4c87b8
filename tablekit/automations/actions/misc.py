"""``lock_row``, ``generate_document`` and ``call_webhook``."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from tablekit.automations import locks
from tablekit.automations.actions.base import Action, Params, text, trigger_schema
from tablekit.automations.context import RunContext, SaveContext, StepResult, where_error
from tablekit.errors import ValidationFailed
from tablekit.notify import http
from tablekit.notify.errors import DeliveryFailed
from tablekit.notify.signing import signed_headers
from tablekit.notify.ssrf import Allowlist, blocked_reason, parse_url

MAX_ANSWER_CHARS = 65_536


class LockRowParams(Params, kw_only=True):
    unlock: bool = False


class GenerateDocumentParams(Params, kw_only=True):
    document_id: int
    field: int | str
    file_name: str = "document {{ row_id }}.pdf"


class CallWebhookParams(Params, kw_only=True):
    url: str
    body: str | None = None
    secret: str | None = None
    method: str = "POST"


class LockRowAction(Action):
    type = "lock_row"
    label = "Lock the row (only admins can change it)"
    params_schema = LockRowParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        trigger_schema(ctx, where)
        return {"unlock": True} if params.unlock else {}

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        op, row_id = run.require_row()
        if params.get("unlock"):
            done = locks.unlock_row(run.session, op.schema.id, row_id)
            return StepResult(f"unlocked row {row_id}" if done else f"row {row_id} was not locked")
        done = locks.lock_row(run.session, op.base, op.schema.id, row_id, run.rule.id)
        return StepResult(f"locked row {row_id}" if done else f"row {row_id} was already locked")


class GenerateDocumentAction(Action):
    """Renders a document template for the trigger row to PDF and appends it to an
    attachment field, through the documents service, inside the run's transaction (so a
    retried run never attaches it twice). Without a documents service a rule using it is
    refused when saved."""

    type = "generate_document"
    label = "Generate a document (PDF)"
    params_schema = GenerateDocumentParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        schema = trigger_schema(ctx, where)
        if ctx.documents is None:
            raise ValidationFailed(
                f"{where}: generate_document is not available: this installation has no "
                "document templates service",
                code="ACTION_NOT_AVAILABLE",
                details={"where": where},
            )
        try:
            fdef = ctx.documents.check_generate(
                ctx.session, ctx.base.id, schema.id, params.document_id, params.field,
                params.file_name,
            )  # fmt: skip
        except ValidationFailed as exc:
            raise where_error(where, exc) from None
        return {"document_id": params.document_id, "field": fdef.key, "file_name": params.file_name}

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        _, row_id = run.require_row()
        documents = run.engine.documents
        if documents is None:
            raise ValidationFailed(
                "generate_document is not available", code="ACTION_NOT_AVAILABLE"
            )
        args = (params["document_id"], row_id)
        if run.dry_run:
            job = documents.prepare_generate(
                run.session, None, *args, params["field"], params["file_name"]
            )
            return StepResult(f"would attach {job.file_name} to row {row_id}")
        stored = documents.generate(
            None, *args, field=params["field"], file_name=params["file_name"],
            session=run.session, depth=run.run.depth + 1,
        )  # fmt: skip
        run.reload()
        return StepResult(
            f"attached {stored['name']} to row {row_id}",
            {"file_id": stored["id"], "name": stored["name"], "size": stored.get("size")},
        )


def check_target(url: str, allowlist: Allowlist, where: str) -> None:
    """At save: the URL's syntax, and a literal IP address must be public or allow-listed.
    Host names are resolved (and checked again) only when sending."""
    try:
        target = parse_url(url)
    except ValidationFailed as exc:
        raise ValidationFailed(
            f"{where}: {exc.message}", code=exc.code, details=exc.details
        ) from None
    try:
        address = ipaddress.ip_address(target.host)
    except ValueError:
        return
    reason = blocked_reason(address)
    if reason and not allowlist.admits_address(address) and not allowlist.admits_host(target.host):
        raise ValidationFailed(
            f"{where}: URL not allowed: {address} is not a public address ({reason}); an admin "
            "can allow-list it (TABLEKIT_HTTP_ALLOWLIST)",
            code="URL_NOT_ALLOWED",
            details={"url": url, "reason": reason},
        )


class CallWebhookAction(Action):
    type = "call_webhook"
    label = "Call a webhook"
    params_schema = CallWebhookParams
    external = True

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        url = text(params.url.strip(), f"{where}.url")
        if "{" not in url:
            check_target(url, ctx.allowlist(), f"{where}.url")
        method = params.method.upper()
        if method not in ("POST", "PUT", "PATCH"):
            raise ValidationFailed(f"{where}.method: use POST, PUT or PATCH", code="INVALID_RULE")
        stored: dict[str, Any] = {"url": url, "method": method}
        if params.body is not None:
            stored["body"] = text(params.body, f"{where}.body")
        if params.secret:
            stored["secret"] = params.secret
        return stored

    def prepare(self, params: dict[str, Any], run: RunContext) -> dict[str, Any]:
        url = run.render(params["url"]).strip()
        if params.get("body") is not None:
            body = run.render(params["body"])
            try:
                json.loads(body)
            except ValueError as exc:
                raise ValidationFailed(
                    f"the rendered body is not JSON ({exc}): {body[:200]}", code="INVALID_BODY"
                ) from None
        else:
            context = run.template_context()
            body = json.dumps(
                {k: context[k] for k in ("rule", "table", "row_id", "row", "trigger")},
                default=str,
            )
        return {
            "url": url,
            "body": body,
            "method": params.get("method", "POST"),
            "secret": params.get("secret"),
        }

    def deliver(self, prepared: dict[str, Any], run: RunContext) -> StepResult:
        body = prepared["body"].encode()
        headers = {
            "Content-Type": "application/json",
            "X-TableKit-Delivery": f"run-{run.run.id}-step-{run.step_index}",
        }
        if prepared.get("secret"):
            headers.update(signed_headers(prepared["secret"], body))
        options: dict[str, Any] = {}
        if run.engine.resolver is not None:
            options["resolver"] = run.engine.resolver
        response = http.send_request(
            prepared["method"],
            prepared["url"],
            body=body,
            headers=headers,
            allowlist=run.settings.http_allowlist,
            timeout=run.engine.http_timeout,
            **options,
        )
        answer = response.body.decode("utf-8", errors="replace")[:MAX_ANSWER_CHARS]
        try:
            parsed: Any = json.loads(answer) if answer else None
        except ValueError:
            parsed = answer
        if not 200 <= response.status < 300:
            raise DeliveryFailed(
                f"{prepared['url']} answered {response.status}: {answer[:200]}",
                code="WEBHOOK_FAILED",
                retryable=http.is_retryable(response),
                details={"status": response.status},
            )
        return StepResult(
            f"{prepared['method']} {prepared['url']} answered {response.status}",
            {"status": response.status, "body": parsed},
        )
