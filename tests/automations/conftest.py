"""Fixtures for the automation tests: a shop base (products, orders, order lines, customers)
on both databases, a worker driven by hand (``drain()``), and a shared formula sandbox."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tablekit.automations.expressions import FormulaRunner
from tablekit.automations.worker import Worker
from tablekit.services.actor import Actor
from tablekit.services.container import Services
from tablekit.settings import Settings
from tests.factories import Api, make_user, token_for


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """The suite's settings, with the loopback receivers admitted by the SSRF allow-list."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key="test-secret",
        base_url="http://127.0.0.1",
        http_allowlist=("127.0.0.1/32",),
    )


def wait_for(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll ``check`` until it returns something truthy (the in-process worker is async)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


@pytest.fixture(scope="session")
def formulas() -> Iterator[FormulaRunner]:
    """One sandbox pool for every test of the session (starting one costs ~0.3 s)."""
    runner = FormulaRunner()
    yield runner
    runner.pool.close()


@dataclass
class Shop:
    """A base with Customers, Products, Orders and Order lines, and its owner."""

    services: Services
    actor: Actor
    user_id: int
    workspace_id: int
    base_id: int
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def table(self, name: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
        table = self.services.schema.create_table(self.actor, self.base_id, name, fields)
        self.tables[name] = table
        return table

    def tid(self, name: str) -> int:
        return int(self.tables[name]["id"])

    def add(self, table: str, **cells: Any) -> int:
        return int(self.services.rows.create(self.actor, self.tid(table), [cells])[0]["id"])

    def set(self, table: str, row_id: int, **cells: Any) -> dict[str, Any]:
        return self.services.rows.update(self.actor, self.tid(table), [(row_id, cells)])[0]

    def row(self, table: str, row_id: int) -> dict[str, Any]:
        return self.services.rows.get(self.actor, self.tid(table), row_id)["fields"]

    def rows(self, table: str, **query: Any) -> list[dict[str, Any]]:
        return self.services.rows.query(self.actor, self.tid(table), limit=1000, **query)["rows"]

    def rule(
        self, trigger: dict[str, Any], actions: list[dict[str, Any]], **extra: Any
    ) -> dict[str, Any]:
        body = {"name": extra.pop("name", "Rule"), "trigger": trigger, "actions": actions, **extra}
        return self.services.automations.create(self.actor, self.base_id, body)

    def api(self, client: Any) -> Api:
        token = token_for(
            self.services,
            self.actor,
            scopes=["read", "write", "admin"],
            workspace_id=self.workspace_id,
        )
        return Api(client, token, self.user_id, self.workspace_id)

    def runs(self, rule: dict[str, Any]) -> list[dict[str, Any]]:
        return list(reversed(self.services.automations.runs(self.actor, rule["id"], 500)["items"]))


def build_shop(services: Services) -> Shop:
    _, actor = make_user(services)
    workspace_id = services.workspaces.mine(actor)[0]["id"]
    base = services.workspaces.create_base(actor, workspace_id, "Shop", timezone="Europe/Berlin")
    shop = Shop(services, actor, actor.user_id, workspace_id, int(base["id"]))
    shop.table(
        "Customers",
        [
            {"name": "Name", "type": "text"},
            {"name": "E-mail", "type": "email"},
            {"name": "Credit limit", "type": "currency"},
        ],
    )
    shop.table(
        "Products",
        [
            {"name": "Name", "type": "text"},
            {"name": "SKU", "type": "text", "unique": True},
            {"name": "Stock", "type": "number"},
            {"name": "Minimum stock", "type": "number"},
            {"name": "Price", "type": "currency"},
        ],
    )
    shop.table(
        "Orders",
        [
            {"name": "Name", "type": "text"},
            {
                "name": "Status",
                "type": "single_select",
                "options": {
                    "choices": [
                        {"name": n} for n in ("New", "Confirmed", "On hold", "Shipped", "Paid")
                    ]
                },
            },
            {"name": "Customer", "type": "link", "options": {"table_id": shop.tid("Customers")}},
            {"name": "Quantity", "type": "number"},
            {
                "name": "Product",
                "type": "link",
                "options": {"table_id": shop.tid("Products"), "multiple": False},
            },
            {"name": "Due", "type": "date"},
            {"name": "Note", "type": "long_text"},
        ],
    )
    shop.table(
        "Order lines",
        [
            {"name": "Name", "type": "text"},
            {"name": "Order", "type": "link", "options": {"table_id": shop.tid("Orders")}},
            {"name": "Quantity", "type": "number"},
            {"name": "Unit price", "type": "currency"},
        ],
    )
    return shop


@pytest.fixture
def shop(services: Services) -> Shop:
    return build_shop(services)


@pytest.fixture
def worker(services: Services, formulas: FormulaRunner) -> Iterator[Worker]:
    """A worker for the test's database, run by hand with ``drain()`` (no thread)."""
    with Worker(services, formulas=formulas, scheduler=False, retry_delay=0.05) as w:
        yield w
