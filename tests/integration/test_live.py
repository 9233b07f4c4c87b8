"""Live updates over /api/v1/bases/{base}/live, against a real uvicorn server on 127.0.0.1.

A real server (not the in-process test client) so the handshake, the close codes and the
server's shutdown are the ones a browser sees.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tablekit.app import create_app
from tablekit.live.feed import LiveEvent
from tablekit.live.hub import LiveHub, Subscriber, build_messages
from tablekit.services.container import build_services
from tablekit.web import security_headers
from tests.factories import PASSWORD, make_user, token_for

WAIT = 10.0


@dataclass
class Server:
    url: str
    app: Any

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://")


@contextmanager
def running(app: Any) -> Iterator[tuple[Server, uvicorn.Server]]:
    """The app served by uvicorn on a free port of 127.0.0.1, in a thread."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + WAIT
        while not srv.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        port = srv.servers[0].sockets[0].getsockname()[1]
        yield Server(f"http://127.0.0.1:{port}", app), srv
    finally:
        srv.should_exit = True
        thread.join(WAIT)
    assert not thread.is_alive()


@pytest.fixture
def server(services) -> Iterator[Server]:
    with running(create_app(services=services)) as (server, _):
        yield server


@dataclass
class World:
    server: Server
    http: httpx.Client
    owner_token: str
    owner_id: int
    editor_token: str
    editor_id: int
    base: dict[str, Any]
    other_base: dict[str, Any]
    table: dict[str, Any]
    other_table: dict[str, Any]
    row_id: int

    def call(self, method: str, path: str, token: str, body: Any = None) -> Any:
        response = self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


@pytest.fixture
def world(services, server) -> Iterator[World]:
    owner, owner_actor = make_user(services)
    ws = services.workspaces.mine(owner_actor)[0]["id"]
    editor, _ = make_user(services, workspace=None)
    services.workspaces.add_member(owner_actor, ws, editor["email"], "editor")
    base = services.workspaces.create_base(owner_actor, ws, "Shop")
    other_base = services.workspaces.create_base(owner_actor, ws, "Other")
    fields = [{"name": "Name", "type": "text"}, {"name": "Stock", "type": "number"}]
    table = services.schema.create_table(owner_actor, base["id"], "Products", fields)
    other = services.schema.create_table(owner_actor, other_base["id"], "Things", fields)
    row = services.rows.create(owner_actor, table["id"], [{"Name": "Pen", "Stock": 1}])[0]
    with httpx.Client(base_url=server.url, trust_env=False, timeout=WAIT) as http:
        yield World(
            server=server,
            http=http,
            owner_token=token_for(
                services, owner_actor, scopes=["read", "write", "admin"], workspace_id=ws
            ),
            owner_id=int(owner["id"]),
            editor_token=token_for(
                services,
                make_actor(services, editor),
                scopes=["read", "write"],
                workspace_id=ws,
            ),
            editor_id=int(editor["id"]),
            base=base,
            other_base=other_base,
            table=table,
            other_table=other,
            row_id=int(row["id"]),
        )


def make_actor(services, user):
    from tablekit.services.actor import Actor

    return Actor(user_id=int(user["id"]), email=user["email"])


def open_socket(
    server: Server, base_id: int, headers: dict[str, str] | None = None, origin: str | None = None
) -> ClientConnection:
    return connect(
        f"{server.ws}/api/v1/bases/{base_id}/live",
        additional_headers=headers or {},
        origin=origin,  # type: ignore[arg-type]
        proxy=None,
        open_timeout=WAIT,
    )


@contextmanager
def listen(world: World, base_id: int, token: str | None = None) -> Iterator[ClientConnection]:
    """A socket that has said hello: every change committed from now on will arrive."""
    headers = {"Authorization": f"Bearer {token or world.owner_token}"}
    with open_socket(world.server, base_id, headers) as sock:
        hello = json.loads(sock.recv(timeout=WAIT))
        assert hello["type"] == "hello" and hello["base_id"] == base_id
        yield sock


