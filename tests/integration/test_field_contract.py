"""Contract tests over every registered field type, through the HTTP API on both databases.

Each type's samples live in ``field_samples.py``; iterating the registry means a new type
is covered (or fails for want of samples) without touching this file. One app per database
serves the module (see ``field_world.py``); each test works in a base of its own.
"""

from collections.abc import Iterator

import pytest

from tests.integration.field_samples import FIXED_NOW, Origin
from tests.integration.field_world import (
    API_OPERATORS,
    BACKENDS,
    REGISTRY,
    TYPES,
    Clock,
    Env,
    World,
    assert_error,
    empty_of,
    expected_order,
    open_env,
    sample,
)


@pytest.fixture(scope="module", params=BACKENDS)
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with open_env(request.param, request, tmp_path_factory.mktemp("contract")) as opened:
        yield opened


@pytest.fixture
def world(env: Env) -> World:
    Clock.now = FIXED_NOW
    return World(env)


# --- the contract ------------------------------------------------------------------------


def test_every_registered_type_has_a_sample():
    # Operators and sortability may depend on a field's options (computed fields), so the
    # filter and sort tests check those against the field they create.
    for type_key in TYPES:
        ftype, spec = REGISTRY.get(type_key), sample(type_key)
        assert ftype.read_only is (spec.valid is None), f"{type_key}: valid iff writable"
        if ftype.read_only:
            assert spec.data and isinstance(spec.data[0], Origin), f"{type_key}: Origin rows"
        if ftype.can_be_unique:
            assert spec.unique_pair, f"{type_key}: can be unique but has no unique_pair"


@pytest.mark.parametrize("type_key", TYPES)
def test_a_value_round_trips(world, type_key):
    ftype, spec = REGISTRY.get(type_key), sample(type_key)
    table = world.table(type_key)
    key = f"f_{table.field['id']}"
    read = world.resolve(spec.read)
    if ftype.read_only:
        refused = world.api.post(table.rows, {"rows": [{"fields": {"F": "x"}}]})
        assert_error(refused, 422, "INVALID_CELL", "read-only")
        row = world.origin(table, spec.data[0], "r")
    else:
        row = world.create(table, {"Name": "r", "F": world.resolve(spec.valid)})
        by_id = world.api.post(f"{table.rows}?keys=id", {"rows": [{"fields": {key: read}}]})
        assert by_id.status_code == 201, by_id.text
        assert by_id.json()["rows"][0]["fields"][key] == read
    assert row["fields"]["F"] == read
    assert world.api.ok("get", f"{table.rows}/{row['id']}")["fields"]["F"] == read
    assert world.api.ok("get", f"{table.rows}/{row['id']}?keys=id")["fields"][key] == read
    if not ftype.read_only:
        # Writing back what was read changes nothing, not even the version.
        same = world.api.ok("patch", f"{table.rows}/{row['id']}", {"fields": {"F": read}})
        assert (same["fields"]["F"], same["version"]) == (read, row["version"])
    for written, expected in spec.extremes:
        assert world.create(table, {"F": written})["fields"]["F"] == expected, written


@pytest.mark.parametrize(
    "type_key",
    [t for t in TYPES],
)
def test_an_invalid_value_is_refused_and_nothing_is_written(world, type_key):
    ftype, spec = REGISTRY.get(type_key), sample(type_key)
    table = world.table(type_key)
    first = world.create(table, {"Name": "kept"})
    good = {} if ftype.read_only else {"F": world.resolve(spec.valid)}
    invalid = world.resolve(spec.invalid)
    batch = [{"fields": {"Name": "a", **good}}, {"fields": {"Name": "b", "F": invalid}}]
    body = assert_error(world.api.post(table.rows, {"rows": batch}), 422, "INVALID_CELL")
    assert world.count(table) == 1
    patched = world.api.patch(f"{table.rows}/{first['id']}", {"fields": {"F": invalid}})
    assert_error(patched, 422, "INVALID_CELL")
    assert world.api.ok("get", f"{table.rows}/{first['id']}") == first
    # The answer says which row and field, and why.
    error = body["details"]["errors"][0]
    assert (error.get("row"), error["field"], bool(error["message"])) == (1, "F", True)


