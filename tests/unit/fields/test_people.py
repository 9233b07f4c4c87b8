"""Fields that hold users: collaborator, created by and modified by."""

import pytest
import sqlalchemy as sa

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError
from tablekit.fields.people import CollaboratorField, CreatedByField, ModifiedByField
from tests.factories import cell_context, field_def

USERS = {
    1: {"id": 1, "email": "ann@example.com", "name": "Ann"},
    2: {"id": 2, "email": "bob@example.com", "name": "Bob"},
}
CTX = cell_context(
    user_lookup=USERS.get,
    member_ids=lambda: set(USERS),
    user_by_email=lambda e: next(
        (u["id"] for u in USERS.values() if u["email"] == e.strip().lower()), None
    ),
)
COLLAB = field_def("collaborator")
COLUMN = sa.column("f_7", sa.JSON())


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (1, [1]),
        ([1, 2], [1, 2]),
        (["2", 1, 2], [2, 1]),
        ("ann@example.com", [1]),
        (["Bob@Example.com"], [2]),
        ("ann@example.com, bob@example.com", [1, 2]),
        ([{"id": 2}, {"email": "ann@example.com"}], [2, 1]),
        (None, None),
        ([], None),
        ("", None),
        ("  ", None),
    ],
)
def test_collaborator_stores_member_ids(value, stored):
    assert CollaboratorField().to_db(value, COLLAB, CTX) == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3, "user 3 is not a member"),
        ("eve@example.com", "'eve@example.com' is not a member"),
        ("Ann", "'Ann' is not a user"),
        (True, "expected user ids or e-mail addresses"),
        ([1.5], "expected user ids or e-mail addresses"),
        ([{"name": "Ann"}], "expected user ids or e-mail addresses"),
    ],
)
def test_collaborator_refuses_non_members(value, message):
    with pytest.raises(CellError, match=message):
        CollaboratorField().to_db(value, COLLAB, CTX)


def test_collaborator_reads_users_and_marks_unknown_ones():
    assert CollaboratorField().from_db([2, 9], COLLAB, CTX) == [
        USERS[2],
        {"id": 9, "email": "", "name": "Unknown user"},
    ]
    assert CollaboratorField().from_db(None, COLLAB, CTX) == []


def test_collaborator_round_trips_through_text_as_emails():
    api = CollaboratorField().from_db([2, 1], COLLAB, CTX)
    text = CollaboratorField().to_text(api, COLLAB)
    assert text == "bob@example.com, ann@example.com"
    assert CollaboratorField().from_text(text, COLLAB, CTX) == [2, 1]
    assert CollaboratorField().to_text([], COLLAB) == ""


@pytest.mark.parametrize(
    ("op", "value"),
    [("has_any", [1]), ("has_any", "ann@example.com"), ("has_all", [{"id": 1}, "2"])],
)
def test_collaborator_filters_take_ids_or_emails(op, value):
    assert CollaboratorField().filter(COLUMN, op, value, COLLAB, CTX) is not None


@pytest.mark.parametrize("value", ["Ann", ["eve@example.com"], [True], [None]])
def test_collaborator_filter_with_a_bad_user_is_an_invalid_filter(value):
    with pytest.raises(ValidationFailed) as info:
        CollaboratorField().filter(COLUMN, "has_any", value, COLLAB, CTX)
    assert info.value.code == "INVALID_FILTER"


@pytest.mark.parametrize("ftype", [CreatedByField(), ModifiedByField()])
def test_created_and_modified_by_read_users_and_filter_by_id_or_email(ftype):
    fdef = field_def(ftype.type)
    assert ftype.from_db(1, fdef, CTX) == USERS[1]
    assert ftype.from_db(None, fdef, CTX) is None
    assert ftype.to_text(USERS[1], fdef) == "ann@example.com"
    assert ftype.to_db("bob@example.com", fdef, CTX) == 2
    assert ftype.to_db("1", fdef, CTX) == 1
    assert ftype.to_db(None, fdef, CTX) is None
    for bad in (True, "nobody@example.com", "Ann", [1]):
        with pytest.raises(CellError):
            ftype.to_db(bad, fdef, CTX)
    assert ftype.read_only and ftype.storage == "system"
