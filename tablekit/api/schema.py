"""Base schema, tables, fields and views."""

from typing import Any

from litestar import delete, get, patch, post

from tablekit.api.structs import (
    FieldCreate,
    FieldUpdate,
    TableCreate,
    TableUpdate,
    ViewCreate,
    ViewUpdate,
)
from tablekit.services.actor import Actor
from tablekit.services.container import Services


@get("/bases/{base:int}/schema", operation_id="getSchema", sync_to_thread=True)
def get_schema(actor: Actor, services: Services, base: int) -> dict[str, Any]:
    """Tables with their fields and views: everything a client needs to show the base."""
    return services.schema.base_schema(actor, base)


@post("/bases/{base:int}/tables", operation_id="createTable", sync_to_thread=True)
def create_table(actor: Actor, services: Services, base: int, data: TableCreate) -> dict[str, Any]:
    """Create a table with fields; a grid view named "Grid" comes with it."""
    fields = [f.given() for f in data.fields]
    return services.schema.create_table(actor, base, data.name, fields)


@get("/tables/{table:str}", operation_id="getTable", sync_to_thread=True)
def get_table(actor: Actor, services: Services, table: str) -> dict[str, Any]:
    """A table (by id or name) with its fields and views."""
    return services.schema.get_table(actor, table)


@patch("/tables/{table:str}", operation_id="updateTable", sync_to_thread=True)
def update_table(actor: Actor, services: Services, table: str, data: TableUpdate) -> dict[str, Any]:
    """Rename a table, choose its primary field or move it."""
    return services.schema.update_table(actor, table, data.given())


@delete("/tables/{table:str}", operation_id="deleteTable", sync_to_thread=True)
def delete_table(actor: Actor, services: Services, table: str) -> None:
    """Delete a table, its rows and the link fields pointing at it."""
    services.schema.delete_table(actor, table)


@post("/tables/{table:str}/fields", operation_id="createField", sync_to_thread=True)
def create_field(actor: Actor, services: Services, table: str, data: FieldCreate) -> dict[str, Any]:
    """Add a field; a link field also creates its reverse field in the linked table."""
    return services.schema.create_field(actor, table, data.given())


@patch("/fields/{field:int}", operation_id="updateField", sync_to_thread=True)
def update_field(
    actor: Actor, services: Services, field: int, data: FieldUpdate, dry_run: bool = False
) -> dict[str, Any]:
    """Change a field. With a new ``type`` and ``?dry_run=true`` the answer lists the values
    that would not convert, and nothing changes."""
    return services.schema.update_field(actor, field, data.given(), dry_run=dry_run)


@delete("/fields/{field:int}", operation_id="deleteField", sync_to_thread=True)
def delete_field(actor: Actor, services: Services, field: int) -> None:
    """Delete a field and its values."""
    services.schema.delete_field(actor, field)


@post("/tables/{table:str}/views", operation_id="createView", sync_to_thread=True)
def create_view(actor: Actor, services: Services, table: str, data: ViewCreate) -> dict[str, Any]:
    """Create a grid, form, kanban, calendar or gallery view."""
    return services.schema.create_view(actor, table, data.name, data.type, data.config)


@patch("/views/{view:int}", operation_id="updateView", sync_to_thread=True)
def update_view(actor: Actor, services: Services, view: int, data: ViewUpdate) -> dict[str, Any]:
    """Rename a view or change its configuration (merged key by key)."""
    return services.schema.update_view(actor, view, data.given())


@delete("/views/{view:int}", operation_id="deleteView", sync_to_thread=True)
def delete_view(actor: Actor, services: Services, view: int) -> None:
    """Delete a view (a table keeps at least one)."""
    services.schema.delete_view(actor, view)


ROUTES = [
    get_schema,
    create_table,
    get_table,
    update_table,
    delete_table,
    create_field,
    update_field,
    delete_field,
    create_view,
    update_view,
    delete_view,
]
