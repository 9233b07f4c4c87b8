"""Scenarios end to end through the HTTP API and the worker the app runs: S3 (minimum-stock
alert, in the app and by real SMTP) and S7's webhook parts (signed webhooks on row changes,
a rule started by an incoming webhook)."""

from __future__ import annotations

import dataclasses
import json

from litestar.testing import TestClient

from tablekit.app import create_app
from tablekit.notify.signing import verify
from tablekit.services.container import build_services
from tests.automations.conftest import build_shop, wait_for
from tests.factories import Api, make_user, token_for
from tests.support.loopback import http_receiver, smtp_server


def test_s3_minimum_stock_alert_in_app_and_by_email(settings):
    with smtp_server() as smtp:
        services = build_services(
            dataclasses.replace(settings, smtp_host=smtp.host, smtp_port=smtp.port)
        )
        shop = build_shop(services)
        _, buyer = make_user(services, workspace=None)
        services.workspaces.add_member(shop.actor, shop.workspace_id, buyer.email, "editor")
        with TestClient(app=create_app(services=services), base_url="http://127.0.0.1") as client:
            owner = shop.api(client)
            rule = owner.post(
                f"/api/v1/bases/{shop.base_id}/rules",
                {
                    "name": "Minimum stock",
                    "trigger": {"type": "row_matches", "table_id": shop.tid("Products")},
                    "condition": {"formula": "{Stock} < {Minimum stock}"},
                    "actions": [
                        {
                            "type": "notify",
                            "params": {
                                "to": [buyer.email],
                                "message": "Reorder {{ row.Name }}: {{ row.Stock }} left",
                            },
                        },
                        {
                            "type": "send_email",
                            "params": {
                                "to": ["purchasing@shop.example"],
                                "subject": "Low stock: {{ row.Name }}",
                                "body": "{{ row.Name }} ({{ row.SKU }}) is at {{ row.Stock }}, "
                                "below {{ row['Minimum stock'] }}.",
                            },
                        },
                    ],
                },
            )
            assert rule.status_code == 201, rule.text
            table = f"/api/v1/tables/{shop.tid('Products')}/rows"
            product = owner.ok(
                "post",
                table,
                {
                    "rows": [
                        {"fields": {"Name": "Bolt", "SKU": "B-1", "Stock": 20, "Minimum stock": 5}}
                    ]
                },
            )["rows"][0]["id"]
            buyer_api = Api(
                client,
                token_for(
                    services, buyer, scopes=["read", "write"], workspace_id=shop.workspace_id
                ),
                buyer.user_id,
                shop.workspace_id,
            )

            def notes() -> list[str]:
                return [n["message"] for n in buyer_api.ok("get", "/api/v1/notifications")["items"]]

            def settle(stock: int) -> None:
                owner.ok("patch", f"{table}/{product}", {"fields": {"Stock": stock}})
                wait_for(
                    lambda: all(
                        r["status"] not in ("pending", "running")
                        for r in owner.ok("get", f"/api/v1/rules/{rule.json()['id']}/runs")["items"]
                    ),
                    10,
                )

            settle(4)  # crosses the minimum
            assert wait_for(lambda: len(smtp.messages) == 1)
            assert notes() == ["Reorder Bolt: 4 left"]
            settle(3)  # still below: nothing new
            settle(2)
            settle(30)  # recovered
            settle(1)  # falls again
            assert wait_for(lambda: len(smtp.messages) == 2)
            assert notes() == ["Reorder Bolt: 1 left", "Reorder Bolt: 4 left"]
            mail = smtp.messages[0]
            assert mail.rcpt_tos == ["purchasing@shop.example"]
            assert mail.message["Subject"] == "Low stock: Bolt"
            assert mail.message.get_content().strip() == "Bolt (B-1) is at 4, below 5."
            assert len(smtp.messages) == 2
        services.close()


def test_s7_signed_webhooks_on_row_changes_and_a_rule_started_by_webhook(shop, client, services):
    _, integrator = make_user(services, workspace=None)
    services.workspaces.add_member(shop.actor, shop.workspace_id, integrator.email, "admin")
    api = Api(
        client,
        token_for(services, integrator, scopes=["read", "write", "admin"], base_id=shop.base_id),
        integrator.user_id,
        shop.workspace_id,
    )
    with http_receiver() as receiver:
        created = api.post(
            f"/api/v1/bases/{shop.base_id}/webhooks",
            {
                "url": receiver.url + "/tablekit",
                "events": ["row_created", "row_updated"],
                "table_id": shop.tid("Products"),
            },
        )
        assert created.status_code == 201, created.text
        hook = created.json()
        assert hook["secret"].startswith("whsec_")
        assert api.ok("get", f"/api/v1/bases/{shop.base_id}/webhooks")["items"][0][
            "secret"
        ].endswith("…")
        table = f"/api/v1/tables/{shop.tid('Products')}/rows"
        rows = api.ok(
            "post",
            table,
            {
                "rows": [
                    {"fields": {"Name": "Nut", "Stock": 1}},
                    {"fields": {"Name": "Bolt", "Stock": 2}},
                ]
            },
        )["rows"]
        api.ok("patch", f"{table}/{rows[0]['id']}", {"fields": {"Stock": 7}})
        shop.add("Orders", Name="another table: not sent")
        assert wait_for(lambda: len(receiver.requests) == 3)
        for request in receiver.requests:
            assert verify(hook["secret"], request.body, request.headers["x-tablekit-signature"])
        bodies = sorted(
            (json.loads(r.body) for r in receiver.requests), key=lambda b: b["event_id"]
        )
        assert [b["event"] for b in bodies] == ["row_created", "row_created", "row_updated"]
        assert bodies[2]["row"]["Stock"] == 7 and bodies[2]["changes"] == {
            "Stock": {"old": 1, "new": 7}
        }
        assert receiver.requests[0].headers["x-tablekit-event"] == "row_created"

        def delivered():
            # The receiver answers before the delivery row is marked ok: wait for all three.
            items = api.ok("get", f"/api/v1/webhooks/{hook['id']}/deliveries")["items"]
            done = [d for d in items if d["status"] == "ok"]
            return done if len(done) == 3 else None

        deliveries = wait_for(delivered)
        assert deliveries is not None, "three deliveries were not all marked ok in time"
        assert len(deliveries) == 3 and deliveries[0]["response_status"] == 200
        # A receiver the allow-list does not admit is refused when saved.
        refused = api.post(
            f"/api/v1/bases/{shop.base_id}/webhooks", {"url": f"http://[::1]:{receiver.port}/x"}
        )
        assert refused.status_code == 422 and refused.json()["code"] == "URL_NOT_ALLOWED"
    # An incoming webhook starts a rule.
    rule = api.ok(
        "post",
        f"/api/v1/bases/{shop.base_id}/rules",
        {
            "name": "Restock from ERP",
            "trigger": {"type": "webhook"},
            "actions": [
                {
                    "type": "update_rows",
                    "params": {
                        "table_id": shop.tid("Products"),
                        "fields": {"Stock": "={payload.stock}"},
                        "filter": {"field": "Name", "op": "eq", "value": "={payload.name}"},
                    },
                }
            ],
        },
        status=201,
    )
    answer = client.post(
        rule["hook_url"].removeprefix("http://127.0.0.1"), json={"name": "Bolt", "stock": 40}
    )
    assert answer.status_code == 202
    assert wait_for(lambda: shop.row("Products", rows[1]["id"])["Stock"] == 40)
