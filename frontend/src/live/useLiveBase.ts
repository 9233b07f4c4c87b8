import { useEffect, useRef, useSyncExternalStore } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { qk } from "../api/queries";
import type { Id } from "../api/types";
import { useMe } from "../shell/auth";
import type { LiveMessage, LiveStatus } from "./protocol";
import { liveStatus, onLiveMessage, retainBase, watchStatus } from "./registry";

/** Row changes made by someone else (own edits are already on screen, or come from an
 * API client acting as this user: those show after a reload). */
export function othersChanges(message: LiveMessage, me: Id) {
  return message.type === "rows" ? message.changes.filter((c) => c.actor_id !== me) : [];
}

/** What every screen of the base does with a message; the grid adds its own handling. */
export function applyToQueries(qc: QueryClient, baseId: Id, me: Id, message: LiveMessage): void {
  if (message.type === "schema_changed") {
    void qc.invalidateQueries({ queryKey: qk.schema(baseId) });
  } else if (message.type === "rows") {
    const changes = othersChanges(message, me);
    if (!changes.length) return;
    // Kanban, calendar and gallery hold their rows in this query.
    void qc.invalidateQueries({ queryKey: ["card-rows", message.table_id] });
    for (const c of changes) void qc.invalidateQueries({ queryKey: qk.history(message.table_id, c.row_id) });
  } else if (message.type === "resync") {
    void qc.invalidateQueries({ queryKey: message.table_id ? ["card-rows", message.table_id] : ["card-rows"] });
    if (!message.table_id) void qc.invalidateQueries({ queryKey: qk.schema(baseId) });
  }
}

/**
 * Keep the base's live socket open while the calling screen is shown, apply what arrives to
 * the cached queries, and report the connection state for the "Live" indicator.
 */
export function useLiveBase(baseId: Id): LiveStatus {
  const qc = useQueryClient();
  const me = useMe();
  useEffect(() => retainBase(baseId), [baseId]);
  useEffect(() => onLiveMessage(baseId, (m) => applyToQueries(qc, baseId, me.id, m)), [baseId, qc, me.id]);
  return useSyncExternalStore(
    (notify) => watchStatus(baseId, notify),
    () => liveStatus(baseId),
  );
}

/** Call `handler` with every message of the base (the latest handler, without resubscribing). */
export function useLiveMessages(baseId: Id, handler: (message: LiveMessage) => void): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => onLiveMessage(baseId, (m) => ref.current(m)), [baseId]);
}
