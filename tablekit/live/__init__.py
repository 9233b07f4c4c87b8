"""Live updates: a WebSocket per open base that carries other users' row and schema changes.

``feed`` tails the outbox (``tk_events``) by id, ``hub`` fans the events out to the sockets
of one web process, ``route`` is the WebSocket endpoint. See docs/decisions/0010.
"""

from tablekit.live.route import live_updates, start_in_app, stop_in_app

__all__ = ["live_updates", "start_in_app", "stop_in_app"]
