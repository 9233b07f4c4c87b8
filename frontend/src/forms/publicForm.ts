// What a public form holds while a visitor fills it in, and the rules it checks before
// submitting. Errors are keyed by the server's field paths (`Name` or `Name[i].Sub`), so
// client checks and server answers land in the same place.
import { ApiError } from "../api/client";
import type { Id } from "../api/types";
import { toWriteValue } from "../fields/write";
import type { PickedRow, PublicFormField } from "./publicFormApi";

/** Field types a visitor can fill in with a plain input (no access to other records). */
export const PLAIN_TYPES = new Set([
  "text", "long_text", "email", "url", "phone", "number", "currency", "percent", "rating",
  "duration", "checkbox", "date", "datetime", "single_select", "multiple_select",
]);

/** The server's default when a sub-form sets no max_rows. */
export const DEFAULT_MAX_LINES = 50;

export type FieldKind = "plain" | "picker" | "subform" | "unsupported";

/** One line of a sub-form: a stable key for React, values keyed by sub-field id. */
export interface Line {
  key: number;
  values: Record<Id, unknown>;
}

/** Field id → value: plain values as FieldInput holds them, PickedRow[] for pickers, Line[] for sub-forms. */
export type FormValues = Record<Id, unknown>;

/** Field path (`Name`, `Name[i]` or `Name[i].Sub`) → message. */
export type FormErrors = Record<string, string>;

export function fieldKind(f: PublicFormField, nested = false): FieldKind {
  if (f.type === "link") {
    if (f.subform && !nested) return "subform";
    return f.picker ? "picker" : "unsupported";
  }
  return PLAIN_TYPES.has(f.type) ? "plain" : "unsupported";
}

export const linePath = (field: string, index: number, sub?: string) =>
  sub === undefined ? `${field}[${index}]` : `${field}[${index}].${sub}`;

export const isBlank = (v: unknown) =>
  v === null || v === undefined || v === "" || v === false || (Array.isArray(v) && v.length === 0);

let lineSeq = 0;
export function newLine(): Line {
  lineSeq += 1;
  return { key: lineSeq, values: {} };
}

/** The fewest lines a sub-form accepts: its min_rows, and one when the field is required. */
export function minLines(f: PublicFormField): number {
  return Math.max(f.subform?.min_rows ?? 0, f.required ? 1 : 0);
}

export function maxLines(f: PublicFormField): number {
  return f.subform?.max_rows ?? DEFAULT_MAX_LINES;
}

/** Sub-fields a visitor can fill in (a sub-form inside a sub-form is not supported). */
export function subFields(f: PublicFormField): PublicFormField[] {
  return (f.subform?.fields ?? []).filter((s) => fieldKind(s, true) !== "unsupported");
}

/** A fresh form: every sub-form starts with its minimum number of lines, and at least one. */
export function initialValues(fields: PublicFormField[]): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    if (fieldKind(f) === "subform") {
      const n = Math.min(Math.max(minLines(f), 1), maxLines(f));
      values[f.id] = Array.from({ length: n }, newLine);
    }
  }
  return values;
}

export function lineIsBlank(line: Line, subs: PublicFormField[]): boolean {
  return subs.every((s) => isBlank(line.values[s.id]));
}

/**
 * Drop lines the visitor left empty, like a spreadsheet ignores empty rows. Blank lines are
 * kept only where they are needed to reach `min`, so their required cells get flagged.
 */
export function pruneBlankLines(lines: Line[], subs: PublicFormField[], min: number): Line[] {
  const filled = lines.filter((l) => !lineIsBlank(l, subs)).length;
  let blanksAllowed = Math.max(0, min - filled);
  return lines.filter((l) => {
    if (!lineIsBlank(l, subs)) return true;
    if (blanksAllowed === 0) return false;
    blanksAllowed -= 1;
    return true;
  });
}

/** Prune blank lines in every sub-form; returns the same object when nothing changed. */
export function pruneForm(fields: PublicFormField[], values: FormValues): FormValues {
  let out = values;
  for (const f of fields) {
    if (fieldKind(f) !== "subform") continue;
    const lines = (values[f.id] as Line[] | undefined) ?? [];
    const kept = pruneBlankLines(lines, subFields(f), minLines(f));
    if (kept.length !== lines.length) out = { ...out, [f.id]: kept };
  }
  return out;
}

function missing(f: PublicFormField, value: unknown): string | null {
  if (!f.required || f.type === "checkbox" || !isBlank(value)) return null;
  if (fieldKind(f, true) === "picker") return f.picker?.multiple ? "Please choose at least one." : "Please choose one.";
  return "Please fill this in.";
}

