// The public form endpoints (no sign-in), with the picker and sub-form shapes of a form field.
import { api } from "../api/client";
import type { Field, Id } from "../api/types";

const PUBLIC = "/api/v1/public/forms";

/** A link field whose visitors pick existing rows of `table`. */
export interface PickerSpec {
  table: string;
  multiple: boolean;
}

/** A link field whose visitors add new rows of `table`, one per line. */
export interface SubformSpec {
  table: string;
  min_rows?: number;
  max_rows?: number;
  fields: PublicFormField[];
}

export interface PublicFormField extends Field {
  required?: boolean;
  help?: string | null;
  picker?: PickerSpec;
  subform?: SubformSpec;
}

export interface PublicFormDef {
  title: string;
  description?: string | null;
  submit_label?: string;
  success_message?: string;
  fields: PublicFormField[];
}

/** A row a picker offers: its id and its primary field as text. */
export interface PickedRow {
  id: Id;
  label: string;
}

export interface SubmitAnswer {
  id: Id;
  lines?: Record<string, Id[]>;
}

const path = (token: string) => `${PUBLIC}/${encodeURIComponent(token)}`;

export const publicFormApi = {
  form: (token: string) => api.get<PublicFormDef>(path(token)),
  /** Rows a picker field (top-level or inside a sub-form) offers, matching `search`. */
  choices: (token: string, fieldId: Id, search: string, signal?: AbortSignal) =>
    api.get<{ items: PickedRow[] }>(`${path(token)}/choices/${fieldId}`, { search, limit: 20 }, signal),
  submit: (token: string, fields: Record<string, unknown>) =>
    api.post<SubmitAnswer>(path(token), { fields }, { quiet401: true }),
};
