// The base's trash (docs/data.md, "Trash and history").
import { api } from "../api/client";
import type { Id, Items } from "../api/types";

const V1 = "/api/v1";

export type TrashKind = "row" | "field" | "table" | "view";

export interface TrashItem {
  id: Id;
  kind: TrashKind | string;
  table_id: Id | null;
  label: string;
  deleted_by: Id | null;
  deleted_at: string;
}

export const trashApi = {
  list: (base: Id) => api.get<Items<TrashItem>>(`${V1}/bases/${base}/trash`),
  restore: (base: Id, item: Id) => api.post<Record<string, unknown>>(`${V1}/bases/${base}/trash/${item}/restore`),
  empty: (base: Id) => api.del<Record<string, unknown>>(`${V1}/bases/${base}/trash`),
};

/** Restoring a field or a table needs the admin role, a row or a view the editor role. */
export function canRestore(kind: string, role: string): boolean {
  const admin = role === "owner" || role === "admin";
  return kind === "field" || kind === "table" ? admin : admin || role === "editor";
}
