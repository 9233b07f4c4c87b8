// Import and export (docs/data.md): multipart uploads answered by a background job.
import { api, buildUrl } from "../api/client";
import type { FieldOptions, FieldType, Id } from "../api/types";

const V1 = "/api/v1";

/** Where an import goes: rows into an existing table, or a new table of the base. */
export type ImportTarget = { kind: "table"; tableId: Id } | { kind: "base"; baseId: Id };

export interface DetectedColumn {
  index: number;
  name: string;
  type: FieldType;
  options: FieldOptions;
  samples: string[];
}

export interface ImportPreview {
  format: "csv" | "xlsx";
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  sheets?: string[];
  columns: DetectedColumn[];
  rows: string[][];
  sampled_rows: number;
  /** Into an existing table: column → field name the import would use (null = skipped). */
  mapping?: Record<string, string | null>;
  table_id?: Id;
}

export interface ImportOptions {
  mapping?: Record<string, string | null>;
  key_fields?: string[];
  skip_bad_rows?: boolean;
  table_name?: string;
  types?: Record<string, string>;
}

export interface RejectedRow {
  row: number;
  column?: string | null;
  field?: string | null;
  message: string;
}

export interface ImportResult {
  table_id: Id;
  created: number;
  updated: number;
  rejected: number;
  rows_read: number;
  blank_rows: number;
  rejected_rows: RejectedRow[];
}

export type JobStatus = "queued" | "running" | "succeeded" | "failed";

export interface Job {
  id: Id;
  kind?: string;
  status: JobStatus;
  progress: number;
  result: ImportResult | null;
  error: { code: string; message: string; details?: { rejected?: number; rejected_rows?: RejectedRow[] } | null } | null;
}

function upload(file: File, options: ImportOptions): FormData {
  const form = new FormData();
  form.append("file", file);
  form.append("options", JSON.stringify(options));
  return form;
}

const importPath = (target: ImportTarget) =>
  target.kind === "table" ? `${V1}/tables/${target.tableId}/import` : `${V1}/bases/${target.baseId}/import`;

export const interchangeApi = {
  preview: (target: ImportTarget, file: File, options: ImportOptions = {}) =>
    api.post<ImportPreview>(`${importPath(target)}/preview`, upload(file, options)),
  start: (target: ImportTarget, file: File, options: ImportOptions) =>
    api.post<{ job_id: Id }>(importPath(target), upload(file, options)),
  job: (id: Id, signal?: AbortSignal) => api.get<Job>(`${V1}/jobs/${id}`, undefined, signal),
};

/** The download address of a table's (or a view's) rows; the session cookie authorizes it. */
export function exportUrl(tableId: Id, format: "csv" | "xlsx", viewId?: Id, bom = false): string {
  return buildUrl(`${V1}/tables/${tableId}/export`, { format, view: viewId, bom: bom || undefined });
}
