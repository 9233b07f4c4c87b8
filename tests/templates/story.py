"""A running TableKit over a copy of the installed templates, for the scenario tests: the
app with its in-process worker, a real SMTP server on loopback, and helpers to read rows,
wait for rules and read the PDFs that reached the mailbox."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import pytest
from litestar.testing import TestClient
from pypdf import PdfReader

from tablekit.app import create_app
from tablekit.services.actor import Actor
from tablekit.services.container import Services, build_services
from tablekit.settings import Settings
from tests.factories import Api, token_for
from tests.support.loopback import SmtpServer, smtp_server
from tests.templates.conftest import OWNER, installed_copy


def wait_for(check: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    """Poll until ``check`` returns something truthy; fail with ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or check}")
        time.sleep(0.1)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def money(value: Any) -> str:
    """How the documents print an amount: thousands separated, two decimals."""
    return f"{Decimal(str(value)):,.2f}"


@dataclass
class Story:
    services: Services
    api: Api
    client: TestClient  # type: ignore[type-arg]
    smtp: SmtpServer
    base_id: int
    tables: dict[str, int]
    backend: str

    def rows_path(self, table: str) -> str:
        return f"/api/v1/tables/{self.tables[table]}/rows"

    def query(self, table: str, flt: Any = None, limit: int = 1000) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"limit": limit}
        if flt is not None:
            body["filter"] = flt
        return list(self.api.ok("post", f"{self.rows_path(table)}/query", body)["rows"])

    def row(self, table: str, row_id: int) -> dict[str, Any]:
        return dict(self.api.ok("get", f"{self.rows_path(table)}/{row_id}")["fields"])

    def patch(self, table: str, row_id: int, **cells: Any) -> dict[str, Any]:
        return dict(self.api.ok("patch", f"{self.rows_path(table)}/{row_id}", {"fields": cells}))

    def add(self, table: str, **cells: Any) -> int:
        created = self.api.ok("post", self.rows_path(table), {"rows": [{"fields": cells}]})
        return int(created["rows"][0]["id"])

    def rule(self, name: str) -> dict[str, Any]:
        rules = self.api.ok("get", f"/api/v1/bases/{self.base_id}/rules")["items"]
        return next(r for r in rules if r["name"] == name)

    def settled(self) -> bool:
        """No rule run is waiting or running and every event was handled."""
        for rule in self.api.ok("get", f"/api/v1/bases/{self.base_id}/rules")["items"]:
            runs = self.api.ok("get", f"/api/v1/rules/{rule['id']}/runs")["items"]
            if any(r["status"] in ("pending", "running") for r in runs):
                return False
        return True

    def mails_to(self, address: str, subject_start: str) -> list[EmailMessage]:
        return [
            m.message
            for m in self.smtp.messages
            if address in m.rcpt_tos and str(m.message["Subject"]).startswith(subject_start)
        ]

    def file(self, attachment: dict[str, Any]) -> bytes:
        response = self.api.get(f"/api/v1/files/{attachment['id']}")
        assert response.status_code == 200, response.text
        return bytes(response.content)


def attached_pdf(message: EmailMessage) -> tuple[str, bytes]:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(parts[0].get_filename()), payload


@contextmanager
def running_story(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    backend: str,
    base_key: str,
) -> Iterator[Story]:
    with installed_copy(request, tmp_path_factory, backend) as copy, smtp_server() as smtp:
        settings = Settings(
            data_dir=copy.data_dir,
            database_url=copy.url,
            secret_key="test-secret",
            base_url="http://127.0.0.1",
            smtp_host=smtp.host,
            smtp_port=smtp.port,
            smtp_from="sales@nordwerk.example",
        )
        services = build_services(settings)
        try:
            record = copy.record
            actor = Actor(user_id=record["user_id"], email=OWNER)
            token = token_for(
                services,
                actor,
                scopes=["read", "write", "admin"],
                workspace_id=record["workspace_id"],
            )
            base_id = int(record[base_key]["id"])
            with TestClient(
                app=create_app(services=services), base_url="http://127.0.0.1"
            ) as client:
                api = Api(client, token, record["user_id"], record["workspace_id"])
                schema = api.ok("get", f"/api/v1/bases/{base_id}/schema")
                tables = {t["name"]: int(t["id"]) for t in schema["tables"]}
                yield Story(services, api, client, smtp, base_id, tables, backend)
        finally:
            services.close()