@pytest.mark.parametrize("type_key", TYPES)
def test_every_operator_returns_the_expected_rows(world, type_key):
    ftype, spec = REGISTRY.get(type_key), sample(type_key)
    table, ids = world.data_table(type_key)
    operators = ftype.operators_for(table.fdef)
    missing = operators - set(spec.filters)
    assert not missing, f"SAMPLES[{type_key!r}] has no filter case for {sorted(missing)}"
    for op in sorted(operators):
        for value, expected in spec.filters[op]:
            condition = {"field": "F", "op": op, "value": world.resolve(value)}
            assert world.ids(table, condition) == {ids[i] for i in expected}, condition
    if operators:
        op, (value, expected) = next((o, c[0]) for o, c in sorted(spec.filters.items()))
        body = {"filter": {"and": [{"field": "F", "op": op, "value": world.resolve(value)}]}}
        queried = world.api.ok("post", f"{table.rows}/query", body)
        assert {row["id"] for row in queried["rows"]} == {ids[i] for i in expected}
    other = sorted(API_OPERATORS - operators)[0]
    refused = world.filtered(table, {"field": "F", "op": other, "value": "x"})
    assert_error(refused, 422, "INVALID_FILTER", f"operator '{other}' does not apply")


@pytest.mark.parametrize("type_key", TYPES)
def test_sorting_follows_the_values_or_is_refused(world, type_key):
    ftype, spec = REGISTRY.get(type_key), sample(type_key)
    table, ids = world.data_table(type_key)
    assert (spec.rank is not None) is ftype.is_sortable(table.fdef), "rank iff sortable"
    if spec.rank is None:
        refused = world.api.get(table.rows, params={"sort": "F"})
        assert_error(refused, 422, "INVALID_FILTER", "cannot sort by 'F'")
        return
    ascending = expected_order(spec.rank, ids, descending=False)
    descending = expected_order(spec.rank, ids, descending=True)
    assert world.order(table, "F") == ascending
    assert world.order(table, "-F") == descending
    assert world.order(table, "F", limit=2) == ascending  # cursors carry the sort values
    assert world.order(table, "-F", limit=2) == descending


@pytest.mark.parametrize("type_key", TYPES)
def test_type_change_to_text_and_back(world, type_key):
    ftype, spec = REGISTRY.get(type_key), sample(type_key)
    table, ids = world.data_table(type_key)
    before = world.cells(table)
    if spec.text is None:
        for dry_run in (True, False):
            refused = world.change(table, {"type": "text"}, dry_run=dry_run)
            assert_error(refused, 422, "TYPE_CHANGE_UNSUPPORTED")
        assert world.field_type(table) == type_key
        return
    dry = world.change(table, {"type": "text"}, dry_run=True)
    assert (dry.status_code, dry.json()) == (200, {"unconvertible": [], "count": 0})
    assert (world.field_type(table), world.cells(table)) == (type_key, before)

    assert world.change(table, {"type": "text"}).status_code == 200
    texts = dict(zip(ids, world.resolve(spec.text), strict=True))
    assert world.cells(table) == texts

    options = world.resolve(spec.options)
    lost = ftype.read_only or spec.lost_back
    listed = sorted(row_id for row_id, text in texts.items() if text) if lost else []
    dry = world.change(table, {"type": type_key, "options": options}, dry_run=True).json()
    assert sorted(item["row_id"] for item in dry["unconvertible"]) == listed, dry
    assert dry["count"] == len(listed)
    assert world.change(table, {"type": type_key, "options": options}).status_code == 200
    back = before if spec.back is None else dict(zip(ids, world.resolve(spec.back), strict=True))
    assert world.cells(table) == back
    for row_id in listed:
        entry = world.history(table, row_id)[0]
        assert entry["action"] == "type_change"
        assert entry["changes"][0]["old"] == texts[row_id]