def next_message(
    sock: ClientConnection, match: Callable[[dict[str, Any]], bool], timeout: float = WAIT
) -> dict[str, Any]:
    """The first message that matches, skipping heartbeats and other tables' changes."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "no matching live message arrived"
        message = json.loads(sock.recv(timeout=left))
        if match(message):
            return message


def close_code(sock: ClientConnection) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            sock.recv(timeout=WAIT)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def row_changes(table_id: int) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] == "rows" and m["table_id"] == table_id


def test_an_edit_by_another_user_through_the_api_arrives(world: World) -> None:
    rows = f"/api/v1/tables/{world.table['id']}/rows"
    stock = next(f for f in world.table["fields"] if f["name"] == "Stock")
    with listen(world, world.base["id"]) as sock:
        sock.send(json.dumps({"type": "ping"}))
        next_message(sock, lambda m: m["type"] == "pong")
        world.call("patch", f"{rows}/{world.row_id}", world.editor_token, {"fields": {"Stock": 7}})
        message = next_message(sock, row_changes(world.table["id"]))
        assert message["changes"] == [
            {
                "op": "updated",
                "row_id": world.row_id,
                "actor_id": world.editor_id,
                "fields": [stock["id"]],
            }
        ]
        created = world.call("post", rows, world.editor_token, {"rows": [{"fields": {}}] * 2})
        new_ids = [r["id"] for r in created["rows"]]
        message = next_message(sock, row_changes(world.table["id"]))
        assert [(c["op"], c["row_id"]) for c in message["changes"]] == [
            ("created", i) for i in new_ids
        ]
        world.call("delete", f"{rows}/{new_ids[0]}", world.editor_token)
        message = next_message(sock, row_changes(world.table["id"]))
        assert message["changes"] == [
            {"op": "deleted", "row_id": new_ids[0], "actor_id": world.editor_id}
        ]
        world.call(
            "post",
            f"/api/v1/tables/{world.table['id']}/fields",
            world.owner_token,
            {"name": "Colour", "type": "text"},
        )
        next_message(sock, lambda m: m["type"] == "schema_changed")


def test_a_change_made_by_another_process_arrives(world: World, services) -> None:
    """A second engine on the same database, as a ``tablekit worker`` would have: its commits
    do not wake this process's poller, so the change arrives through polling."""
    other = build_services(services.settings)
    try:
        with listen(world, world.base["id"]) as sock:
            actor = other.tokens.actor_for_token(world.editor_token)
            other.rows.update(actor, world.table["id"], [(world.row_id, {"Name": "Ink"})])
            message = next_message(sock, row_changes(world.table["id"]))
            assert message["changes"][0]["row_id"] == world.row_id
            assert message["changes"][0]["actor_id"] == world.editor_id
            owner = other.tokens.actor_for_token(world.owner_token)
            other.schema.create_field(owner, world.table["id"], {"name": "Note", "type": "text"})
            next_message(sock, lambda m: m["type"] == "schema_changed")
    finally:
        other.close()


def test_a_socket_for_one_base_never_receives_another_bases_events(world: World) -> None:
    other_rows = f"/api/v1/tables/{world.other_table['id']}/rows"
    rows = f"/api/v1/tables/{world.table['id']}/rows"
    with listen(world, world.base["id"]) as sock:
        world.call("post", other_rows, world.editor_token, {"rows": [{"fields": {"Stock": 1}}]})
        world.call("patch", f"{rows}/{world.row_id}", world.editor_token, {"fields": {"Stock": 9}})
        seen: list[dict[str, Any]] = []

        def collect(message: dict[str, Any]) -> bool:
            seen.append(message)
            return row_changes(world.table["id"])(message)

        next_message(sock, collect)
        # Give a wrongly routed message time to arrive after the right one.
        world.call("patch", f"{rows}/{world.row_id}", world.editor_token, {"fields": {"Stock": 8}})
        next_message(sock, collect)
    tables = {m.get("table_id") for m in seen if m["type"] in ("rows", "resync")}
    assert tables == {world.table["id"]}


