"""Fan-out of outbox events to the live sockets of one web process.

One poller task per process reads new events for all bases at once (see ``feed``) and puts
messages on the bounded queue of every socket subscribed to the event's base. Writes
committed in this process wake the poller at once; writes of other processes (another
``serve``, a ``tablekit worker``, the CLI) are seen at the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from anyio import to_thread
from sqlalchemy import event
from sqlalchemy.orm import Session

from tablekit.db.engine import Database
from tablekit.live.feed import ROW_OPS, ROWS_IMPORTED, SCHEMA_EVENTS, EventFeed, LiveEvent

log = logging.getLogger("tablekit.live")

Message = dict[str, Any]
RESYNC: Message = {"type": "resync"}
SHUTDOWN: Message = {"type": "__shutdown__"}
# More row changes than this for one table in one poll: the client reloads instead.
MAX_CHANGES_PER_MESSAGE = 200
SCHEMA_CHECK_SECONDS = 2.0


@dataclass(eq=False)
class Subscriber:
    """One socket's subscription: a bounded queue the socket's sender drains."""

    base_id: int
    user_id: int
    queue: asyncio.Queue[Message]
    dropped: int = 0
    # A resync is queued: the client will reload everything, so later changes need not be.
    resync_pending: bool = False
    # Set once a poll that started after subscribing has finished: from then on no event
    # committed later can be missed (the client is told so with ``hello``).
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, message: Message) -> None:
        """Queue a message; when the client is too slow, drop what waits and ask it to
        resynchronise instead of growing without bound."""
        if self.resync_pending and message["type"] in ("rows", "resync"):
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped += 1
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC)
            self.resync_pending = True

    def take(self, message: Message) -> Message:
        """Called by the sender for each message it takes off the queue."""
        if message is RESYNC:
            self.resync_pending = False
        return message

    def shut(self) -> None:
        """Tell the socket to close; nothing queued before matters any more."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(SHUTDOWN)


