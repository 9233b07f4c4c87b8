"""Rows: list and query with filters, sorts and cursors; batch writes; history; trash."""

import json
from typing import Annotated, Any

from litestar import Request, delete, get, patch, post
from litestar.params import Parameter

from tablekit.api.structs import (
    CommentCreate,
    RowFields,
    RowsCreate,
    RowsDelete,
    RowsQuery,
    RowsUpdate,
    RowsUpsert,
)
from tablekit.errors import ValidationFailed
from tablekit.services.actor import Actor
from tablekit.services.container import Services
from tablekit.services.rows import MAX_OFFSET


def parse_filter(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"filter is not valid JSON: {exc.msg}", code="INVALID_FILTER"
        ) from None
    if not isinstance(value, dict):
        raise ValidationFailed("filter must be a JSON object", code="INVALID_FILTER")
    return value


def parse_fields(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


@get("/tables/{table:str}/rows", operation_id="listRows", sync_to_thread=True)
def list_rows(
    actor: Actor,
    services: Services,
    table: str,
    view: str | None = None,
    filter: str | None = None,
    sort: str | None = None,
    search: str | None = None,
    fields: str | None = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    cursor: str | None = None,
    offset: Annotated[int | None, Parameter(ge=0, le=MAX_OFFSET)] = None,
    keys: str = "name",
) -> dict[str, Any]:
    """Rows of a table. ``filter`` is JSON ({"and": [{"field", "op", "value"}]}), ``sort`` is
    like ``-Total,Name``; page on with ``cursor`` = the previous ``next_cursor``. ``offset``
    (instead of a cursor) starts at the n-th matching row, for jumping far into a long
    table (a grid's scrollbar); it costs a scan of the skipped index entries, so page on
    from there with ``next_cursor``."""
    return services.rows.query(
        actor,
        table,
        view=view,
        filter=parse_filter(filter),
        sort=sort,
        search=search,
        fields=parse_fields(fields),
        limit=limit,
        cursor=cursor,
        offset=offset,
        keys=keys,
    )


@post(
    "/tables/{table:str}/rows/query", status_code=200, operation_id="queryRows", sync_to_thread=True
)
def query_rows(actor: Actor, services: Services, table: str, data: RowsQuery) -> dict[str, Any]:
    """The same as listing rows, with the query in the body."""
    return services.rows.query(
        actor,
        table,
        view=data.view,
        filter=data.filter,
        sort=data.sort,
        search=data.search,
        fields=data.fields,
        limit=data.limit,
        cursor=data.cursor,
        offset=data.offset,
        keys=data.keys,
    )


@get("/tables/{table:str}/rows/count", operation_id="countRows", sync_to_thread=True)
def count_rows(
    actor: Actor,
    services: Services,
    table: str,
    view: str | None = None,
    filter: str | None = None,
    search: str | None = None,
) -> dict[str, Any]:
    """How many rows match (``estimated`` says whether the figure is exact)."""
    return services.rows.count(actor, table, view=view, filter=parse_filter(filter), search=search)


@get("/tables/{table:str}/rows/{row:int}", operation_id="getRow", sync_to_thread=True)
def get_row(
    actor: Actor, services: Services, table: str, row: int, keys: str = "name"
) -> dict[str, Any]:
    """One row with its ``version`` (send it back in If-Match to update safely)."""
    return services.rows.get(actor, table, row, keys)


@post("/tables/{table:str}/rows", operation_id="createRows", sync_to_thread=True)
def create_rows(
    actor: Actor, services: Services, table: str, data: RowsCreate, keys: str = "name"
) -> dict[str, Any]:
    """Create up to 1000 rows, all or nothing."""
    return {"rows": services.rows.create(actor, table, [r.fields for r in data.rows], keys=keys)}


@patch("/tables/{table:str}/rows", operation_id="updateRows", sync_to_thread=True)
def update_rows(
    actor: Actor, services: Services, table: str, data: RowsUpdate, keys: str = "name"
) -> dict[str, Any]:
    """Update up to 1000 rows (only the given cells), all or nothing. A row given with the
    ``version`` its writer last saw answers 409 if it changed since (nothing is written)."""
    updates = [(r.id, r.fields) for r in data.rows]
    expected = {r.id: r.version for r in data.rows if r.version is not None}
    return {
        "rows": services.rows.update(actor, table, updates, keys=keys, expected_versions=expected)
    }


@patch("/tables/{table:str}/rows/{row:int}", operation_id="updateRow", sync_to_thread=True)
def update_row(
    request: Request[Any, Any, Any],
    actor: Actor,
    services: Services,
    table: str,
    row: int,
    data: RowFields,
    keys: str = "name",
) -> dict[str, Any]:
    """Update one row. With ``If-Match: <version>`` a concurrent change answers 409."""
    expected = None
    raw = request.headers.get("if-match")
    if raw:
        try:
            expected = {row: int(raw.strip().strip('"').removeprefix("W/").strip('"'))}
        except ValueError:
            raise ValidationFailed(
                "If-Match must be the row's version number", code="INVALID_IF_MATCH"
            ) from None
    return services.rows.update(
        actor, table, [(row, data.fields)], keys=keys, expected_versions=expected
    )[0]


@post(
    "/tables/{table:str}/rows/upsert",
    status_code=200,
    operation_id="upsertRows",
    sync_to_thread=True,
)
def upsert_rows(
    actor: Actor, services: Services, table: str, data: RowsUpsert, keys: str = "name"
) -> dict[str, Any]:
    """Update the rows whose ``key_fields`` match, create the rest; all or nothing."""
    return services.rows.upsert(
        actor, table, data.key_fields, [r.fields for r in data.rows], keys=keys
    )


@delete("/tables/{table:str}/rows", operation_id="deleteRows", sync_to_thread=True, status_code=200)
def delete_rows(actor: Actor, services: Services, table: str, data: RowsDelete) -> dict[str, Any]:
    """Move rows to the base's trash."""
    services.rows.delete(actor, table, data.ids)
    return {"deleted": data.ids}


@delete(
    "/tables/{table:str}/rows/{row:int}",
    operation_id="deleteRow",
    sync_to_thread=True,
    status_code=200,
)
def delete_row(actor: Actor, services: Services, table: str, row: int) -> dict[str, Any]:
    """Move one row to the base's trash."""
    services.rows.delete(actor, table, [row])
    return {"deleted": [row]}


@get("/tables/{table:str}/rows/{row:int}/history", operation_id="rowHistory", sync_to_thread=True)
def row_history(actor: Actor, services: Services, table: str, row: int) -> dict[str, Any]:
    """Who changed what and when, newest first."""
    return {"items": services.rows.history(actor, table, row)}


@post(
    "/tables/{table:str}/rows/{row:int}/history/{entry:int}/restore",
    operation_id="restoreRowVersion",
    sync_to_thread=True,
    status_code=200,
)
def restore_row_version(
    actor: Actor, services: Services, table: str, row: int, entry: int
) -> dict[str, Any]:
    """Put the row back as it was right after history entry ``entry``: one new version,
    recorded as ``restore``; ``not_restored`` names fields that cannot go back (computed,
    deleted since)."""
    return services.rows.restore_version(actor, table, row, entry)


@get("/bases/{base:int}/activity", operation_id="baseActivity", sync_to_thread=True)
def base_activity(
    actor: Actor,
    services: Services,
    base: int,
    table_id: int | None = None,
    user_id: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Every row change in the base, newest first (base admins and owners only)."""
    return services.rows.activity(
        actor, base, table_id=table_id, user_id=user_id, limit=limit, cursor=cursor
    )


@get("/bases/{base:int}/trash", operation_id="listTrash", sync_to_thread=True)
def list_trash(actor: Actor, services: Services, base: int) -> dict[str, Any]:
    """Deleted items of a base that can still be restored."""
    return {"items": services.trash.items(actor, base)}


@post(
    "/bases/{base:int}/trash/{item:int}/restore",
    status_code=200,
    operation_id="restoreTrashItem",
    sync_to_thread=True,
)
def restore_trash_item(actor: Actor, services: Services, base: int, item: int) -> dict[str, Any]:
    """Restore a deleted row with its values and links."""
    return services.trash.restore(actor, base, item)


@get(
    "/tables/{table:str}/rows/{row:int}/comments", operation_id="listComments", sync_to_thread=True
)
def list_comments(actor: Actor, services: Services, table: str, row: int) -> dict[str, Any]:
    """Comments on a row, oldest first."""
    return {"items": services.comments.list(actor, table, row)}


@post("/tables/{table:str}/rows/{row:int}/comments", operation_id="addComment", sync_to_thread=True)
def add_comment(
    actor: Actor, services: Services, table: str, row: int, data: CommentCreate
) -> dict[str, Any]:
    """Comment on a row (commenters and above)."""
    return services.comments.add(actor, table, row, data.body)


@patch(
    "/tables/{table:str}/rows/{row:int}/comments/{comment:int}",
    operation_id="editComment",
    sync_to_thread=True,
)
def edit_comment(
    actor: Actor, services: Services, table: str, row: int, comment: int, data: CommentCreate
) -> dict[str, Any]:
    """Edit your own comment (the answer's ``updated_at`` says when)."""
    return services.comments.edit(actor, table, row, comment, data.body)


@delete(
    "/tables/{table:str}/rows/{row:int}/comments/{comment:int}",
    operation_id="deleteComment",
    sync_to_thread=True,
)
def delete_comment(actor: Actor, services: Services, table: str, row: int, comment: int) -> None:
    """Delete your comment (admins may delete any)."""
    services.comments.delete(actor, table, row, comment)


ROUTES = [
    list_comments,
    add_comment,
    edit_comment,
    delete_comment,
    list_rows,
    query_rows,
    count_rows,
    get_row,
    create_rows,
    update_rows,
    update_row,
    upsert_rows,
    delete_rows,
    delete_row,
    row_history,
    restore_row_version,
    base_activity,
    list_trash,
    restore_trash_item,
]