/** Required fields, required line cells and the number of lines; empty when all is well. */
export function validate(fields: PublicFormField[], values: FormValues): FormErrors {
  const errors: FormErrors = {};
  for (const f of fields) {
    const kind = fieldKind(f);
    if (kind === "unsupported") continue;
    if (kind !== "subform") {
      const m = missing(f, values[f.id]);
      if (m) errors[f.name] = m;
      continue;
    }
    const lines = (values[f.id] as Line[] | undefined) ?? [];
    const min = minLines(f);
    const max = maxLines(f);
    if (lines.length < min) errors[f.name] = min === 1 ? "Add at least one line." : `Add at least ${min} lines.`;
    else if (lines.length > max) errors[f.name] = `At most ${max} lines are allowed.`;
    lines.forEach((line, i) => {
      for (const s of subFields(f)) {
        const m = missing(s, line.values[s.id]);
        if (m) errors[linePath(f.name, i, s.name)] = m;
      }
    });
  }
  return errors;
}

function writeValue(f: PublicFormField, value: unknown): unknown {
  if (fieldKind(f, true) === "picker") {
    const ids = ((value as PickedRow[] | undefined) ?? []).map((r) => r.id);
    return f.picker?.multiple ? ids : (ids[0] ?? null);
  }
  return toWriteValue(f, value);
}

/** The POST body's `fields`: keyed by field name; pickers as ids, sub-forms as line objects. */
export function buildBody(fields: PublicFormField[], values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const kind = fieldKind(f);
    const value = values[f.id];
    if (kind === "unsupported" || value === undefined) continue;
    if (kind === "subform") {
      const subs = subFields(f);
      body[f.name] = (value as Line[]).map((line) => {
        const cells: Record<string, unknown> = {};
        for (const s of subs) if (line.values[s.id] !== undefined) cells[s.name] = writeValue(s, line.values[s.id]);
        return cells;
      });
    } else {
      body[f.name] = writeValue(f, value);
    }
  }
  return body;
}

export interface ErrorPlace {
  field: PublicFormField;
  line?: number;
  sub?: PublicFormField;
}

/**
 * Where a server error path points on this form, or null. Matched against the known names
 * rather than with a pattern alone, because field names may contain brackets and dots.
 */
export function locatePath(path: string, fields: PublicFormField[]): ErrorPlace | null {
  const exact = fields.find((f) => f.name === path);
  if (exact) return { field: exact };
  for (const f of fields) {
    if (fieldKind(f) !== "subform" || !path.startsWith(`${f.name}[`)) continue;
    const m = /^\[(\d+)\](?:\.(.+))?$/s.exec(path.slice(f.name.length));
    if (!m) continue;
    const line = Number(m[1]);
    if (m[2] === undefined) return { field: f, line };
    const sub = subFields(f).find((s) => s.name === m[2]);
    if (sub) return { field: f, line, sub };
  }
  return null;
}

const sentence = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** A failed submission as errors placed next to their fields, plus what fits nowhere. */
export function serverErrors(err: unknown, fields: PublicFormField[]): { byPath: FormErrors; general: string[] } {
  const byPath: FormErrors = {};
  const general: string[] = [];
  if (err instanceof ApiError && err.status === 429) {
    return { byPath, general: ["Too many submissions right now. Please wait a minute and try again."] };
  }
  const list = err instanceof ApiError ? err.details?.errors : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    return { byPath, general: [err instanceof Error ? err.message : "Something went wrong."] };
  }
  for (const item of list as { field?: unknown; message?: unknown }[]) {
    const path = typeof item.field === "string" ? item.field : "";
    const message = sentence(typeof item.message === "string" ? item.message : "Is not valid");
    const place = path ? locatePath(path, fields) : null;
    if (place && !byPath[path]) byPath[path] = message;
    else if (!place) general.push(path ? `${path}: ${message}` : message);
  }
  return { byPath, general };
}

/** After removing line `removed` of sub-form `field`, move the errors of later lines up. */
export function shiftLineErrors(errors: FormErrors, field: string, removed: number): FormErrors {
  const prefix = `${field}[`;
  const out: FormErrors = {};
  for (const [path, message] of Object.entries(errors)) {
    const m = path.startsWith(prefix) ? /^(\d+)\](.*)$/s.exec(path.slice(prefix.length)) : null;
    if (!m) {
      out[path] = message;
      continue;
    }
    const i = Number(m[1]);
    if (i === removed) continue;
    out[i > removed ? `${prefix}${i - 1}]${m[2]}` : path] = message;
  }
  return out;
}

/** The errors without `paths` (the visitor changed those values). */
export function withoutErrors(errors: FormErrors, ...paths: string[]): FormErrors {
  if (!paths.some((p) => p in errors)) return errors;
  const out = { ...errors };
  for (const p of paths) delete out[p];
  return out;
}
