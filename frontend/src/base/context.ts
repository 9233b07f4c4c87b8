import { createContext, useContext } from "react";
import type { BaseSchema, Field, Table, View, ViewConfig } from "../api/types";

export interface ViewContextValue {
  base: BaseSchema;
  table: Table;
  view: View;
  config: ViewConfig;
  /** Field ids → field, for every table of the base (links, lookups). */
  fieldsById: Map<number, Field>;
  canEditData: boolean;
  canEditSchema: boolean;
  /** Merge a change into the view config: applied at once, saved to the server. */
  updateConfig: (patch: Partial<ViewConfig>) => void;
  /** Re-read the schema after a table/field/view change. */
  refreshSchema: () => Promise<void>;
}

export const ViewContext = createContext<ViewContextValue | null>(null);

export function useView(): ViewContextValue {
  const ctx = useContext(ViewContext);
  if (!ctx) throw new Error("useView outside a view");
  return ctx;
}

/** Fields in the view's order (field_order first, then the rest), primary field first. */
export function orderedFields(table: Table, config: ViewConfig): Field[] {
  const order = config.field_order ?? [];
  const pos = new Map(order.map((id, i) => [id, i]));
  return [...table.fields].sort((a, b) => {
    if (a.id === table.primary_field_id) return -1;
    if (b.id === table.primary_field_id) return 1;
    const pa = pos.get(a.id) ?? order.length + table.fields.indexOf(a);
    const pb = pos.get(b.id) ?? order.length + table.fields.indexOf(b);
    return pa - pb;
  });
}

export function visibleFields(table: Table, config: ViewConfig): Field[] {
  const hidden = new Set(config.hidden_fields ?? []);
  return orderedFields(table, config).filter((f) => f.id === table.primary_field_id || !hidden.has(f.id));
}
