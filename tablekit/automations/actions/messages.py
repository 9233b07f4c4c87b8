"""Actions that tell people: ``notify`` (in-app) and ``send_email`` (through the mail outbox)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tablekit.automations.actions.base import Action, Params, text, trigger_schema
from tablekit.automations.context import RunContext, SaveContext, StepResult
from tablekit.automations.models import Notification
from tablekit.db.models import Membership, StoredFile, User, utcnow
from tablekit.errors import ValidationFailed
from tablekit.notify.email import parse_address
from tablekit.notify.outbox import queue_mail

PEOPLE_TYPES = frozenset({"collaborator", "created_by", "modified_by", "email", "lookup"})
MAIL_TYPES = frozenset({"email", "collaborator", "created_by", "modified_by", "lookup", "link"})
MAX_RECIPIENTS = 50


class NotifyParams(Params, kw_only=True):
    message: str
    to: list[str] = []
    to_field: int | str | None = None


class SendEmailParams(Params, kw_only=True):
    subject: str
    body: str
    to: list[str] = []
    to_field: int | str | None = None
    to_link_field: int | str | None = None
    cc: list[str] = []
    html: bool = False
    attach_fields: list[int | str] = []
    attach_steps: list[int] = []


def _emails_in(value: Any) -> list[str]:
    """E-mail addresses in a cell: text, people ({email}) or lists of them."""
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("email") or item.get("name")
        if isinstance(item, str):
            found.extend(part.strip() for part in item.split(",") if "@" in part)
    return found


def _people_field(ctx: SaveContext, ref: Any, where: str, types: frozenset[str]) -> str:
    schema = trigger_schema(ctx, where)
    fdef = ctx.field(schema, ref, where)
    if fdef.type not in types:
        raise ValidationFailed(
            f"{where}: {fdef.name!r} is a {fdef.type} field; use one of {', '.join(sorted(types))}",
            code="INVALID_RULE",
        )
    return fdef.key


class NotifyAction(Action):
    type = "notify"
    label = "Notify users in the app"
    params_schema = NotifyParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        stored: dict[str, Any] = {"message": text(params.message, f"{where}.message")}
        emails = [e.strip().lower() for e in params.to]
        if emails:
            members = set(
                ctx.session.scalars(
                    sa.select(User.email)
                    .join(Membership, Membership.user_id == User.id)
                    .where(Membership.workspace_id == ctx.base.workspace_id, User.email.in_(emails))
                )
            )
            for email in emails:
                if email not in members:
                    raise ValidationFailed(
                        f"{where}.to: {email!r} is not a member of this workspace",
                        code="INVALID_RULE",
                    )
        stored["to"] = emails
        if params.to_field is not None:
            stored["to_field"] = _people_field(
                ctx, params.to_field, f"{where}.to_field", PEOPLE_TYPES
            )
        if not emails and params.to_field is None:
            raise ValidationFailed(f"{where}: give to or to_field", code="INVALID_RULE")
        return stored

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        emails = set(params.get("to") or [])
        if params.get("to_field") and run.cells is not None:
            emails.update(e.lower() for e in _emails_in(run.cells.get(params["to_field"])))
        users = run.session.execute(
            sa.select(User.id, User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == run.base.workspace_id, User.email.in_(emails))
            .order_by(User.id)
        ).all()
        message = run.render(params["message"])
        now = utcnow()
        table_id = run.schema.id if run.schema is not None else None
        for user_id, _ in users:
            run.session.add(
                Notification(
                    user_id=user_id,
                    base_id=run.base.id,
                    rule_id=run.rule.id,
                    table_id=table_id,
                    row_id=run.row_id,
                    message=message,
                    created_at=now,
                )
            )
        run.session.flush()
        names = ", ".join(email for _, email in users) or "nobody (no member matched)"
        return StepResult(
            f"notified {names}: {message[:120]}",
            {"user_ids": [uid for uid, _ in users], "message": message},
        )


class SendEmailAction(Action):
    type = "send_email"
    label = "Send an e-mail"
    params_schema = SendEmailParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "subject": text(params.subject, f"{where}.subject"),
            "body": text(params.body, f"{where}.body", html=params.html),
            "html": params.html,
            "to": [text(t, f"{where}.to") for t in params.to],
            "cc": [text(t, f"{where}.cc") for t in params.cc],
        }
        for address in [*params.to, *params.cc]:
            if "{" not in address:
                try:
                    parse_address(address)
                except ValidationFailed as exc:
                    raise ValidationFailed(f"{where}: {exc.message}", code=exc.code) from None
        if params.to_field is not None:
            stored["to_field"] = _people_field(
                ctx, params.to_field, f"{where}.to_field", MAIL_TYPES
            )
            schema = trigger_schema(ctx, where)
            fdef = schema.find(stored["to_field"])
            if fdef is not None and fdef.type == "link":
                if params.to_link_field is None:
                    raise ValidationFailed(
                        f"{where}.to_link_field: name the e-mail field of the linked table",
                        code="INVALID_RULE",
                    )
                linked = ctx.op(int(fdef.options["table_id"]), f"{where}.to_field")
                stored["to_link_field"] = ctx.field(
                    linked.schema, params.to_link_field, f"{where}.to_link_field"
                ).key
        if not params.to and params.to_field is None:
            raise ValidationFailed(f"{where}: give to or to_field", code="INVALID_RULE")
        if params.attach_fields:
            schema = trigger_schema(ctx, where)
            keys = []
            for i, ref in enumerate(params.attach_fields):
                fdef = ctx.field(schema, ref, f"{where}.attach_fields[{i}]")
                if fdef.type != "attachment":
                    raise ValidationFailed(
                        f"{where}.attach_fields[{i}]: {fdef.name!r} is not an attachment field",
                        code="INVALID_RULE",
                    )
                keys.append(fdef.key)
            stored["attach_fields"] = keys
        for step in params.attach_steps:
            if not 0 <= step < index:
                raise ValidationFailed(
                    f"{where}.attach_steps: {step} is not an earlier step", code="INVALID_RULE"
                )
        stored["attach_steps"] = list(params.attach_steps)
        return stored

    def _recipients(self, params: dict[str, Any], run: RunContext, key: str) -> list[str]:
        found: list[str] = []
        for template in params.get(key) or []:
            found.extend(a.strip() for a in run.render(template).split(",") if a.strip())
        field = params.get("to_field") if key == "to" else None
        if field and run.cells is not None:
            value = run.cells.get(field)
            link_field = params.get("to_link_field")
            if link_field and isinstance(value, list) and run.schema is not None:
                fdef = run.schema.find(field)
                assert fdef is not None
                linked = run.op(int(fdef.options["table_id"]))
                ids = [int(v["id"]) for v in value if isinstance(v, dict)]
                rows = linked.decoder(keys="id").decode(linked.fetch(ids)) if ids else []
                value = [r["fields"].get(link_field) for r in rows]
            found.extend(_emails_in(value))
        unique = list(dict.fromkeys(found))
        if len(unique) > MAX_RECIPIENTS:
            raise ValidationFailed(f"more than {MAX_RECIPIENTS} recipients", code="EMAIL_INVALID")
        return unique

    def _attachments(self, params: dict[str, Any], run: RunContext) -> list[dict[str, Any]]:
        ids: list[str] = []
        for key in params.get("attach_fields") or []:
            for item in (run.cells or {}).get(key) or []:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    ids.append(item["id"])
        for step in params.get("attach_steps") or []:
            output = run.steps[step] if step < len(run.steps) else {}
            if isinstance(output.get("file_id"), str):
                ids.append(output["file_id"])
        if not ids:
            return []
        files = run.session.scalars(
            sa.select(StoredFile).where(StoredFile.id.in_(ids), StoredFile.base_id == run.base.id)
        ).all()
        return [{"file_id": f.id, "name": f.name, "mime_type": f.mime_type} for f in files]

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        to = self._recipients(params, run, "to")
        if not to:
            raise ValidationFailed("the e-mail has no recipient", code="EMAIL_INVALID")
        cc = self._recipients(params, run, "cc")
        subject = " ".join(run.render(params["subject"]).split())
        body = run.render(params["body"], html=bool(params.get("html")))
        mail = queue_mail(
            run.session,
            run.settings,
            key=f"run:{run.run.id}:step:{run.step_index}",
            to=to,
            cc=cc,
            subject=subject,
            body=body,
            html=bool(params.get("html")),
            attachments=self._attachments(params, run),
            base_id=run.base.id,
            rule_id=run.rule.id,
            run_id=run.run.id,
        )
        run.engine.wake()
        return StepResult(
            f"e-mail to {', '.join(to)} ({mail.status}): {subject[:120]}",
            {"mail_id": mail.id, "status": mail.status, "to": to},
        )
