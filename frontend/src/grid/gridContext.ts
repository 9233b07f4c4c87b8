import type { Field, Id, Row, Table } from "../api/types";

/** Passed to AG Grid as `context`: what cell renderers and editors need from the view. */
export interface GridContext {
  baseId: Id;
  workspaceId: Id;
  tables: Table[];
  canEdit: boolean;
  /** Group headers take row indexes, so row numbers are hidden when grouping. */
  grouped: boolean;
  commit: (row: Row, field: Field, value: unknown) => void;
  openRow: (row: Row) => void;
  clickButton: (row: Row, field: Field) => void;
}
