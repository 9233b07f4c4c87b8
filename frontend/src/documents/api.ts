// Document templates (docs/documents.md): CRUD, the editor's HTML preview and PDF download.
import { api, ApiError, csrfToken } from "../api/client";
import type { Id, Items } from "../api/types";

const V1 = "/api/v1";

export interface DocumentTemplate {
  id: Id;
  base_id: Id;
  table_id: Id;
  name: string;
  template: string;
  css: string;
  created_by?: Id | null;
  created_at?: string;
  updated_at?: string;
}

export interface DocumentDraft {
  name: string;
  table_id: Id;
  template: string;
  css: string;
}

export interface Preview {
  html: string;
  row_id: Id;
}

export const documentsApi = {
  list: (base: Id) => api.get<Items<DocumentTemplate>>(`${V1}/bases/${base}/documents`),
  get: (doc: Id) => api.get<DocumentTemplate>(`${V1}/documents/${doc}`),
  create: (base: Id, draft: DocumentDraft) => api.post<DocumentTemplate>(`${V1}/bases/${base}/documents`, draft),
  update: (doc: Id, patch: Partial<DocumentDraft>) => api.patch<DocumentTemplate>(`${V1}/documents/${doc}`, patch),
  remove: (doc: Id) => api.del(`${V1}/documents/${doc}`),
  /** HTML of an unsaved template for a row (the table's first when `row_id` is null). */
  preview: (base: Id, body: { table_id: Id; template: string; css: string; row_id: Id | null }, signal?: AbortSignal) =>
    api.post<Preview>(`${V1}/bases/${base}/documents/preview`, body, { signal }),
  /** HTML of the saved template (readers may preview, only admins may preview edits). */
  previewSaved: (doc: Id, rowId: Id | null, signal?: AbortSignal) =>
    api.post<Preview>(`${V1}/documents/${doc}/preview`, { row_id: rowId }, { signal }),
};

/** The file name from a Content-Disposition header (RFC 6266 `filename*` first). */
export function dispositionName(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename="([^"]*)"/i.exec(header);
  return plain?.[1] || fallback;
}

/** Render a saved document for a row as PDF and hand it to the browser as a download. */
export async function downloadPdf(doc: Id, rowId: Id, fallbackName: string): Promise<void> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/pdf, application/json" };
  const token = csrfToken();
  if (token) headers["X-CSRF-Token"] = token;
  const res = await fetch(`${V1}/documents/${doc}/render`, {
    method: "POST",
    headers,
    credentials: "same-origin",
    body: JSON.stringify({ row_id: rowId, format: "pdf" }),
  });
  if (!res.ok) {
    let body: Record<string, unknown> = {};
    try {
      body = await res.json();
    } catch {
      /* not JSON: keep the status only */
    }
    throw new ApiError(res.status, body);
  }
  const blob = await res.blob();
  saveBlob(blob, dispositionName(res.headers.get("Content-Disposition"), fallbackName));
}

/** Offer a blob as a download with a given file name. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers read the URL after click() returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
