import { api } from "./client";
import type {
  ApiToken,
  Attachment,
  Base,
  BaseSchema,
  CreatedToken,
  DryRunResult,
  Field,
  FieldOptions,
  FieldType,
  FilterGroup,
  HistoryEntry,
  Id,
  Items,
  LoginResponse,
  Me,
  Member,
  Notification,
  PublicView,
  Role,
  Row,
  RowCount,
  RowPage,
  ShareLink,
  Table,
  Template,
  View,
  ViewConfig,
  ViewType,
  Workspace,
} from "./types";

import type { components } from "./schema";

/** Request bodies generated from the server's OpenAPI document (`npm run gen:api`). */
type Body = components["schemas"];

const V1 = "/api/v1";

export interface RowQuery {
  view?: Id;
  filter?: FilterGroup | null;
  sort?: string;
  search?: string;
  limit?: number;
  cursor?: string | null;
  /** Start at the n-th matching row instead of a cursor (far jumps). */
  offset?: number;
}

function rowParams(q: RowQuery): Record<string, string | number | undefined> {
  return {
    keys: "id",
    view: q.view,
    filter: q.filter ? JSON.stringify(q.filter) : undefined,
    sort: q.sort || undefined,
    search: q.search || undefined,
    limit: q.limit,
    cursor: q.cursor ?? undefined,
    offset: q.offset,
  };
}

export interface NewField {
  name: string;
  type: FieldType;
  options?: FieldOptions;
  unique?: boolean;
  required?: boolean;
  description?: string;
}

export const endpoints = {
  login: (email: string, password: string) =>
    api.post<LoginResponse>(`${V1}/auth/login`, { email, password } satisfies Body["LoginIn"], { quiet401: true }),
  logout: () => api.post<void>(`${V1}/auth/logout`),
  me: () => api.get<Me>(`${V1}/me`),

  workspaces: () => api.get<Items<Workspace>>(`${V1}/workspaces`),
  createWorkspace: (name: string) => api.post<Workspace>(`${V1}/workspaces`, { name }),
  bases: (ws: Id) => api.get<Items<Base>>(`${V1}/workspaces/${ws}/bases`),
  createBase: (ws: Id, name: string, template?: string) =>
    api.post<Base>(`${V1}/workspaces/${ws}/bases`, template ? { name, template } : { name }),
  renameBase: (base: Id, name: string) => api.patch<Base>(`${V1}/bases/${base}`, { name }),
  deleteBase: (base: Id) => api.del(`${V1}/bases/${base}`),
  templates: () => api.get<Items<Template>>(`${V1}/templates`),
  schema: (base: Id) => api.get<BaseSchema>(`${V1}/bases/${base}/schema`),

  members: (ws: Id) => api.get<Items<Member>>(`${V1}/workspaces/${ws}/members`),
  addMember: (ws: Id, email: string, role: Role) =>
    api.post<Member>(`${V1}/workspaces/${ws}/members`, { email, role } satisfies Body["MemberAdd"]),

  createTable: (base: Id, name: string, fields: NewField[] = []) =>
    api.post<Table>(`${V1}/bases/${base}/tables`, { name, fields }),
  renameTable: (table: Id, name: string) => api.patch<Table>(`${V1}/tables/${table}`, { name }),
  deleteTable: (table: Id) => api.del(`${V1}/tables/${table}`),

  createField: (table: Id, field: NewField) =>
    api.post<Field>(`${V1}/tables/${table}/fields`, field),
  updateField: (field: Id, patch: Partial<NewField>) =>
    api.patch<Field>(`${V1}/fields/${field}`, patch),
  dryRunField: (field: Id, patch: Partial<NewField>) =>
    api.patch<DryRunResult>(`${V1}/fields/${field}?dry_run=true`, patch),
  deleteField: (field: Id) => api.del(`${V1}/fields/${field}`),

  createView: (table: Id, name: string, type: ViewType, config: ViewConfig = {}) =>
    api.post<View>(`${V1}/tables/${table}/views`, { name, type, config }),
  updateView: (view: Id, patch: { name?: string; config?: ViewConfig }) =>
    api.patch<View>(`${V1}/views/${view}`, patch),
  deleteView: (view: Id) => api.del(`${V1}/views/${view}`),
  shareView: (view: Id, kind: "form" | "read") =>
    api.post<ShareLink>(`${V1}/views/${view}/share`, { kind }),

  rows: (table: Id, q: RowQuery, signal?: AbortSignal) =>
    api.get<RowPage>(`${V1}/tables/${table}/rows`, rowParams(q), signal),
  rowCount: (table: Id, q: RowQuery, signal?: AbortSignal) =>
    api.get<RowCount>(`${V1}/tables/${table}/rows/count`, rowParams({ ...q, limit: undefined }), signal),
  row: (table: Id, row: Id) => api.get<Row>(`${V1}/tables/${table}/rows/${row}`, { keys: "id" }),
  createRows: (table: Id, rows: { fields: Record<string, unknown> }[]) =>
    api.post<{ rows: Row[] }>(`${V1}/tables/${table}/rows?keys=id`, { rows } satisfies Body["RowsCreate"]),
  updateRow: (table: Id, row: Id, fields: Record<string, unknown>, version?: number) =>
    api.patch<Row>(`${V1}/tables/${table}/rows/${row}?keys=id`, { fields } satisfies Body["RowFields"], {
      headers: version !== undefined ? { "If-Match": String(version) } : undefined,
    }),
  /** With `version` on a row, a row changed since makes the whole batch answer 409. */
  updateRows: (table: Id, rows: { id: Id; fields: Record<string, unknown>; version?: number }[]) =>
    api.patch<{ rows: Row[] }>(`${V1}/tables/${table}/rows?keys=id`, { rows } satisfies Body["RowsUpdate"]),
  deleteRows: (table: Id, ids: Id[]) => api.del(`${V1}/tables/${table}/rows`, { ids } satisfies Body["RowsDelete"]),
  rowHistory: (table: Id, row: Id) =>
    api.get<Items<HistoryEntry>>(`${V1}/tables/${table}/rows/${row}/history`),
  clickButton: (table: Id, row: Id, field: Id) =>
    api.post<unknown>(`${V1}/tables/${table}/rows/${row}/buttons/${field}`),

  uploadFile: (file: File, baseId: Id) => {
    const form = new FormData();
    form.append("file", file);
    form.append("base_id", String(baseId));
    return api.post<Attachment>(`${V1}/files`, form);
  },

  tokens: () => api.get<Items<ApiToken>>(`${V1}/tokens`),
  createToken: (body: { name: string; scopes: string[]; workspace_id?: Id; base_id?: Id }) =>
    api.post<CreatedToken>(`${V1}/tokens`, body),
  revokeToken: (id: Id) => api.del(`${V1}/tokens/${id}`),

  notifications: () => api.get<Items<Notification>>(`${V1}/notifications`),
  markNotificationsRead: (ids?: Id[]) =>
    api.post<void>(`${V1}/notifications/read`, ids ? { ids } : {}),

  publicView: (token: string) =>
    api.get<PublicView>(`${V1}/public/views/${encodeURIComponent(token)}`),
  publicViewRows: (token: string, cursor: string | null) =>
    api.get<RowPage>(`${V1}/public/views/${encodeURIComponent(token)}/rows`, { cursor, limit: 100 }),
};
