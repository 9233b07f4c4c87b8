"""Crash and restart: a ``tablekit worker`` process killed (SIGKILL) in the middle of its work,
then started again, handles every event exactly once: one run per order, one line per order,
one e-mail per order (a resend after the crash would carry the same Message-ID)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from tablekit.automations.models import RuleRun
from tablekit.db.models import OutboxEvent
from tablekit.notify.outbox import OutboxMail
from tests.automations.conftest import Shop
from tests.support.loopback import smtp_server

ORDERS = 40
ROOT = Path(__file__).resolve().parents[2]


def start_worker(settings, smtp) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TABLEKIT_DATA_DIR": str(settings.data_dir),
        "TABLEKIT_DATABASE_URL": settings.database_url,
        "TABLEKIT_SECRET_KEY": "test-secret",
        "TABLEKIT_SMTP_HOST": smtp.host,
        "TABLEKIT_SMTP_PORT": str(smtp.port),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tablekit.cli",
            "worker",
            "--no-scheduler",
            "--poll",
            "0.05",
            "--lease",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def count(shop: Shop, query: sa.Select) -> int:  # type: ignore[type-arg]
    with shop.services.db.read() as session:
        return int(session.scalar(query) or 0)


def finished_runs(shop: Shop) -> int:
    return count(
        shop,
        sa.select(sa.func.count()).select_from(RuleRun).where(RuleRun.status.in_(("ok", "failed"))),
    )


def wait_until(check, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_killed_worker_restarts_and_handles_every_event_once(shop: Shop, settings):
    rule = shop.rule(
        {"type": "row_created", "table_id": "Orders"},
        [
            {
                "type": "add_row",
                "params": {
                    "table_id": "Order lines",
                    "fields": {"Name": "={Name}", "Order": "={row.id}"},
                },
            },
            {
                "type": "send_email",
                "params": {
                    "to": ["orders@example.com"],
                    "subject": "Order {{ row.Name }}",
                    "body": ".",
                },
            },
            {"type": "update_rows", "params": {"fields": {"Note": "handled"}}},
        ],
    )
    shop.services.rows.create(
        shop.actor, shop.tid("Orders"), [{"Name": f"O{n}"} for n in range(ORDERS)]
    )
    with smtp_server() as smtp:
        first = start_worker(settings, smtp)
        try:
            assert wait_until(lambda: finished_runs(shop) >= 8, 60), (
                first.stdout and first.stdout.read1()
            )
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        assert finished_runs(shop) < ORDERS  # killed mid-way
        second = start_worker(settings, smtp)
        try:

            def all_done() -> bool:
                return (
                    finished_runs(shop) == ORDERS
                    and count(
                        shop,
                        sa.select(sa.func.count())
                        .select_from(OutboxMail)
                        .where(OutboxMail.status == "sent"),
                    )
                    == ORDERS
                )

            assert wait_until(all_done, 90)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0  # a clean shutdown
    runs = shop.runs(rule)
    assert len(runs) == ORDERS and {r["status"] for r in runs} == {"ok"}
    assert sorted(r["trigger"]["row_id"] for r in runs) == sorted(
        r["id"] for r in shop.rows("Orders")
    )
    lines = Counter(r["fields"]["Order"][0]["id"] for r in shop.rows("Order lines"))
    assert len(lines) == ORDERS and set(lines.values()) == {1}
    assert {r["fields"]["Note"] for r in shop.rows("Orders")} == {"handled"}
    assert (
        count(
            shop,
            sa.select(sa.func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.processed_at.is_(None)),
        )
        == 0
    )
    ids = Counter(m.message["Message-ID"] for m in smtp.messages)
    assert len(ids) == ORDERS  # every order mailed; a resend would repeat its Message-ID
    assert sum(ids.values()) - ORDERS <= 1
