// Hand-written API types following shared/API.md and the lead's shapes.
// TODO(api): switch to the generated `schema.d.ts` (npm run gen:api) once the backend serves
// /api/openapi.json; these names stay as aliases so the rest of the app does not change.

export type Id = number;

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown> | null;
}

export interface Membership {
  workspace_id: Id;
  workspace_name: string;
  role: Role;
}

export interface User {
  id: Id;
  email: string;
  name: string;
  is_admin: boolean;
}

export interface Me extends User {
  memberships: Membership[];
}

export type Role = "owner" | "admin" | "editor" | "commenter" | "viewer";

export interface LoginResponse {
  user: User;
  csrf_token: string;
}

export interface Items<T> {
  items: T[];
}

export interface Workspace {
  id: Id;
  name: string;
  role: Role;
}

export interface Base {
  id: Id;
  name: string;
  workspace_id: Id;
}

export interface Template {
  name: string;
  title: string;
  description: string;
  picture?: string | null;
}

export type FieldType =
  | "text"
  | "long_text"
  | "number"
  | "currency"
  | "percent"
  | "checkbox"
  | "date"
  | "datetime"
  | "single_select"
  | "multiple_select"
  | "email"
  | "url"
  | "phone"
  | "rating"
  | "duration"
  | "auto_number"
  | "created_time"
  | "modified_time"
  | "created_by"
  | "modified_by"
  | "collaborator"
  | "attachment"
  | "link"
  | "lookup"
  | "rollup"
  | "count"
  | "formula"
  | "button";

export type Color =
  | "gray"
  | "red"
  | "orange"
  | "yellow"
  | "green"
  | "teal"
  | "blue"
  | "purple"
  | "pink";

export interface Choice {
  name: string;
  color?: Color;
}

export interface FieldOptions {
  precision?: number;
  currency?: string;
  max?: number;
  choices?: Choice[];
  format?: string;
  time_zone?: string;
  table_id?: Id;
  multiple?: boolean;
  reverse_field_id?: Id;
  link_field?: string | Id;
  target_field?: string | Id;
  aggregate?: string;
  formula?: string;
  label?: string;
  rule_id?: Id;
  [key: string]: unknown;
}

export interface Field {
  id: Id;
  name: string;
  type: FieldType;
  options: FieldOptions | null;
  unique?: boolean;
  required?: boolean;
  description?: string | null;
  read_only?: boolean;
}

export type ViewType = "grid" | "form" | "kanban" | "calendar" | "gallery";

export interface FilterCondition {
  field: string;
  op: FilterOp;
  value?: unknown;
}
export interface FilterAnd {
  and: FilterNode[];
}
export interface FilterOr {
  or: FilterNode[];
}
export type FilterGroup = FilterAnd | FilterOr;
export type FilterNode = FilterCondition | FilterGroup;

export type FilterOp =
  | "eq"
  | "neq"
  | "lt"
  | "lte"
  | "gt"
  | "gte"
  | "contains"
  | "not_contains"
  | "starts_with"
  | "is_empty"
  | "is_not_empty"
  | "in"
  | "has_any"
  | "has_all"
  | "before"
  | "after"
  | "on"
  | "within";

export interface SortSpec {
  field: string;
  direction: "asc" | "desc";
}

export interface RowColorRule {
  filter: FilterGroup;
  color: Color;
}

export interface FormFieldConfig {
  field_id: Id;
  required?: boolean;
  help?: string;
  /** Link fields only: which rows of the linked table the picker offers. */
  filter?: FilterGroup | null;
  /** Link fields only: visitors add new rows of the linked table (line items) instead of picking. */
  subform?: SubformConfig;
}

/** A link field shown as line items: each line becomes a new row of the linked table. */
export interface SubformConfig {
  /** Fields of the linked table (never its link back). */
  fields: { field_id: Id; required?: boolean; help?: string }[];
  min_rows?: number;
  /** Default 50. */
  max_rows?: number;
}

export interface FormConfig {
  title?: string;
  description?: string;
  fields?: FormFieldConfig[];
  submit_label?: string;
  success_message?: string;
}

export interface ViewConfig {
  filter?: FilterGroup | null;
  sort?: SortSpec[];
  group_by?: SortSpec[];
  hidden_fields?: Id[];
  field_order?: Id[];
  field_widths?: Record<string, number>;
  frozen_columns?: number;
  row_colors?: RowColorRule[];
  stack_field?: Id | null;
  date_field?: Id | null;
  cover_field?: Id | null;
  form?: FormConfig;
  [key: string]: unknown;
}

export interface View {
  id: Id;
  table_id: Id;
  name: string;
  type: ViewType;
  config: ViewConfig | null;
}

export interface Table {
  id: Id;
  name: string;
  primary_field_id: Id;
  fields: Field[];
  views: View[];
}

export interface BaseSchema {
  id: Id;
  name: string;
  workspace_id: Id;
  role: Role;
  tables: Table[];
}

/** Cells keyed `f_<field id>` (the app always asks with `keys=id`). */
export type Cells = Record<string, unknown>;

export interface Row {
  id: Id;
  version: number;
  created_at: string;
  updated_at: string;
  fields: Cells;
}

export interface RowPage {
  rows: Row[];
  next_cursor: string | null;
}

export interface RowCount {
  count: number;
  estimated: boolean;
}

export interface HistoryChange {
  field_id: string | Id;
  field: string | null;
  old: unknown;
  new: unknown;
}

export interface HistoryEntry {
  id: Id;
  action: string;
  at: string;
  actor: { id: Id; email: string; name: string } | null;
  changes: HistoryChange[];
}

export interface UserRef {
  id: Id;
  email: string;
  name: string;
}

export interface Attachment {
  id: Id | string;
  name: string;
  size: number;
  mime_type: string;
  url: string;
}

export interface LinkRef {
  id: Id;
  name: string;
}

export interface CellError {
  error: string;
  message?: string;
}

export interface ApiToken {
  id: Id;
  name: string;
  scopes: string[];
  workspace_id: Id | null;
  base_id: Id | null;
  created_at: string;
  last_used_at: string | null;
}

export interface CreatedToken extends ApiToken {
  token: string;
}

export interface Member {
  user_id: Id;
  email: string;
  name: string;
  role: Role;
}

export interface Notification {
  id: Id;
  message: string;
  created_at: string;
  read: boolean;
}

export interface ShareLink {
  url: string;
  token: string;
}

export interface DryRunResult {
  unconvertible: { row_id: Id; value: unknown }[];
  count: number;
}

export interface PublicView {
  name: string;
  type: ViewType;
  table: string;
  fields: Field[];
}