def test_refusals_say_nothing_about_the_base(world: World, services) -> None:
    _, outsider_actor = make_user(services, workspace="Elsewhere")
    outsider_ws = services.workspaces.mine(outsider_actor)[0]["id"]
    outsider_token = token_for(
        services, outsider_actor, scopes=["read", "write", "admin"], workspace_id=outsider_ws
    )
    server, base_id = world.server, world.base["id"]
    with open_socket(server, base_id) as sock:
        assert close_code(sock) == 4401
    with open_socket(server, base_id, {"Authorization": "Bearer nope"}) as sock:
        assert close_code(sock) == 4401
    reasons = set()
    for target in (base_id, 999_999):
        with open_socket(server, target, {"Authorization": f"Bearer {outsider_token}"}) as sock:
            assert close_code(sock) == 4403
            assert sock.close_reason
            reasons.add(sock.close_reason)
    assert len(reasons) == 1  # a foreign base and a missing one look the same
    # A token scoped to the other base cannot listen to this one.
    scoped = token_for(
        services,
        make_actor(services, {"id": world.owner_id, "email": "x"}),
        scopes=["read"],
        base_id=world.other_base["id"],
    )
    with open_socket(server, base_id, {"Authorization": f"Bearer {scoped}"}) as sock:
        assert close_code(sock) == 4403


