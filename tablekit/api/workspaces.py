"""Workspaces, members and bases."""

from typing import Any

from litestar import delete, get, patch, post

from tablekit.api.structs import BaseCreate, BaseUpdate, MemberAdd, WorkspaceCreate
from tablekit.services.actor import Actor
from tablekit.services.container import Services


@get("/workspaces", operation_id="listWorkspaces", sync_to_thread=True)
def list_workspaces(actor: Actor, services: Services) -> dict[str, Any]:
    """The workspaces you belong to, with your role in each."""
    return {"items": services.workspaces.mine(actor)}


@post("/workspaces", operation_id="createWorkspace", sync_to_thread=True)
def create_workspace(actor: Actor, services: Services, data: WorkspaceCreate) -> dict[str, Any]:
    """Create a workspace; you become its owner."""
    return services.workspaces.create(actor, data.name)


@get("/workspaces/{ws:int}/members", operation_id="listMembers", sync_to_thread=True)
def list_members(actor: Actor, services: Services, ws: int) -> dict[str, Any]:
    """Members of a workspace and their roles."""
    return {"items": services.workspaces.members(actor, ws)}


@post("/workspaces/{ws:int}/members", operation_id="addMember", sync_to_thread=True)
def add_member(actor: Actor, services: Services, ws: int, data: MemberAdd) -> dict[str, Any]:
    """Add a user by e-mail with a role, or change their role."""
    return services.workspaces.add_member(actor, ws, data.email, data.role)


@delete(
    "/workspaces/{ws:int}/members/{user_id:int}", operation_id="removeMember", sync_to_thread=True
)
def remove_member(actor: Actor, services: Services, ws: int, user_id: int) -> None:
    """Remove a member from the workspace."""
    services.workspaces.remove_member(actor, ws, user_id)


@get("/workspaces/{ws:int}/bases", operation_id="listBases", sync_to_thread=True)
def list_bases(actor: Actor, services: Services, ws: int) -> dict[str, Any]:
    """Bases of a workspace."""
    return {"items": services.workspaces.bases(actor, ws)}


@post("/workspaces/{ws:int}/bases", operation_id="createBase", sync_to_thread=True)
def create_base(actor: Actor, services: Services, ws: int, data: BaseCreate) -> dict[str, Any]:
    """Create a base, empty or from a template bundle (``template``, a name from
    ``GET /templates``; unknown names answer 422 UNKNOWN_TEMPLATE). A template base is
    answered with ``template`` ({name, version}) and ``skipped`` (parts left out)."""
    if data.template:
        return services.templates.install(actor, ws, data.template, data.name)
    return services.workspaces.create_base(actor, ws, data.name, data.timezone)


@get("/bases/{base:int}", operation_id="getBase", sync_to_thread=True)
def get_base(actor: Actor, services: Services, base: int) -> dict[str, Any]:
    """One base."""
    return services.workspaces.get_base(actor, base)


@patch("/bases/{base:int}", operation_id="updateBase", sync_to_thread=True)
def update_base(actor: Actor, services: Services, base: int, data: BaseUpdate) -> dict[str, Any]:
    """Rename a base or change its time zone or company settings."""
    return services.workspaces.update_base(actor, base, data.given())


@delete("/bases/{base:int}", operation_id="deleteBase", sync_to_thread=True)
def delete_base(actor: Actor, services: Services, base: int) -> None:
    """Delete a base with all its tables and rows."""
    services.workspaces.delete_base(actor, base)


ROUTES = [
    list_workspaces,
    create_workspace,
    list_members,
    add_member,
    remove_member,
    list_bases,
    create_base,
    get_base,
    update_base,
    delete_base,
]
