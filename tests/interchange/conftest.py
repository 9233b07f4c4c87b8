"""Fixtures for import, export, jobs, trash, limits and backups: an API client with a
base, and helpers to upload files and wait for jobs."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.factories import Api, make_api


@pytest.fixture
def api(services, client) -> Api:
    return make_api(services, client)


@pytest.fixture
def base(api: Api) -> dict[str, Any]:
    return api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "Shop"})


def upload(
    api: Api,
    path: str,
    content: bytes,
    options: dict[str, Any] | None = None,
    filename: str = "data.csv",
) -> Any:
    return api.client.post(
        path,
        files={"file": (filename, content, "application/octet-stream")},
        data={"options": json.dumps(options or {})},
        headers={"Authorization": f"Bearer {api.token}"},
    )


def wait_job(api: Api, job_id: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.ok("get", f"/api/v1/jobs/{job_id}")
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish")


def run_import(
    api: Api,
    path: str,
    content: bytes,
    options: dict[str, Any] | None = None,
    filename: str = "data.csv",
) -> dict[str, Any]:
    response = upload(api, path, content, options, filename)
    assert response.status_code == 202, response.text
    return wait_job(api, response.json()["job_id"])


def all_rows(api: Api, table_id: int, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = "&".join(f"{k}={v}" for k, v in {**params, "limit": 1000}.items())
        page = api.ok(
            "get",
            f"/api/v1/tables/{table_id}/rows?{query}" + (f"&cursor={cursor}" if cursor else ""),
        )
        rows.extend(page["rows"])
        cursor = page["next_cursor"]
        if not cursor:
            return rows
