"""Fixtures for document tests: the shop base, its owner, an API client for the owner, and
members with lesser roles."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from tablekit.services.actor import Actor
from tablekit.services.container import Services
from tests.documents.world import Shop, build_shop, example
from tests.factories import Api, make_user, token_for

# Every PDF renders in a fresh child of the forkserver, which by default imports WeasyPrint
# again for each one (~1-2 s under load). Preloading it into the forkserver, a clean
# process that never touches a database, keeps one process per render and its limits but
# makes a render cost ~0.4 s, which keeps this suite inside its time budget. It only takes
# effect when this worker has not started a forkserver yet.
multiprocessing.set_forkserver_preload(["tablekit.documents.fetcher"])


@pytest.fixture
def owner(services: Services) -> Actor:
    """The owner of a fresh workspace (service-level tests need no HTTP app)."""
    return make_user(services)[1]


@pytest.fixture
def api(services: Services, client: TestClient, owner: Actor) -> Api:  # type: ignore[type-arg]
    """An API client for the owner, with an all-scopes token."""
    workspace_id = services.workspaces.mine(owner)[0]["id"]
    token = token_for(services, owner, scopes=["read", "write", "admin"], workspace_id=workspace_id)
    return Api(client, token, owner.user_id, workspace_id)


@pytest.fixture
def shop(services: Services, owner: Actor) -> Shop:
    return build_shop(services, owner)


@pytest.fixture
def confirmation(services: Services, shop: Shop) -> dict[str, Any]:
    """The shipped example template, saved for the Orders table."""
    return services.documents.create(
        shop.actor,
        shop.base_id,
        {
            "name": "Order confirmation",
            "table_id": shop.orders,
            "template": example("order_confirmation.html.j2"),
            "css": example("order_confirmation.css"),
        },
    )


@pytest.fixture
def member(services: Services, client: TestClient, api: Api, owner: Actor) -> Callable[[str], Api]:  # type: ignore[type-arg]
    """An API client for a new member of the owner's workspace with the given role."""

    def add(role: str) -> Api:
        user, actor = make_user(services, workspace=None)
        services.workspaces.add_member(owner, api.workspace_id, str(user["email"]), role)
        scopes = ["read", "write", "admin"]
        token = token_for(services, actor, scopes=scopes, workspace_id=api.workspace_id)
        return Api(client, token, actor.user_id, api.workspace_id)

    return add
