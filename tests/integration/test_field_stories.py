"""Field behaviour that needs more than one field or one step: links in both directions,
renamed choices, auto numbers, relative dates at a month's edge and "modified" fields.

Runs on both databases in the same world as the contract tests (``field_world.py``).
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.field_samples import FIXED_NOW
from tests.integration.field_world import BACKENDS, Clock, Env, Table, World, assert_error, open_env


@pytest.fixture(scope="module", params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with open_env(request.param, request, tmp_path_factory.mktemp("stories")) as opened:
        yield opened


@pytest.fixture
def world(env: Env) -> World:
    Clock.now = FIXED_NOW
    return World(env)


def make_table(world: World, name: str, fields: list[dict]) -> dict:
    return world.api.ok(
        "post", f"/api/v1/bases/{world.base_id}/tables", {"name": name, "fields": fields}
    )


def rows_path(table: dict) -> str:
    return f"/api/v1/tables/{table['id']}/rows"


def create(world: World, table: dict, *cells: dict) -> list[int]:
    created = world.api.ok("post", rows_path(table), {"rows": [{"fields": c} for c in cells]})
    return [row["id"] for row in created["rows"]]


def cell(world: World, table: dict, row_id: int, field: str):
    return world.api.ok("get", f"{rows_path(table)}/{row_id}")["fields"][field]


def matching(world: World, table: dict, field: str, op: str, value=None) -> set[int]:
    return world.ids(Table(table["id"], {}), {"field": field, "op": op, "value": value})


def test_links_work_in_both_directions_and_a_single_link_moves(world):
    customers = make_table(world, "Customers", [{"name": "Name", "type": "text"}])
    orders = make_table(
        world,
        "Orders",
        [
            {"name": "No", "type": "text"},
            {
                "name": "Customer",
                "type": "link",
                "options": {"table_id": customers["id"], "multiple": False},
            },
        ],
    )
    reverse = world.api.ok("get", f"/api/v1/tables/{customers['id']}")["fields"][-1]
    assert (reverse["name"], reverse["type"], reverse["options"]["multiple"]) == (
        "Orders",
        "link",
        True,
    )
    acme, bolt = create(world, customers, {"Name": "Acme"}, {"Name": "Bolt"})
    o1, o2, o3 = create(
        world, orders, {"No": "O-1", "Customer": [acme]}, {"No": "O-2"}, {"No": "O-3"}
    )
    assert cell(world, customers, acme, "Orders") == [{"id": o1, "name": "O-1"}]

    # Written from the reverse side, o1 moves to Bolt: an order has one customer.
    world.api.ok("patch", f"{rows_path(customers)}/{bolt}", {"fields": {"Orders": [o1, o2]}})
    assert cell(world, customers, bolt, "Orders") == [
        {"id": o1, "name": "O-1"},
        {"id": o2, "name": "O-2"},
    ]
    assert cell(world, customers, acme, "Orders") == []
    assert cell(world, orders, o1, "Customer") == [{"id": bolt, "name": "Bolt"}]

    two = world.api.patch(f"{rows_path(orders)}/{o3}", {"fields": {"Customer": [acme, bolt]}})
    assert_error(two, 422, "INVALID_CELL", "one record only")
    missing = world.api.post(rows_path(orders), {"rows": [{"fields": {"Customer": [10**9]}}]})
    assert_error(missing, 422, "INVALID_CELL", "do not exist")
    assert world.api.ok("get", f"{rows_path(orders)}/count")["count"] == 3

    assert matching(world, customers, "Orders", "has_any", [o1]) == {bolt}
    assert matching(world, customers, "Orders", "is_empty") == {acme}
    assert matching(world, customers, "Orders", "contains", "o-2") == {bolt}
    assert matching(world, orders, "Customer", "has_any", [bolt]) == {o1, o2}
    assert matching(world, orders, "Customer", "is_empty") == {o3}
    assert matching(world, orders, "Customer", "contains", "BOLT") == {o1, o2}
    assert matching(world, orders, "Customer", "not_contains", "bolt") == {o3}
    bad = world.filtered(
        Table(orders["id"], {}), {"field": "Customer", "op": "has_any", "value": ["x"]}
    )
    assert_error(bad, 422, "INVALID_FILTER", "row ids")

    world.api.ok("delete", f"{rows_path(orders)}/{o2}")
    assert cell(world, customers, bolt, "Orders") == [{"id": o1, "name": "O-1"}]


def test_a_multiple_link_keeps_many_records_on_both_sides(world):
    tags = make_table(world, "Tags", [{"name": "Name", "type": "text"}])
    posts = make_table(
        world,
        "Posts",
        [
            {"name": "Title", "type": "text"},
            {"name": "Tags", "type": "link", "options": {"table_id": tags["id"]}},
        ],
    )
    red, blue = create(world, tags, {"Name": "red"}, {"Name": "blue"})
    p1, p2 = create(
        world, posts, {"Title": "a", "Tags": [red, blue]}, {"Title": "b", "Tags": [red]}
    )
    assert cell(world, tags, red, "Posts") == [{"id": p1, "name": "a"}, {"id": p2, "name": "b"}]
    world.api.ok("patch", f"{rows_path(tags)}/{blue}", {"fields": {"Posts": [p2]}})
    assert cell(world, posts, p1, "Tags") == [{"id": red, "name": "red"}]
    assert cell(world, posts, p2, "Tags") == [
        {"id": red, "name": "red"},
        {"id": blue, "name": "blue"},
    ]
    assert matching(world, posts, "Tags", "has_all", [red, blue]) == {p2}


@pytest.mark.parametrize(
    ("type_key", "values", "read"),
    [
        ("single_select", ["Todo", "Done", "Todo"], ["Backlog", "Done", "Backlog"]),
        (
            "multiple_select",
            [["Todo"], ["Done", "Todo"], []],
            [["Backlog"], ["Done", "Backlog"], []],
        ),
    ],
)
def test_renaming_a_choice_renames_it_in_every_cell(world, type_key, values, read):
    table = make_table(
        world,
        "Tasks",
        [
            {"name": "Name", "type": "text"},
            {"name": "S", "type": type_key, "options": {"choices": ["Todo", "Done"]}},
        ],
    )
    field = table["fields"][1]
    todo, done = field["options"]["choices"]
    ids = create(world, table, *[{"S": v} for v in values])
    renamed = {"choices": [{**todo, "name": "Backlog"}, done]}
    world.api.ok("patch", f"/api/v1/fields/{field['id']}", {"options": renamed})
    assert [cell(world, table, i, "S") for i in ids] == read
    op = "eq" if type_key == "single_select" else "has_any"
    assert matching(world, table, "S", op, "Backlog") == {
        i for i, v in zip(ids, read, strict=True) if "Backlog" in (v or "")
    }
    assert_error(
        world.filtered(Table(table["id"], {}), {"field": "S", "op": op, "value": "Todo"}),
        422,
        "INVALID_FILTER",
    )
    stale = world.api.patch(f"{rows_path(table)}/{ids[1]}", {"fields": {"S": "Todo"}})
    assert_error(stale, 422, "INVALID_CELL", "not one of the choices: Backlog, Done")


def test_choices_given_by_name_keep_their_cells(world):
    table = make_table(
        world,
        "Tasks",
        [
            {"name": "Name", "type": "text"},
            {"name": "S", "type": "single_select", "options": {"choices": ["Todo", "Done"]}},
        ],
    )
    ids = create(world, table, {"S": "Todo"}, {"S": "Done"})
    field_id = table["fields"][1]["id"]
    more = {"choices": [{"name": "Todo"}, {"name": "Done"}, {"name": "Later"}]}
    world.api.ok("patch", f"/api/v1/fields/{field_id}", {"options": more})
    assert [cell(world, table, i, "S") for i in ids] == ["Todo", "Done"]


def test_auto_numbers_sort_as_numbers_not_as_text(world):
    table = make_table(
        world, "Tickets", [{"name": "Name", "type": "text"}, {"name": "N", "type": "auto_number"}]
    )
    ids = create(world, table, *[{"Name": f"t{i}"} for i in range(11)])
    assert [cell(world, table, i, "N") for i in ids[8:]] == ["9", "10", "11"]
    path = Table(table["id"], {})
    assert world.order(path, "N") == ids
    assert world.order(path, "-N", limit=4) == ids[::-1]
    assert matching(world, table, "N", "eq", "10") == {ids[9]}


def test_auto_numbers_restart_after_a_round_trip_through_text(world):
    table = make_table(
        world,
        "Orders",
        [
            {"name": "Name", "type": "text"},
            {"name": "No", "type": "auto_number", "options": {"format": "A-{000}"}},
        ],
    )
    ids = create(world, table, {"Name": "a"}, {"Name": "b"})
    field_id = table["fields"][1]["id"]
    world.api.ok("patch", f"/api/v1/fields/{field_id}", {"type": "text"})
    world.api.ok(
        "patch",
        f"/api/v1/fields/{field_id}",
        {"type": "auto_number", "options": {"format": "A-{000}"}},
    )
    assert [cell(world, table, i, "No") for i in ids] == ["A-001", "A-002"]
    (third,) = create(world, table, {"Name": "c"})
    assert cell(world, table, third, "No") == "A-003"


def test_within_takes_today_in_the_field_or_base_time_zone(world):
    # 22:30 in UTC on the last of March is already 1 April in Berlin, the base's zone.
    Clock.now = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    table = make_table(
        world,
        "Dates",
        [
            {"name": "Name", "type": "text"},
            {"name": "D", "type": "date"},
            {"name": "T", "type": "datetime", "options": {"time_zone": "UTC"}},
        ],
    )
    days = ["2026-03-31", "2026-04-01", "2026-04-30", "2026-05-01"]
    ids = create(world, table, *[{"D": d, "T": f"{d}T12:00:00Z"} for d in days])
    on = dict(zip(days, ids, strict=True))

    def within(field: str, name: str) -> set[str]:
        found = matching(world, table, field, "within", name)
        return {day for day, row_id in on.items() if row_id in found}

    assert within("D", "today") == {"2026-04-01"}
    assert within("D", "yesterday") == {"2026-03-31"}
    assert within("D", "this_month") == {"2026-04-01", "2026-04-30"}
    assert within("D", "past_7_days") == {"2026-03-31", "2026-04-01"}
    assert within("D", "next_30_days") == {"2026-04-01", "2026-04-30", "2026-05-01"}
    assert within("D", "next_29_days") == {"2026-04-01", "2026-04-30"}
    # The datetime field keeps UTC, where it is still 31 March.
    assert within("T", "today") == {"2026-03-31"}
    assert within("T", "this_month") == {"2026-03-31"}
    assert within("T", "next_7_days") == {"2026-03-31", "2026-04-01"}
    unknown = world.filtered(
        Table(table["id"], {}), {"field": "D", "op": "within", "value": "fortnight"}
    )
    assert_error(unknown, 422, "INVALID_FILTER", "unknown range 'fortnight'")


def test_modified_time_and_by_follow_the_last_real_change(world, env):
    table = make_table(
        world,
        "Notes",
        [
            {"name": "Name", "type": "text"},
            {"name": "Created", "type": "created_time"},
            {"name": "Modified", "type": "modified_time"},
            {"name": "Author", "type": "created_by"},
            {"name": "Editor", "type": "modified_by"},
        ],
    )
    (row_id,) = create(world, table, {"Name": "draft"})
    Clock.now = FIXED_NOW + timedelta(days=1)
    path = f"{rows_path(table)}/{row_id}"
    env.member.ok("patch", path, {"fields": {"Name": "draft"}})  # no change, no trace
    assert cell(world, table, row_id, "Editor")["id"] == env.users["owner"]["id"]
    edited = env.member.ok("patch", path, {"fields": {"Name": "final"}})["fields"]
    assert edited["Created"] == "2026-03-18T11:30:00+01:00"
    assert edited["Modified"] == "2026-03-19T11:30:00+01:00"
    assert (edited["Author"], edited["Editor"]) == (env.users["owner"], env.users["member"])
    assert matching(world, table, "Modified", "within", "today") == {row_id}
    assert matching(world, table, "Created", "within", "today") == set()
    assert matching(world, table, "Editor", "eq", env.users["member"]["email"]) == {row_id}


def test_the_primary_field_keeps_a_type_that_can_name_rows(world):
    table = make_table(world, "Items", [{"name": "Name", "type": "text"}])
    (row_id,) = create(world, table, {"Name": "yes"})
    name_id = table["fields"][0]["id"]
    for new_type in ("checkbox", "multiple_select", "attachment"):
        refused = world.api.patch(f"/api/v1/fields/{name_id}", {"type": new_type})
        assert_error(refused, 422, "INVALID_PRIMARY", "primary field cannot become")
    assert cell(world, table, row_id, "Name") == "yes"
    world.api.ok("patch", f"/api/v1/fields/{name_id}", {"type": "number"}, status=200)


def test_text_becomes_a_select_with_its_distinct_values_as_choices(world):
    table = make_table(
        world, "Items", [{"name": "Name", "type": "text"}, {"name": "S", "type": "text"}]
    )
    ids = create(world, table, {"S": "beta"}, {"S": "alpha"}, {"S": "beta"}, {})
    field_id = table["fields"][1]["id"]
    dry = world.api.ok(
        "patch", f"/api/v1/fields/{field_id}?dry_run=true", {"type": "single_select"}
    )
    assert dry == {"unconvertible": [], "count": 0}
    changed = world.api.ok("patch", f"/api/v1/fields/{field_id}", {"type": "single_select"})
    assert [c["name"] for c in changed["options"]["choices"]] == ["beta", "alpha"]
    assert [cell(world, table, i, "S") for i in ids] == ["beta", "alpha", "beta", None]
    assert world.order(Table(table["id"], {}), "S") == [ids[0], ids[2], ids[1], ids[3]]
