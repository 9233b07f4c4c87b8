"""Shared SQL conditions, run for real on an in-memory SQLite database."""

import json

import pytest
import sqlalchemy as sa

from tablekit.fields import conditions
from tablekit.fields.base import JSON_CELL

ROWS = {
    1: ("50% off", [1, 2]),
    2: ("5000 off", [2]),
    3: ("a_b", []),
    4: ("ab", None),
    5: (None, "json null"),
}


@pytest.fixture(scope="module")
def table():
    engine = sa.create_engine("sqlite://")
    meta = sa.MetaData()
    t = sa.Table(
        "t",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text),
        sa.Column("cells", JSON_CELL),
    )
    meta.create_all(engine)
    with engine.begin() as conn:
        for row_id, (text, items) in ROWS.items():
            conn.execute(t.insert().values(id=row_id, text=text, cells=None))
            if items == "json null":  # written by older versions: the JSON scalar null
                conn.exec_driver_sql("UPDATE t SET cells = 'null' WHERE id = ?", (row_id,))
            elif items is not None:
                conn.exec_driver_sql(
                    "UPDATE t SET cells = ? WHERE id = ?", (json.dumps(items), row_id)
                )
    yield engine, t
    engine.dispose()


def ids(table, condition):
    engine, t = table
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.select(t.c.id).where(condition(t)))}


def test_like_wildcards_in_the_text_are_literal(table):
    assert ids(table, lambda t: conditions.contains(t.c.text, "%")) == {1}
    assert ids(table, lambda t: conditions.contains(t.c.text, "_")) == {3}
    assert ids(table, lambda t: conditions.contains(t.c.text, "OFF")) == {1, 2}
    assert conditions.like_escape("a\\b%c_d") == "a\\\\b\\%c\\_d"


def test_empty_text_is_null_or_blank(table):
    assert ids(table, lambda t: conditions.empty(t.c.text, textual=True)) == {5}


def test_json_arrays(table):
    assert ids(table, lambda t: conditions.json_has_any(t.c.cells, [2], "sqlite")) == {1, 2}
    assert ids(table, lambda t: conditions.json_has_any(t.c.cells, [], "sqlite")) == set()
    assert ids(table, lambda t: conditions.json_has_all(t.c.cells, [1, 2], "sqlite")) == {1}
    # SQL NULL, [] and a JSON null are all empty.
    assert ids(table, lambda t: conditions.json_empty(t.c.cells, "sqlite")) == {3, 4, 5}
    assert ids(table, lambda t: conditions.json_length(t.c.cells, "sqlite") == 2) == {1}


def test_json_cells_store_none_as_sql_null(table):
    engine, t = table
    with engine.begin() as conn:
        conn.execute(t.insert().values(id=99, cells=None))
        stored = conn.exec_driver_sql("SELECT cells IS NULL FROM t WHERE id = 99").scalar()
        conn.execute(t.delete().where(t.c.id == 99))
    assert stored == 1
