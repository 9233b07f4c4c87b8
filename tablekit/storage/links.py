"""Reading and writing link cells through junction tables: one query per field per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.fields.base import Context, FieldDef, FieldType
from tablekit.registry import Registry
from tablekit.storage import physical
from tablekit.storage.schema import TableSchema


def primary_text(
    schema: TableSchema, registry: Registry[FieldType], ctx: Context
) -> tuple[Any, Callable[[Any], str]]:
    """(SQL expression for the primary value, function turning it into display text)."""
    table = physical.physical_table(schema, registry)
    primary = schema.primary
    if primary is None:
        return table.c.id, lambda v: str(v)
    ftype = registry.get(primary.type)
    if ftype.storage == "column":
        expr = table.c[primary.column]
    elif ftype.storage == "system":
        expr = table.c[ftype.system_column(primary)]
    else:
        return table.c.id, lambda v: str(v)
    return expr, lambda v: ftype.to_text(ftype.from_db(v, primary, ctx), primary)


def read_links(
    session: Session,
    fdef: FieldDef,
    row_ids: Iterable[int],
    target: TableSchema,
    registry: Registry[FieldType],
    ctx: Context,
) -> dict[int, list[dict[str, Any]]]:
    """``{row id: [{id, name}, ...]}`` for one link field over a page of rows."""
    ids = list(row_ids)
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return result
    junction, mine, theirs = physical.link_sides(fdef)
    target_table = physical.physical_table(target, registry)
    expr, to_text = primary_text(target, registry, ctx)
    query = (
        sa.select(mine, theirs, expr)
        .select_from(junction.join(target_table, target_table.c.id == theirs))
        .where(mine.in_(ids))
        .order_by(junction.c.id)
    )
    for row_id, linked_id, value in session.execute(query):
        result[row_id].append({"id": linked_id, "name": to_text(value)})
    return result


def read_link_ids(session: Session, fdef: FieldDef, row_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(row_ids)
    result: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return result
    junction, mine, theirs = physical.link_sides(fdef)
    for row_id, linked in session.execute(
        sa.select(mine, theirs).where(mine.in_(ids)).order_by(junction.c.id)
    ):
        result[row_id].append(linked)
    return result


def missing_targets(
    session: Session, target: TableSchema, registry: Registry[FieldType], ids: set[int]
) -> set[int]:
    """The ids among ``ids`` that are not rows of ``target``."""
    table = physical.physical_table(target, registry)
    found: set[int] = set()
    id_list = sorted(ids)
    for start in range(0, len(id_list), 900):
        chunk = id_list[start : start + 900]
        found.update(session.scalars(sa.select(table.c.id).where(table.c.id.in_(chunk))))
    return ids - found


def write_links(
    session: Session,
    fdef: FieldDef,
    reverse_single: bool,
    new_links: Mapping[int, list[int]],
    old_links: Mapping[int, list[int]] | None = None,
) -> set[int]:
    """Make each row's links equal to ``new_links[row]`` with minimal inserts and deletes.

    When the reverse field links to one record only, a linked row is first unlinked from
    any other row here, so the single side never ends up with two links. Returns the rows
    of this table that lost links that way.
    """
    detached: set[int] = set()
    junction, mine, theirs = physical.link_sides(fdef)
    inserts: list[dict[str, Any]] = []
    for row_id, wanted in new_links.items():
        before = list(old_links.get(row_id, [])) if old_links is not None else []
        removed = [t for t in before if t not in wanted]
        added = [t for t in wanted if t not in before]
        if removed:
            session.execute(sa.delete(junction).where(mine == row_id, theirs.in_(removed)))
        if added and reverse_single:
            steal = sa.and_(theirs.in_(added), mine != row_id)
            detached.update(session.scalars(sa.select(mine).where(steal)))
            session.execute(sa.delete(junction).where(steal))
        mine_key, theirs_key = mine.key, theirs.key
        inserts.extend({mine_key: row_id, theirs_key: t} for t in added)
    if inserts:
        session.execute(sa.insert(junction), inserts)
    return detached