def test_a_browser_session_must_come_from_the_apps_own_origin(world: World, services) -> None:
    response = world.http.post(
        "/api/v1/auth/login",
        json={"email": _email_of(services, world.owner_id), "password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    cookie = {"Cookie": f"tk_session={response.cookies['tk_session']}"}
    with open_socket(world.server, world.base["id"], cookie, origin="https://evil.example") as sock:
        assert close_code(sock) == 4403
    with open_socket(world.server, world.base["id"], cookie, origin=world.server.url) as sock:
        assert json.loads(sock.recv(timeout=WAIT))["type"] == "hello"


def _email_of(services, user_id: int) -> str:
    from tablekit.db.models import User

    with services.db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return str(user.email)


def test_shutdown_closes_open_sockets_and_stops_the_poller(services) -> None:
    _, actor = make_user(services)
    ws = services.workspaces.mine(actor)[0]["id"]
    base = services.workspaces.create_base(actor, ws, "B")
    token = token_for(services, actor, scopes=["read"], workspace_id=ws)
    app = create_app(services=services)
    with running(app) as (server, uvi):
        hub: LiveHub = app.state.live.hub
        with open_socket(server, base["id"], {"Authorization": f"Bearer {token}"}) as sock:
            assert json.loads(sock.recv(timeout=WAIT))["type"] == "hello"
            assert hub.running and hub.connections_of(actor.user_id) == 1
            uvi.should_exit = True
            assert close_code(sock) in (1001, 1012)
    assert not hub.running and not hub.subscribers


def test_live_updates_can_be_turned_off(services, settings) -> None:
    _, actor = make_user(services)
    ws = services.workspaces.mine(actor)[0]["id"]
    base = services.workspaces.create_base(actor, ws, "B")
    token = token_for(services, actor, scopes=["read"], workspace_id=ws)
    off = build_services(replace(settings, live_poll_ms=0, run_worker=False))
    headers = {"Authorization": f"Bearer {token}"}
    with (
        running(create_app(services=off)) as (server, _),
        open_socket(server, base["id"], headers) as sock,
    ):
        assert close_code(sock) == 4503


def test_the_app_page_may_open_sockets_to_its_own_host_only(client) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "connect-src 'self' ws://127.0.0.1 wss://127.0.0.1;" in csp
    # A host that is not a plain host[:port] never reaches the policy.
    spoofed = security_headers("evil.example; script-src *")["Content-Security-Policy"]
    assert "connect-src 'self';" in spoofed and "evil" not in spoofed


def test_a_slow_client_is_told_to_resync_instead_of_queueing_forever() -> None:
    import asyncio

    async def run() -> list[dict[str, Any]]:
        sub = Subscriber(1, 1, asyncio.Queue(3))
        for i in range(10):
            sub.offer({"type": "rows", "n": i})
        out = []
        while not sub.queue.empty():
            out.append(sub.queue.get_nowait())
        return out

    # Everything after the overflow is covered by the reload the resync asks for.
    assert asyncio.run(run()) == [{"type": "resync"}]


def test_messages_group_changes_per_table_and_collapse_big_bursts() -> None:
    events = [
        LiveEvent(1, "row_updated", 1, 10, 5, 3, (7,)),
        LiveEvent(2, "row_created", 1, 11, 6, None),
        LiveEvent(3, "field_changed", 1, 10, None, 3),
        LiveEvent(4, "rule_fired", 1, 10, 5, 3),
        *(LiveEvent(10 + i, "row_created", 2, 20, 100 + i, 4) for i in range(201)),
    ]
    messages = build_messages(events)
    assert messages[1] == [
        {"type": "schema_changed"},
        {
            "type": "rows",
            "table_id": 10,
            "changes": [{"op": "updated", "row_id": 5, "actor_id": 3, "fields": [7]}],
        },
        {
            "type": "rows",
            "table_id": 11,
            "changes": [{"op": "created", "row_id": 6, "actor_id": None}],
        },
    ]
    assert messages[2] == [{"type": "resync", "table_id": 20}]


def test_an_event_committed_late_with_a_lower_id_is_not_missed(services, db_url) -> None:
    """PostgreSQL hands out ids at insert time: a transaction holding a lower id can commit
    after the feed has already read past it."""
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers, so ids become visible in order")
    from sqlalchemy.orm import Session

    from tablekit.live.feed import EventFeed
    from tablekit.services.events import ROW_UPDATED, Event, emit

    feed = EventFeed.for_database(services.db)
    feed.reset()
    slow = Session(services.db.engine)
    emit(slow, [Event(ROW_UPDATED, 1, 2, 3, 4, {"changes": {"f_5": [1, 2]}})])
    slow.flush()  # id taken, not committed
    with services.db.write() as fast:
        emit(fast, [Event(ROW_UPDATED, 1, 2, 30, 4)])
    events, _ = feed.poll()
    assert [e.row_id for e in events] == [30]
    slow.commit()
    slow.close()
    events, _ = feed.poll()
    assert [(e.row_id, e.fields) for e in events] == [(3, (5,))]
    assert feed.poll()[0] == []


def test_stopping_ends_the_poller_even_when_a_cancel_is_swallowed(services, monkeypatch) -> None:
    """On Python 3.11 `asyncio.wait_for` can swallow a cancel that arrives as its wait
    completes (a commit waking the poller during shutdown). The poller must still end, or
    the server's shutdown hangs (seen once in CI)."""
    import asyncio

    real_wait_for = asyncio.wait_for

    async def swallowing_wait_for(aw: Any, timeout: float | None) -> Any:
        try:
            return await real_wait_for(aw, timeout)
        except asyncio.CancelledError:
            return None  # the 3.11 race: the wait completed, the cancel is lost

    stopped = threading.Event()

    async def scenario() -> None:
        hub = LiveHub(services.db, poll_seconds=30)
        hub.start()
        await asyncio.sleep(0.2)  # the poller sits in its (swallowing) wait
        await hub.stop()
        if not hub.running:
            stopped.set()

    monkeypatch.setattr(asyncio, "wait_for", swallowing_wait_for)
    # In a thread of its own: a poller that never ends must fail this test, not hang it.
    threading.Thread(target=asyncio.run, args=(scenario(),), daemon=True).start()
    assert stopped.wait(5), "the live poller did not stop"