@dataclass(eq=False)
class LiveHub:
    db: Database
    poll_seconds: float = 0.4
    queue_size: int = 256
    feed: EventFeed = field(init=False)
    subscribers: dict[int, set[Subscriber]] = field(default_factory=lambda: defaultdict(set))
    _task: asyncio.Task[None] | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None
    _stale: bool = True
    _stopping: bool = False
    _signatures: dict[int, tuple[int, int]] = field(default_factory=dict)
    _last_schema_check: float = 0.0

    def __post_init__(self) -> None:
        self.feed = EventFeed.for_database(self.db)

    # --- lifecycle (called on the server's event loop) ---------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        event.listen(Session, "after_commit", self._on_commit)
        self._task = self._loop.create_task(self._run(), name="tablekit-live-poller")

    async def stop(self) -> None:
        """End the poller and tell every socket to close (they answer 1001)."""
        if event.contains(Session, "after_commit", self._on_commit):
            event.remove(Session, "after_commit", self._on_commit)
        task, self._task = self._task, None
        # Not by cancellation alone: on Python 3.11 `asyncio.wait_for` can swallow a cancel
        # that arrives as its wait completes (a commit waking the poller during shutdown),
        # and the poller would loop on forever, hanging the server's shutdown.
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for subs in list(self.subscribers.values()):
            for sub in list(subs):
                sub.shut()

    def subscribe(self, base_id: int, user_id: int) -> Subscriber:
        sub = Subscriber(base_id, user_id, asyncio.Queue(self.queue_size))
        if not any(self.subscribers.values()):
            self._stale = True  # the feed did not follow while nobody listened
        self.subscribers[base_id].add(sub)
        self.wake()
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self.subscribers.get(sub.base_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self.subscribers[sub.base_id]
                self._signatures.pop(sub.base_id, None)

    def connections_of(self, user_id: int) -> int:
        return sum(1 for subs in self.subscribers.values() for s in subs if s.user_id == user_id)

    def wake(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
                loop.call_soon_threadsafe(wake.set)

    def _on_commit(self, session: Session) -> None:
        # Only write transactions of this process's database (the worker's hook does the same).
        bind = session.bind
        if (
            isinstance(bind, sa.Engine)
            and bind.pool is self.db.engine.pool
            and bind.get_execution_options().get("tk_write")
        ):
            self.wake()

    # --- the poller ----------------------------------------------------------------------
    async def wait_ready(self, sub: Subscriber, timeout: float = 10.0) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sub.ready.wait(), timeout)
        return sub.ready.is_set()

    async def _run(self) -> None:
        assert self._wake is not None
        while not self._stopping:
            more = False
            # Cleared before the poll: a commit during it wakes the next one at once.
            self._wake.clear()
            subs = [s for group in self.subscribers.values() for s in group]
            try:
                if subs:
                    bases = sorted({s.base_id for s in subs})
                    more = await to_thread.run_sync(self._poll_once, bases)
                    for sub in subs:
                        sub.ready.set()
                else:
                    self._stale = True
            except Exception:
                log.exception("live poll failed")
                await asyncio.sleep(2.0)
            if more:
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            # A burst of commits (a paste, an automation chain) becomes one poll.
            await asyncio.sleep(0.05)

    def _poll_once(self, bases: list[int]) -> bool:
        """One poll (in a worker thread); messages are handed to the loop to deliver."""
        if self._stale:
            self.feed.reset()
            self._stale = False
        events, more = self.feed.poll()
        messages = build_messages(events)
        now = time.monotonic()
        if now - self._last_schema_check >= SCHEMA_CHECK_SECONDS:
            self._last_schema_check = now
            for base_id, signature in self.feed.schema_signatures(bases).items():
                before = self._signatures.get(base_id)
                self._signatures[base_id] = signature
                if before is not None and before != signature:
                    messages.setdefault(base_id, []).append({"type": "schema_changed"})
        if messages and self._loop is not None:
            self._loop.call_soon_threadsafe(self._deliver, messages)
        return more

    def _deliver(self, messages: dict[int, list[Message]]) -> None:
        for base_id, items in messages.items():
            items = dedupe_schema(items)
            for sub in list(self.subscribers.get(base_id, ())):
                for message in items:
                    sub.offer(message)


def build_messages(events: Sequence[LiveEvent]) -> dict[int, list[Message]]:
    """Group one poll's events into messages per base: one ``rows`` message per table,
    one ``schema_changed``, and ``resync`` for a table with too many changes to list."""
    rows: dict[tuple[int, int], list[Message]] = defaultdict(list)
    out: dict[int, list[Message]] = defaultdict(list)
    for ev in events:
        if ev.type in ROW_OPS and ev.table_id is not None and ev.row_id is not None:
            change: Message = {"op": ROW_OPS[ev.type], "row_id": ev.row_id, "actor_id": ev.actor_id}
            if ev.fields:
                change["fields"] = list(ev.fields)
            rows[(ev.base_id, ev.table_id)].append(change)
        elif ev.type in SCHEMA_EVENTS:
            out[ev.base_id].append({"type": "schema_changed"})
        elif ev.type == ROWS_IMPORTED and ev.table_id is not None:
            out[ev.base_id].append({"type": "resync", "table_id": ev.table_id})
    for (base_id, table_id), changes in rows.items():
        if len(changes) > MAX_CHANGES_PER_MESSAGE:
            out[base_id].append({"type": "resync", "table_id": table_id})
        else:
            out[base_id].append({"type": "rows", "table_id": table_id, "changes": changes})
    return dict(out)


def dedupe_schema(items: list[Message]) -> list[Message]:
    """At most one ``schema_changed`` per delivery, after the row messages."""
    kept = [m for m in items if m["type"] != "schema_changed"]
    if len(kept) != len(items):
        kept.append({"type": "schema_changed"})
    return kept
