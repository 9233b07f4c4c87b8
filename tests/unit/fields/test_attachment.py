"""The attachment field: files uploaded to the same base."""

import pytest

from tablekit.fields.attachment import MAX_FILES_PER_CELL, AttachmentField
from tablekit.fields.base import CellError
from tests.factories import cell_context, field_def

FILES = {
    "a" * 32: {"name": "offer.pdf", "size": 10, "mime_type": "application/pdf"},
    "b" * 32: {"name": "logo.png", "size": 20, "mime_type": "image/png"},
}
CTX = cell_context(file_lookup=FILES.get)
FDEF = field_def("attachment")


def test_attachment_stores_file_metadata_by_id():
    stored = AttachmentField().to_db(["a" * 32, {"id": "b" * 32}], FDEF, CTX)
    assert stored == [
        {"id": "a" * 32, "name": "offer.pdf", "size": 10, "mime_type": "application/pdf"},
        {"id": "b" * 32, "name": "logo.png", "size": 20, "mime_type": "image/png"},
    ]
    assert AttachmentField().to_db("a" * 32, FDEF, CTX)[0]["name"] == "offer.pdf"


@pytest.mark.parametrize("value", [None, [], ""])
def test_no_files_is_empty(value):
    assert AttachmentField().to_db(value, FDEF, CTX) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["c" * 32], "does not exist in this base"),
        ([{"name": "offer.pdf"}], "expected uploaded file ids"),
        ([5], "expected uploaded file ids"),
        ([True], "expected uploaded file ids"),
        (["a" * 32] * (MAX_FILES_PER_CELL + 1), f"at most {MAX_FILES_PER_CELL} files"),
    ],
)
def test_attachment_refuses_unknown_files(value, message):
    with pytest.raises(CellError, match=message):
        AttachmentField().to_db(value, FDEF, CTX)


def test_attachment_reads_with_a_download_url_and_names_as_text():
    api = AttachmentField().from_db(AttachmentField().to_db(["a" * 32], FDEF, CTX), FDEF, CTX)
    assert api[0]["url"] == f"/api/v1/files/{'a' * 32}"
    assert AttachmentField().to_text(api, FDEF) == "offer.pdf"
    assert AttachmentField().from_db(None, FDEF, CTX) == []


def test_file_names_do_not_turn_back_into_files():
    with pytest.raises(CellError, match="does not exist"):
        AttachmentField().from_text("offer.pdf", FDEF, CTX)
