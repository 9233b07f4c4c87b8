import type { Field } from "../api/types";

/**
 * A cell value as the app holds it (what the API reads back) turned into what the API
 * accepts on write: link and collaborator cells are written as ids, attachments as `{id}`.
 */
export function toWriteValue(field: Field, value: unknown): unknown {
  if (value === undefined) return null;
  const ids = (v: unknown) =>
    (Array.isArray(v) ? v : v ? [v] : []).map((x) => (typeof x === "object" && x !== null ? (x as { id: unknown }).id : x));
  switch (field.type) {
    case "link":
    case "collaborator":
      return ids(value);
    case "attachment":
      return ids(value).map((id) => ({ id }));
    default:
      return value;
  }
}
