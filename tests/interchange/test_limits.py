"""Rate limits (429, Retry-After, headers) and Idempotency-Key on row-creating POSTs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from tablekit.api.limits import TokenBuckets
from tablekit.app import create_app
from tests.factories import Api, make_api


@pytest.fixture
def table(api: Api, base: dict[str, Any]) -> dict[str, Any]:
    return api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {"name": "T", "fields": [{"name": "Name", "type": "text"}]},
    )


def count(api: Api, table: dict[str, Any]) -> int:
    return int(api.ok("get", f"/api/v1/tables/{table['id']}/rows/count")["count"])


def test_token_buckets_refill_over_time() -> None:
    buckets = TokenBuckets(60)
    assert all(buckets.take("k", now=0.0)[0] for _ in range(60))
    allowed, remaining, retry = buckets.take("k", now=0.0)
    assert (allowed, remaining, retry) == (False, 0, 1)
    assert buckets.take("k", now=1.0)[0]
    assert buckets.take("other", now=0.0) == (True, 59, 0)


@pytest.fixture
def strict(services) -> Iterator[TestClient]:  # type: ignore[type-arg]
    services.settings = replace(services.settings, rate_limit_per_token=5, rate_limit_per_ip=8)
    with TestClient(app=create_app(services=services), base_url="http://127.0.0.1") as client:
        yield client


def test_requests_over_the_token_limit_get_429_with_retry_after(services, strict) -> None:
    api = make_api(services, strict)
    statuses = []
    for _ in range(6):
        response = api.get("/api/v1/me")
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429]
    assert response.headers["retry-after"].isdigit() and int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["code"] == "RATE_LIMITED" and body["details"]["scope"] == "token"
    assert body["details"]["retry_after"] == int(response.headers["retry-after"])
    other = make_api(services, strict, email="other@example.com")
    ok = other.get("/api/v1/me")
    assert ok.status_code == 200
    assert ok.headers["x-ratelimit-limit"] == "5" and ok.headers["x-ratelimit-remaining"] == "4"


def test_the_ip_limit_covers_every_credential(services, strict) -> None:
    statuses = [
        strict.get("/api/v1/me", headers={"Authorization": f"Bearer tk_{i}"}).status_code
        for i in range(9)
    ]
    assert statuses[:8] == [401] * 8 and statuses[8] == 429
    assert strict.get("/healthz").status_code == 200  # not an API path


def test_the_same_key_and_body_replays_the_answer_and_writes_once(api, table) -> None:
    url = f"/api/v1/tables/{table['id']}/rows"
    body = {"rows": [{"fields": {"Name": "once"}}]}
    first = api.post(url, body, headers={"Idempotency-Key": "order-42"})
    second = api.post(url, body, headers={"Idempotency-Key": "order-42"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert count(api, table) == 1
    assert api.post(url, body, headers={"Idempotency-Key": "order-43"}).status_code == 201
    assert count(api, table) == 2


def test_the_same_key_with_another_body_is_refused(api, table) -> None:
    url = f"/api/v1/tables/{table['id']}/rows"
    api.post(url, {"rows": [{"fields": {"Name": "a"}}]}, headers={"Idempotency-Key": "k"})
    reused = api.post(url, {"rows": [{"fields": {"Name": "b"}}]}, headers={"Idempotency-Key": "k"})
    assert reused.status_code == 422
    assert reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert count(api, table) == 1


def test_keys_belong_to_their_caller_and_failures_are_not_kept(
    services, client, api, table
) -> None:
    url = f"/api/v1/tables/{table['id']}/rows"
    bad = api.post(url, {"rows": [{"fields": {"Nope": 1}}]}, headers={"Idempotency-Key": "x"})
    assert bad.status_code == 422
    good = api.post(url, {"rows": [{"fields": {"Name": "ok"}}]}, headers={"Idempotency-Key": "x"})
    assert good.status_code == 201
    stranger = make_api(services, client, email="stranger@example.com")
    other = stranger.post(
        url, {"rows": [{"fields": {"Name": "ok"}}]}, headers={"Idempotency-Key": "x"}
    )
    assert other.status_code == 404 and "idempotent-replayed" not in other.headers
    assert api.post(url, {"rows": []}, headers={"Idempotency-Key": "bad key"}).status_code == 400


def test_upserts_and_public_forms_are_idempotent_too(api, table) -> None:
    upsert = {"key_fields": ["Name"], "rows": [{"fields": {"Name": "u"}}]}
    url = f"/api/v1/tables/{table['id']}/rows/upsert"
    first = api.post(url, upsert, headers={"Idempotency-Key": "u1"})
    again = api.post(url, upsert, headers={"Idempotency-Key": "u1"})
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    view = api.ok(
        "post",
        f"/api/v1/tables/{table['id']}/views",
        {"name": "Form", "type": "form", "config": {"form": {"fields": [{"field_id": "Name"}]}}},
    )
    token = api.ok("post", f"/api/v1/views/{view['id']}/share", {"kind": "form"})["token"]
    form = f"/api/v1/public/forms/{token}"
    answers = [
        api.client.post(
            form, json={"fields": {"Name": "visitor"}}, headers={"Idempotency-Key": "submit-1"}
        )
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.text for a in answers}) == 1
    assert count(api, table) == 2


def test_a_concurrent_repeat_waits_for_the_first(services, api, table) -> None:
    from tablekit.interchange import idempotency

    claim = idempotency.claim(services.db, "scope", "key", "hash")
    assert isinstance(claim, int)
    assert idempotency.claim(services.db, "scope", "key", "hash") == "busy"
    idempotency.settle(services.db, claim, 201, "application/json", b"{}")
    stored = idempotency.claim(services.db, "scope", "key", "hash")
    assert isinstance(stored, idempotency.Stored) and stored.body == b"{}"
    results: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(idempotency.claim(services.db, "scope", "new", "h"))
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(r, int) for r in results) == 1
    assert results.count("busy") == 3
