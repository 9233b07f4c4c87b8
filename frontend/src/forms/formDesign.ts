// Rules of the form designer for link fields: which linked-table fields a sub-form may show,
// and what a link field starts with when it becomes a sub-form.
import type { Field, FormFieldConfig, Id, SubformConfig, Table } from "../api/types";
import { isEditable } from "../fields/fieldTypes";
import { DEFAULT_MAX_LINES, PLAIN_TYPES } from "./publicForm";

/** Whether a visitor without an account can fill the field in (the server refuses files, people and buttons). */
export function isPublicType(f: Field): boolean {
  return isEditable(f) && (PLAIN_TYPES.has(f.type) || f.type === "link");
}

export function linkedTable(f: Field, tables: Table[]): Table | undefined {
  return f.type === "link" ? tables.find((t) => t.id === f.options?.table_id) : undefined;
}

/**
 * Fields of the linked table a sub-form line may ask for: editable ones, never the link back
 * to the form's table (the server fills it in), nor files or people.
 */
export function subformCandidates(link: Field, tables: Table[], formTableId: Id): Field[] {
  const target = linkedTable(link, tables);
  if (!target) return [];
  return target.fields.filter(
    (f) =>
      isEditable(f) &&
      f.type !== "attachment" &&
      f.type !== "collaborator" &&
      !(f.type === "link" && f.options?.table_id === formTableId),
  );
}

/** The server's ceiling for a sub-form's max_rows. */
export const MAX_SUBFORM_LINES = 200;

/** The most lines a link can hold: one when it links to a single row. */
export function lineLimit(link: Field): number {
  return link.options?.multiple === false ? 1 : MAX_SUBFORM_LINES;
}

/** A new sub-form: the linked table's required fields, or its first two candidates. */
export function defaultSubform(link: Field, item: FormFieldConfig, tables: Table[], formTableId: Id): SubformConfig {
  const candidates = subformCandidates(link, tables, formTableId);
  const required = candidates.filter((f) => f.required);
  const chosen = required.length ? required : candidates.slice(0, 2);
  return {
    fields: chosen.map((f) => ({ field_id: f.id, required: !!f.required })),
    min_rows: item.required ? 1 : 0,
    max_rows: Math.min(DEFAULT_MAX_LINES, lineLimit(link)),
  };
}

/** Bounds for min/max lines: whole numbers, 0 ≤ min ≤ max, 1 ≤ max ≤ limit (200, or 1 for a single link). */
export function clampLines(sub: SubformConfig, patch: { min_rows?: number; max_rows?: number }, limit = MAX_SUBFORM_LINES): SubformConfig {
  const whole = (n: number | undefined, lo: number, hi: number, fallback: number) =>
    n !== undefined && Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : fallback;
  const max = whole(patch.max_rows ?? sub.max_rows, 1, limit, Math.min(DEFAULT_MAX_LINES, limit));
  const min = whole(patch.min_rows ?? sub.min_rows, 0, max, 0);
  return { ...sub, min_rows: min, max_rows: max };
}

/** Toggle a linked-table field on the sub-form, keeping the linked table's field order. */
export function toggleSubField(sub: SubformConfig, fieldId: Id, on: boolean, candidates: Field[]): SubformConfig {
  const rest = sub.fields.filter((s) => s.field_id !== fieldId);
  if (!on) return { ...sub, fields: rest };
  const pos = (id: Id) => candidates.findIndex((f) => f.id === id);
  const added = [...rest, { field_id: fieldId, required: !!candidates.find((f) => f.id === fieldId)?.required }];
  return { ...sub, fields: added.sort((a, b) => pos(a.field_id) - pos(b.field_id)) };
}