@pytest.mark.parametrize("type_key", TYPES)
def test_text_that_does_not_convert_is_listed_first_and_kept_in_history(world, type_key):
    ftype, spec = REGISTRY.get(type_key), sample(type_key)
    table = world.table("text", setup=type_key)
    good = None if spec.good_text is None else world.resolve(spec.good_text)
    texts = [good[0]] if good else []
    texts += [spec.bad_text] if spec.bad_text else []
    rows = [world.create(table, {"Name": f"r{i}", "F": t}) for i, t in enumerate([*texts, None])]
    before = world.cells(table)
    change = {"type": type_key, "options": world.resolve(spec.options)}
    if spec.text is None:
        assert_error(world.change(table, change, dry_run=True), 422, "TYPE_CHANGE_UNSUPPORTED")
        assert_error(world.change(table, change), 422, "TYPE_CHANGE_UNSUPPORTED")
        return
    bad_row = rows[len(texts) - 1]["id"] if spec.bad_text else None
    dry = world.change(table, change, dry_run=True).json()
    listed = [(i["row_id"], i["value"]) for i in dry["unconvertible"]]
    assert listed == ([(bad_row, spec.bad_text)] if bad_row else []), dry
    assert all(item["error"] for item in dry["unconvertible"])
    assert (world.field_type(table), world.cells(table)) == ("text", before)

    assert world.change(table, change).status_code == 200
    after = world.cells(table)
    if good and not ftype.read_only:
        assert after[rows[0]["id"]] == good[1]
    if bad_row:
        if not ftype.read_only:
            assert after[bad_row] == empty_of(after[rows[-1]["id"]])
        entry = world.history(table, bad_row)[0]
        assert entry["action"] == "type_change"
        kept = {"field_id": f"f_{table.field['id']}", "field": "F", "old": spec.bad_text}
        assert entry["changes"] == [{**kept, "new": None}]


@pytest.mark.parametrize("type_key", TYPES)
def test_a_required_field_needs_a_value(world, type_key):
    ftype, spec = REGISTRY.get(type_key), sample(type_key)
    table = world.table(type_key, required=True)
    if ftype.read_only:
        # The system fills these in; requiring them never blocks a write.
        world.create(table, {"Name": "r"})
        return
    assert_error(
        world.api.post(table.rows, {"rows": [{"fields": {"Name": "r"}}]}),
        422,
        "INVALID_CELL",
        "is required",
    )
    empty = {"rows": [{"fields": {"F": None}}]}
    assert_error(world.api.post(table.rows, empty), 422, "INVALID_CELL", "is required")
    row = world.create(table, {"F": world.resolve(spec.valid)})
    cleared = world.api.patch(f"{table.rows}/{row['id']}", {"fields": {"F": None}})
    assert_error(cleared, 422, "INVALID_CELL", "is required")
    assert world.count(table) == 1
    assert world.api.ok("get", f"{table.rows}/{row['id']}") == row


@pytest.mark.parametrize("type_key", TYPES)
def test_unique_values_are_enforced_where_the_type_allows_it(world, type_key):
    ftype, spec = REGISTRY.get(type_key), sample(type_key)
    if not ftype.can_be_unique:
        body = world.table_spec(type_key, unique=True)
        refused = world.api.post(f"/api/v1/bases/{world.base_id}/tables", body)
        assert_error(refused, 422, "UNIQUE_NOT_SUPPORTED")
        return
    assert spec.unique_pair is not None
    one, two = spec.unique_pair
    table = world.table(type_key, unique=True)
    first = world.create(table, {"Name": "first", "F": one})
    clash = [{"fields": {"Name": "new", "F": two}}, {"fields": {"Name": "dup", "F": one}}]
    assert_error(world.api.post(table.rows, {"rows": clash}), 409, "UNIQUE_VIOLATION")
    twice = [{"fields": {"F": two}}, {"fields": {"F": two}}]
    assert_error(world.api.post(table.rows, {"rows": twice}), 409, "UNIQUE_VIOLATION")
    assert world.count(table) == 1  # no partial write
    second = world.create(table, {"Name": "second", "F": two})
    moved = world.api.patch(f"{table.rows}/{second['id']}", {"fields": {"F": one}})
    assert_error(moved, 409, "UNIQUE_VIOLATION")
    expected = {first["id"]: first["fields"]["F"], second["id"]: second["fields"]["F"]}
    assert world.cells(table) == expected
    # Empty cells are not values: any number of rows may leave a unique field empty.
    world.create(table, {"Name": "blank"})
    world.create(table, {"Name": "blank too", "F": None})
    world.create(table, {"Name": "spaces", "F": "  "})
    assert world.count(table) == 5
