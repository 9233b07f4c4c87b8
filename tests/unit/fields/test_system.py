"""Fields the system fills in: auto number, created time and modified time."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError, OptionsContext
from tablekit.fields.system import (
    AutoNumberField,
    CreatedTimeField,
    ModifiedTimeField,
    auto_number_period,
    render_auto_number,
)
from tests.factories import cell_context, field_def

OPTS = OptionsContext(table_ids=set())
MOMENT = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fmt", "number", "text"),
    [
        ("{0}", 7, "7"),
        ("{0}", 1234, "1234"),
        ("ORD-{YYYY}-{0000}", 7, "ORD-2024-0007"),
        ("ORD-{YYYY}-{0000}", 12345, "ORD-2024-12345"),
        ("{YY}{MM}{DD}-{00}", 7, "240305-07"),
        ("INV/{MM}/{000}", 42, "INV/03/042"),
        ("{year}-{0}", 1, "{year}-1"),
    ],
)
def test_auto_number_formats(fmt, number, text):
    assert render_auto_number(fmt, number, MOMENT) == text


@pytest.mark.parametrize(
    ("fmt", "period"),
    [
        ("{0}", ""),
        ("ORD-{YYYY}-{0000}", "2024"),
        ("{YY}-{0}", "2024"),
        ("{YYYY}{MM}-{0}", "2024-03"),
        ("{MM}-{0}", ""),
    ],
)
def test_auto_numbers_restart_each_period_their_format_names(fmt, period):
    assert auto_number_period(fmt, MOMENT) == period


def test_auto_number_options():
    assert AutoNumberField().normalize_options({}, OPTS) == {"format": "{0}"}
    fmt = "ORD-{YYYY}-{0000}"
    assert AutoNumberField().normalize_options({"format": fmt}, OPTS) == {"format": fmt}
    for bad, message in (
        ("ORD-{YYYY}", "number placeholder"),
        ("{00", "number placeholder"),
        (7, "at most 60"),
        ("{0}" + "x" * 60, "at most 60"),
    ):
        with pytest.raises(ValidationFailed, match=message) as info:
            AutoNumberField().normalize_options({"format": bad}, OPTS)
        assert info.value.code == "INVALID_FIELD_OPTIONS"


def test_auto_number_filter_operands_are_text():
    fdef, ctx = field_def("auto_number"), cell_context()
    assert AutoNumberField().to_db("ORD-2024-0007", fdef, ctx) == "ORD-2024-0007"
    assert AutoNumberField().to_db(7, fdef, ctx) == "7"
    with pytest.raises(CellError, match="expected text"):
        AutoNumberField().to_db(["7"], fdef, ctx)


def test_auto_numbers_sort_by_row_order_not_as_text():
    table = sa.Table("t_1", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("f_7", sa.Text))
    expr = AutoNumberField().sort_expression(table.c.f_7, field_def("auto_number"))
    assert expr is table.c.id


def test_system_fields_are_read_only_and_map_to_row_columns():
    fdef = field_def("created_time")
    assert CreatedTimeField.read_only and ModifiedTimeField.read_only and AutoNumberField.read_only
    assert CreatedTimeField().system_column(fdef) == "created_at"
    assert ModifiedTimeField().system_column(fdef) == "updated_at"
    ctx = cell_context(timezone="Europe/Berlin")
    assert CreatedTimeField().from_db(MOMENT, fdef, ctx) == "2024-03-05T10:30:00+01:00"
