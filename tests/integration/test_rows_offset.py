"""Jumping into a long table: ``offset`` starts at the n-th matching row (the grid's
scrollbar), and paging on from there with ``next_cursor`` continues seamlessly."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_api


@pytest.fixture
def numbers(services: Any, client: Any) -> tuple[Any, str]:
    api = make_api(services, client)
    base = api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "B"})
    table = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "N",
            "fields": [{"name": "Name", "type": "text"}, {"name": "N", "type": "number"}],
        },
    )
    rows = [{"fields": {"Name": f"r{i:03d}", "N": (i * 7) % 50}} for i in range(250)]
    api.ok("post", f"/api/v1/tables/{table['id']}/rows", {"rows": rows})
    return api, f"/api/v1/tables/{table['id']}/rows"


def _walk(api: Any, path: str, query: str) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        page = api.ok("get", f"{path}?{query}&limit=37" + (f"&cursor={cursor}" if cursor else ""))
        ids += [r["id"] for r in page["rows"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


QUERIES = ["sort=Name", "sort=-N,Name", 'filter={"field":"N","op":"gt","value":20}&sort=N']


@pytest.mark.parametrize("query", QUERIES)
def test_offset_lands_where_walking_the_cursors_would(numbers: tuple[Any, str], query: str) -> None:
    api, path = numbers
    walked = _walk(api, path, query)
    for offset in (0, 1, 99, len(walked) - 3, len(walked), len(walked) + 10):
        page = api.ok("get", f"{path}?{query}&offset={offset}&limit=20")
        assert [r["id"] for r in page["rows"]] == walked[offset : offset + 20]
        if page["next_cursor"]:
            after = api.ok("get", f"{path}?{query}&limit=20&cursor={page['next_cursor']}")
            assert [r["id"] for r in after["rows"]] == walked[offset + 20 : offset + 40]


def test_offset_in_the_query_body_and_refusals(numbers: tuple[Any, str]) -> None:
    api, path = numbers
    body = api.ok("post", f"{path}/query", {"sort": "Name", "offset": 240, "limit": 5})
    assert [r["fields"]["Name"] for r in body["rows"]] == [f"r{i}" for i in range(240, 245)]
    first = api.ok("get", f"{path}?limit=5")
    both = api.get(f"{path}?offset=5&cursor={first['next_cursor']}")
    assert both.status_code == 422 and both.json()["code"] == "INVALID_OFFSET"
    assert api.get(f"{path}?offset=-1").status_code == 400
