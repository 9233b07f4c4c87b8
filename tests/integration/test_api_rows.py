"""Rows through the API: batches, atomicity, upserts, optimistic concurrency, paging."""

import json

import pytest

from tests.factories import Api, make_api, make_user, token_for


@pytest.fixture
def shop(services, client):
    api = make_api(services, client)
    base = api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "Shop"})
    products = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Products",
            "fields": [
                {"name": "Name", "type": "text"},
                {"name": "SKU", "type": "text", "unique": True},
                {"name": "Price", "type": "currency", "options": {"currency": "EUR"}},
                {"name": "Stock", "type": "number"},
                {"name": "Kind", "type": "single_select", "options": {"choices": ["A", "B"]}},
            ],
        },
    )
    return api, base, products


def rows_url(table):
    return f"/api/v1/tables/{table['id']}/rows"


def count(api, table):
    return api.ok("get", f"{rows_url(table)}/count")["count"]


def test_batch_of_1001_rows_is_413_and_writes_nothing(shop):
    api, _, products = shop
    response = api.post(
        rows_url(products), {"rows": [{"fields": {"Name": f"p{i}"}} for i in range(1001)]}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "BATCH_TOO_LARGE"
    assert count(api, products) == 0


def test_batch_of_1000_rows_is_created_in_order(shop):
    api, _, products = shop
    rows = api.ok(
        "post",
        rows_url(products),
        {"rows": [{"fields": {"Name": f"p{i}", "Stock": i}} for i in range(1000)]},
    )
    assert [r["fields"]["Stock"] for r in rows["rows"]] == list(range(1000))
    assert count(api, products) == 1000


def test_one_bad_cell_fails_the_whole_batch_and_names_every_problem(shop):
    api, _, products = shop
    response = api.post(
        rows_url(products),
        {
            "rows": [
                {"fields": {"Name": "ok", "Stock": 1}},
                {"fields": {"Name": "bad", "Stock": "many"}},
                {"fields": {"Name": "worse", "Kind": "Z", "Nope": 1}},
            ]
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "INVALID_CELL"
    problems = {(e["row"], e["field"]) for e in body["details"]["errors"]}
    assert problems == {(1, "Stock"), (2, "Kind"), (2, "Nope")}
    assert count(api, products) == 0


def test_duplicate_unique_value_is_409_and_nothing_is_written(shop):
    api, _, products = shop
    api.ok("post", rows_url(products), {"rows": [{"fields": {"SKU": "A-1"}}]})
    response = api.post(
        rows_url(products), {"rows": [{"fields": {"SKU": "B-1"}}, {"fields": {"SKU": "A-1"}}]}
    )
    assert response.status_code == 409 and response.json()["code"] == "UNIQUE_VIOLATION"
    twice = api.post(
        rows_url(products), {"rows": [{"fields": {"SKU": "C"}}, {"fields": {"SKU": "C"}}]}
    )
    assert twice.status_code == 409
    assert count(api, products) == 1


def test_unknown_body_properties_are_rejected(shop):
    api, base, products = shop
    sneaky = api.post(rows_url(products), {"rows": [{"fields": {"Name": "x"}, "owner_id": 1}]})
    assert sneaky.status_code == 400 and sneaky.json()["code"] == "INVALID_REQUEST"
    table = api.post(
        f"/api/v1/bases/{base['id']}/tables", {"name": "T", "workspace_id": 99, "fields": []}
    )
    assert table.status_code == 400
    role = api.post(
        f"/api/v1/bases/{base['id']}/tables",
        {"name": "T", "fields": [{"name": "F", "type": "text", "role": "owner"}]},
    )
    assert role.status_code == 400
    assert count(api, products) == 0


def test_malformed_json_is_a_clear_400(shop):
    api, _, products = shop
    response = api.client.post(
        rows_url(products),
        content=b'{"rows": [',
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"MALFORMED_JSON", "INVALID_REQUEST"}


def test_hostile_names_are_just_names(shop):
    api, base, _ = shop
    evil = "x'); DROP TABLE t; --"
    table = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": evil,
            "fields": [{"name": evil, "type": "text"}, {"name": '"f"; DELETE', "type": "number"}],
        },
    )
    assert table["name"] == evil
    rows = api.ok("post", rows_url(table), {"rows": [{"fields": {evil: evil, '"f"; DELETE': 3}}]})
    assert rows["rows"][0]["fields"][evil] == evil
    flt = json.dumps({"field": evil, "op": "eq", "value": evil})
    found = api.ok("get", f"{rows_url(table)}?filter={flt}")
    assert len(found["rows"]) == 1
    by_name = api.ok("get", f"/api/v1/tables/{evil}")
    assert by_name["id"] == table["id"]


def test_update_with_if_match_detects_concurrent_change(shop):
    api, _, products = shop
    row = api.ok("post", rows_url(products), {"rows": [{"fields": {"Name": "a"}}]})["rows"][0]
    url = f"{rows_url(products)}/{row['id']}"
    first = api.patch(url, {"fields": {"Name": "b"}}, headers={"If-Match": str(row["version"])})
    assert first.status_code == 200 and first.json()["version"] == row["version"] + 1
    stale = api.patch(url, {"fields": {"Name": "c"}}, headers={"If-Match": str(row["version"])})
    assert stale.status_code == 409 and stale.json()["code"] == "VERSION_CONFLICT"
    assert api.ok("get", url)["fields"]["Name"] == "b"


def test_batch_update_with_versions_refuses_rows_changed_since(shop):
    api, _, products = shop
    a, b = api.ok(
        "post", rows_url(products), {"rows": [{"fields": {"Name": "a"}}, {"fields": {"Name": "b"}}]}
    )["rows"]
    api.ok("patch", f"{rows_url(products)}/{b['id']}", {"fields": {"Name": "b2"}})
    stale = api.patch(
        rows_url(products),
        {
            "rows": [
                {"id": a["id"], "version": a["version"], "fields": {"Name": "a3"}},
                {"id": b["id"], "version": b["version"], "fields": {"Name": "b3"}},
            ]
        },
    )
    assert stale.status_code == 409 and stale.json()["details"]["row_id"] == b["id"]
    assert api.ok("get", f"{rows_url(products)}/{a['id']}")["fields"]["Name"] == "a"  # nothing
    fresh = api.ok("get", f"{rows_url(products)}/{b['id']}")
    both = api.ok(
        "patch",
        rows_url(products),
        {
            "rows": [
                {"id": a["id"], "version": a["version"], "fields": {"Name": "a3"}},
                {"id": b["id"], "version": fresh["version"], "fields": {"Name": "b3"}},
            ]
        },
    )
    assert [r["fields"]["Name"] for r in both["rows"]] == ["a3", "b3"]


def test_unchanged_update_keeps_version(shop):
    api, _, products = shop
    row = api.ok("post", rows_url(products), {"rows": [{"fields": {"Name": "a"}}]})["rows"][0]
    same = api.ok("patch", f"{rows_url(products)}/{row['id']}", {"fields": {"Name": "a"}})
    assert same["version"] == row["version"]


def test_batch_update_is_all_or_nothing(shop):
    api, _, products = shop
    rows = api.ok(
        "post", rows_url(products), {"rows": [{"fields": {"Stock": 1}}, {"fields": {"Stock": 2}}]}
    )["rows"]
    bad = api.patch(
        rows_url(products),
        {
            "rows": [
                {"id": rows[0]["id"], "fields": {"Stock": 10}},
                {"id": 999999, "fields": {"Stock": 20}},
            ]
        },
    )
    assert bad.status_code == 404 and bad.json()["code"] == "ROW_NOT_FOUND"
    assert api.ok("get", f"{rows_url(products)}/{rows[0]['id']}")["fields"]["Stock"] == 1


def test_upsert_by_sku_creates_and_updates(shop):
    api, _, products = shop
    api.ok("post", rows_url(products), {"rows": [{"fields": {"SKU": "A", "Stock": 1}}]})
    result = api.ok(
        "post",
        f"{rows_url(products)}/upsert",
        {
            "key_fields": ["SKU"],
            "rows": [{"fields": {"SKU": "A", "Stock": 5}}, {"fields": {"SKU": "B", "Stock": 7}}],
        },
    )
    assert [r["fields"]["Stock"] for r in result["rows"]] == [5, 7]
    assert len(result["created"]) == 1 and len(result["updated"]) == 1
    assert count(api, products) == 2
    dup = api.post(
        f"{rows_url(products)}/upsert",
        {"key_fields": ["SKU"], "rows": [{"fields": {"SKU": "C"}}, {"fields": {"SKU": "C"}}]},
    )
    assert dup.status_code == 422 and dup.json()["code"] == "DUPLICATE_KEY"


def test_cursor_paging_visits_every_row_once_in_sort_order(shop):
    api, _, products = shop
    values = [None, 3, 1, 3, None, 2, 5, 4, 3, 1]
    api.ok(
        "post",
        rows_url(products),
        {"rows": [{"fields": {"Name": f"r{i}", "Stock": v}} for i, v in enumerate(values)]},
    )
    for sort in ("Stock", "-Stock", "-Stock,Name", "Name"):
        seen, cursor = [], None
        while True:
            url = f"{rows_url(products)}?sort={sort}&limit=3"
            page = api.ok("get", url + (f"&cursor={cursor}" if cursor else ""))
            seen.extend(page["rows"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(values) and len({r["id"] for r in seen}) == len(values)
        if sort == "Name":
            names = [r["fields"]["Name"] for r in seen]
            assert names == sorted(names)
            continue
        stocks = [r["fields"]["Stock"] for r in seen]
        keyed = [float("inf") if s is None else s for s in stocks]  # blanks sort as largest
        assert keyed == sorted(keyed, reverse=sort.startswith("-Stock")), (sort, stocks)


def test_cursor_from_another_sort_is_refused(shop):
    api, _, products = shop
    api.ok("post", rows_url(products), {"rows": [{"fields": {"Stock": i}} for i in range(5)]})
    page = api.ok("get", f"{rows_url(products)}?sort=Stock&limit=2")
    other = api.get(f"{rows_url(products)}?sort=Name&limit=2&cursor={page['next_cursor']}")
    assert other.status_code == 422 and other.json()["code"] == "INVALID_CURSOR"
    garbage = api.get(f"{rows_url(products)}?cursor=!!notacursor")
    assert garbage.status_code == 422


def test_filters_search_keys_and_fields(shop):
    api, _, products = shop
    api.ok(
        "post",
        rows_url(products),
        {
            "rows": [
                {"fields": {"Name": "Blue chair", "Stock": 3, "Kind": "A"}},
                {"fields": {"Name": "Red table", "Stock": 10, "Kind": "B"}},
                {"fields": {"Name": "Blue table", "Stock": 0, "Kind": "B"}},
            ]
        },
    )
    flt = {
        "and": [
            {"field": "Kind", "op": "eq", "value": "B"},
            {
                "or": [
                    {"field": "Stock", "op": "lt", "value": 5},
                    {"field": "Name", "op": "starts_with", "value": "red"},
                ]
            },
        ]
    }
    found = api.ok("post", f"{rows_url(products)}/query", {"filter": flt, "sort": "Name"})
    assert [r["fields"]["Name"] for r in found["rows"]] == ["Blue table", "Red table"]
    searched = api.ok("get", f"{rows_url(products)}?search=blue&sort=Name")
    assert [r["fields"]["Name"] for r in searched["rows"]] == ["Blue chair", "Blue table"]
    stock_id = next(f["id"] for f in products["fields"] if f["name"] == "Stock")
    by_id = api.ok("get", f"{rows_url(products)}?keys=id&fields=Stock&sort=Stock")
    assert [r["fields"] for r in by_id["rows"]] == [
        {f"f_{stock_id}": 0},
        {f"f_{stock_id}": 3},
        {f"f_{stock_id}": 10},
    ]
    counted = api.ok("get", f"{rows_url(products)}/count?filter={json.dumps(flt)}")
    assert counted == {"count": 2, "estimated": False}


def nested(depth):
    """A filter nested ``depth`` groups deep (the compiler allows 8)."""
    node = {"field": "Stock", "op": "eq", "value": 1}
    for level in range(depth):
        node = {"and" if level % 2 else "or": [node]}
    return node


@pytest.mark.parametrize(
    "bad",
    [
        {"field": "Nope", "op": "eq", "value": 1},
        {"field": "Stock", "op": "contains", "value": "x"},
        {"field": "Stock", "op": "lt", "value": "ten"},
        {"and": {"field": "Stock"}},
        {"field": "Stock", "op": "eq", "value": 1, "extra": True},
        nested(10),
    ],
)
def test_invalid_filters_are_422_with_a_reason(shop, bad):
    api, _, products = shop
    response = api.get(f"{rows_url(products)}?filter={json.dumps(bad)}")
    assert response.status_code == 422, response.text
    assert response.json()["code"] in {"INVALID_FILTER", "UNKNOWN_FIELD"}
    assert response.json()["message"]


def test_filter_that_is_not_json(shop):
    api, _, products = shop
    response = api.get(f"{rows_url(products)}?filter={{nope")
    assert response.status_code == 422 and response.json()["code"] == "INVALID_FILTER"


def test_delete_moves_rows_to_trash_and_restore_brings_them_back(shop):
    api, base, products = shop
    rows = api.ok(
        "post", rows_url(products), {"rows": [{"fields": {"Name": "keep me", "SKU": "K"}}]}
    )["rows"]
    api.ok("delete", rows_url(products), {"ids": [rows[0]["id"]]})
    assert count(api, products) == 0
    trash = api.ok("get", f"/api/v1/bases/{base['id']}/trash")["items"]
    assert trash[0]["label"] == "keep me"
    restored = api.ok("post", f"/api/v1/bases/{base['id']}/trash/{trash[0]['id']}/restore")
    assert restored["id"] == rows[0]["id"] and restored["fields"]["SKU"] == "K"
    assert count(api, products) == 1
    history = api.ok("get", f"{rows_url(products)}/{rows[0]['id']}/history")["items"]
    assert [h["action"] for h in history] == ["create", "delete", "create"]


def test_history_records_who_changed_what(shop):
    api, _, products = shop
    row = api.ok("post", rows_url(products), {"rows": [{"fields": {"Stock": 1}}]})["rows"][0]
    api.ok("patch", f"{rows_url(products)}/{row['id']}", {"fields": {"Stock": 2, "Kind": "A"}})
    history = api.ok("get", f"{rows_url(products)}/{row['id']}/history")["items"]
    update = history[0]
    assert update["action"] == "update" and update["actor"]["id"] == api.user_id
    changes = {c["field"]: (c["old"], c["new"]) for c in update["changes"]}
    assert changes == {"Stock": (1, 2), "Kind": (None, "A")}


def test_comments_on_a_row(services, shop):
    api, _, products = shop
    row = api.ok("post", rows_url(products), {"rows": [{"fields": {"Name": "a"}}]})["rows"][0]
    url = f"{rows_url(products)}/{row['id']}/comments"
    first = api.ok("post", url, {"body": "  Check the supplier  "})
    assert first["body"] == "Check the supplier" and first["author"]["id"] == api.user_id
    assert [c["body"] for c in api.ok("get", url)["items"]] == ["Check the supplier"]
    assert api.post(url, {"body": "   "}).status_code == 422
    assert api.post(f"{rows_url(products)}/99999/comments", {"body": "x"}).status_code == 404
    assert first["updated_at"] is None
    edited = api.ok("patch", f"{url}/{first['id']}", {"body": "Check the supplier first"})
    assert edited["body"] == "Check the supplier first" and edited["updated_at"]
    assert api.ok("get", url)["items"][0]["body"] == "Check the supplier first"
    assert api.patch(f"{url}/{first['id']}", {"body": ""}).status_code == 422
    assert api.patch(f"{url}/99999", {"body": "x"}).status_code == 404
    other = make_api(services, api.client)
    assert other.patch(f"{url}/{first['id']}", {"body": "hijacked"}).status_code == 404
    _, admin = make_user(services, workspace=None)
    api.ok(
        "post",
        f"/api/v1/workspaces/{api.workspace_id}/members",
        {"email": admin.email, "role": "admin"},
    )
    colleague = Api(
        api.client,
        token_for(services, admin, scopes=["read", "write"]),
        admin.user_id,
        api.workspace_id,
    )
    assert colleague.patch(f"{url}/{first['id']}", {"body": "reworded"}).status_code == 403
    api.ok("delete", f"{url}/{first['id']}", status=204)
    assert api.ok("get", url)["items"] == []
