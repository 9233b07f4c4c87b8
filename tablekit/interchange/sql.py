"""Raw SQL pieces for the paths that bypass SQLAlchemy's statement building (bulk writes,
hashing, renames): identifiers quoted by the dialect, placeholders in the driver's style."""

from __future__ import annotations

from sqlalchemy.engine import Connection


def quote(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def marks(conn: Connection, count: int) -> str:
    """``count`` positional placeholders for the driver (``?`` or ``%s``)."""
    return ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * count)
