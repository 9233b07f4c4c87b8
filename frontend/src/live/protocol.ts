// Messages of the live-update socket (/api/v1/bases/{base}/live); see docs/api.md.
import type { Id } from "../api/types";

export interface RowChange {
  op: "created" | "updated" | "deleted";
  row_id: Id;
  actor_id: Id | null;
  /** Field ids whose values changed (updates only, when known). */
  fields?: Id[];
}

export type LiveMessage =
  | { type: "hello"; base_id: Id; user_id: Id; heartbeat: number }
  | { type: "rows"; table_id: Id; changes: RowChange[] }
  | { type: "schema_changed" }
  /** Changes were too many to list, or some were missed: reload (one table, or all). */
  | { type: "resync"; table_id?: Id }
  | { type: "ping" }
  | { type: "pong" };

export type LiveStatus = "connecting" | "live" | "reconnecting" | "offline";

/** The socket address for a base on the server that served this page (ws: or wss:). */
export function liveUrl(baseId: Id, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/api/v1/bases/${baseId}/live`;
}

const TYPES = new Set(["hello", "rows", "schema_changed", "resync", "ping", "pong"]);

/** A message from the server, or null for anything unexpected (ignored, never thrown). */
export function parseMessage(data: unknown): LiveMessage | null {
  if (typeof data !== "string") return null;
  try {
    const msg = JSON.parse(data) as { type?: unknown };
    return msg && typeof msg === "object" && TYPES.has(String(msg.type)) ? (msg as LiveMessage) : null;
  } catch {
    return null;
  }
}
