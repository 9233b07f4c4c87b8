"""``row_matches``: fire when a row *enters* the matching set, once per transition.

The rows that match a rule are remembered in ``tk_rule_row_states``. For each row, the
events of a batch are replayed in order against the row as it was after each event
(rebuilt from the current row by undoing later events' changes), so a stock that recovers
and falls again between two polls still fires twice. A formula condition is evaluated on
those snapshots; a filter condition, which is SQL, on the stored row. The rows are locked
first (PostgreSQL), so two workers never decide the same row at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tablekit.automations import conditions, expressions, sqlutil
from tablekit.automations.models import Rule, RuleRowState
from tablekit.automations.values import formula_values, old_cells, with_new
from tablekit.db.models import OutboxEvent, utcnow
from tablekit.services.events import ROW_DELETED

if TYPE_CHECKING:
    from tablekit.automations.dispatch import Batch


def snapshots(
    current: dict[str, Any], events: Sequence[OutboxEvent]
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(row after, row before) for each event, oldest first, rebuilt from ``current``."""
    found: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    state = dict(current)
    for event in reversed(events):
        changes = (event.payload or {}).get("changes")
        after = with_new(state, changes)
        before = old_cells(after, changes) if changes else None
        found.append((after, before))
        state = before if before is not None else after
    return list(reversed(found))


def firing(batch: Batch, rule: Rule, events: Sequence[OutboxEvent]) -> list[OutboxEvent]:
    """The events at which a row started matching; records the new matching set."""
    op = batch.op(int(rule.table_id or 0))
    if op is None:
        return []
    per_row: dict[int, list[OutboxEvent]] = defaultdict(list)
    for event in events:
        per_row[int(event.row_id or 0)].append(event)
    sqlutil.lock_rows(batch.session, op.table, sorted(per_row))
    matching = set(
        batch.session.scalars(
            sa.select(RuleRowState.row_id).where(
                RuleRowState.rule_id == rule.id, RuleRowState.row_id.in_(sorted(per_row))
            )
        )
    )
    condition = rule.condition or {}
    live = [e for e in events if e.type != ROW_DELETED]
    batch.preload(live)
    passes_filter = (
        conditions.matching_ids(op, condition["filter"], sorted({int(e.row_id or 0) for e in live}))
        if condition.get("filter")
        else None
    )
    plan: list[tuple[OutboxEvent, dict[str, Any] | None]] = []
    for row_id, row_events in per_row.items():
        current: dict[str, Any] | None = None
        if row_events[-1].type != ROW_DELETED:
            current = batch.cells(row_events[-1])
        states = snapshots(current, row_events) if current is not None else []
        for index, event in enumerate(row_events):
            if event.type == ROW_DELETED or current is None:
                plan.append((event, None))
                continue
            after, before = states[index]
            snapshot = formula_values(op.schema, after, before)
            plan.append((event, expressions.variables(snapshot, row_id=row_id)))
    formula = condition.get("formula")
    rows = [variables for _, variables in plan if variables is not None]
    verdicts = iter(conditions.formula_holds(batch.engine.formulas, formula, rows))
    fired: list[OutboxEvent] = []
    before_batch = set(matching)
    for event, variables in plan:
        row_id = int(event.row_id or 0)
        holds = variables is not None and next(verdicts)
        holds = holds and (passes_filter is None or row_id in passes_filter)
        if holds and row_id not in matching:
            matching.add(row_id)
            fired.append(event)
        elif not holds:
            matching.discard(row_id)
    left = sorted(before_batch - matching)
    if left:
        batch.session.execute(
            sa.delete(RuleRowState).where(
                RuleRowState.rule_id == rule.id, RuleRowState.row_id.in_(left)
            )
        )
    for row_id in sorted(matching - before_batch):
        sqlutil.insert_ignore(
            batch.session, RuleRowState, {"rule_id": rule.id, "row_id": row_id, "since": utcnow()}
        )
    return fired
