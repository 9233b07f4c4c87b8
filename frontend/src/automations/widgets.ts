// Which control edits which param. The form is generated from the params schema: every
// param gets a control chosen from its name and owner (a table picker for `table_id`, a
// field picker for `field`...), and a param this file does not know gets a generic control
// from its JSON type, so a new trigger or action type works without UI changes.
import type { BaseSchema, Field, FieldType, Table } from "../api/types";
import { isEditable } from "../fields/fieldTypes";
import type { ParamSpec } from "./schema";
import type { Params } from "./types";

export type Owner = "trigger" | "action";

/** Which table a field-related control lists the fields of. */
export type TableScope =
  | { from: "trigger" }
  /** The table in a `table_id` param; `fallback` when that param is empty. */
  | { from: "param"; param: string; fallback?: "trigger" }
  /** The table a link field (named in `param`) points to. */
  | { from: "link"; param: string; fallback?: "trigger" };

export type FieldKind = "any" | "date" | "button" | "attachment" | "link" | "number" | "people" | "mail" | "writable";

export type Widget =
  | { kind: "table" }
  | { kind: "field"; table: TableScope; fields: FieldKind }
  | { kind: "fieldList"; table: TableScope; fields: FieldKind }
  | { kind: "fieldValues"; table: TableScope }
  | { kind: "filter"; table: TableScope }
  | { kind: "template"; multiline: boolean }
  | { kind: "recipients" }
  | { kind: "members" }
  | { kind: "document" }
  | { kind: "formView" }
  | { kind: "steps" }
  | { kind: "schedule" }
  | { kind: "offset" }
  | { kind: "time" }
  | { kind: "numberOrFormula" }
  | { kind: "copyLinks" }
  | { kind: "select"; options: string[] }
  | { kind: "checkbox" }
  | { kind: "number" }
  | { kind: "text" }
  | { kind: "json" };

export interface ParamControl {
  spec: ParamSpec;
  widget: Widget;
  label: string;
  hint?: string;
  /** Params this control edits besides its own (the schedule editor owns cron, preset...). */
  owns?: string[];
}

const FIELD_TYPES: Record<Exclude<FieldKind, "any" | "writable">, FieldType[]> = {
  date: ["date", "datetime", "created_time", "modified_time"],
  button: ["button"],
  attachment: ["attachment"],
  link: ["link"],
  number: ["number", "currency", "percent", "rating", "duration"],
  people: ["collaborator", "created_by", "modified_by", "email", "lookup"],
  mail: ["email", "collaborator", "created_by", "modified_by", "lookup", "link"],
};

/** The fields of a table a control of this kind offers. */
export function fieldsOfKind(fields: Field[], kind: FieldKind): Field[] {
  if (kind === "any") return fields;
  if (kind === "writable") return fields.filter(isEditable);
  const types = FIELD_TYPES[kind];
  return fields.filter((f) => types.includes(f.type));
}

export const SCHEDULE_KEYS = ["cron", "preset", "at", "weekday", "day", "timezone", "catch_up"];

const TRIGGER_TABLE: TableScope = { from: "param", param: "table_id" };
const ROW_TABLE: TableScope = { from: "trigger" };
const TARGET_TABLE: TableScope = { from: "param", param: "table_id", fallback: "trigger" };

/** Controls for specific `type.param` pairs, then for param names used by many types. */
const BY_TYPE: Record<string, Widget> = {
  "date_relative.field": { kind: "field", table: TRIGGER_TABLE, fields: "date" },
  "date_relative.at": { kind: "time" },
  "button.field": { kind: "field", table: TRIGGER_TABLE, fields: "button" },
  "row_updated.fields": { kind: "fieldList", table: TRIGGER_TABLE, fields: "any" },
  "notify.to": { kind: "members" },
  "notify.to_field": { kind: "field", table: ROW_TABLE, fields: "people" },
  "send_email.to_field": { kind: "field", table: ROW_TABLE, fields: "mail" },
  "send_email.to_link_field": { kind: "field", table: { from: "link", param: "to_field" }, fields: "any" },
  "send_email.attach_fields": { kind: "fieldList", table: ROW_TABLE, fields: "attachment" },
  "send_email.body": { kind: "template", multiline: true },
  "generate_document.field": { kind: "field", table: ROW_TABLE, fields: "attachment" },
  "update_rows.fields": { kind: "fieldValues", table: TARGET_TABLE },
  "update_rows.filter": { kind: "filter", table: TARGET_TABLE },
  "link_rows.field": { kind: "field", table: ROW_TABLE, fields: "link" },
  "link_rows.filter": { kind: "filter", table: { from: "link", param: "field" } },
  "link_rows.mode": { kind: "select", options: ["add", "replace"] },
  "adjust_number.via_link": { kind: "field", table: ROW_TABLE, fields: "link" },
  "adjust_number.field": { kind: "field", table: { from: "link", param: "via_link", fallback: "trigger" }, fields: "number" },
  "call_webhook.body": { kind: "template", multiline: true },
  "call_webhook.method": { kind: "select", options: ["POST", "PUT", "PATCH"] },
  "copy_row.copy_links": { kind: "copyLinks" },
};

const BY_NAME: Record<string, Widget> = {
  table_id: { kind: "table" },
  view_id: { kind: "formView" },
  document_id: { kind: "document" },
  fields: { kind: "fieldValues", table: { from: "param", param: "table_id" } },
  message: { kind: "template", multiline: true },
  subject: { kind: "template", multiline: false },
  file_name: { kind: "template", multiline: false },
  url: { kind: "template", multiline: false },
  to: { kind: "recipients" },
  cc: { kind: "recipients" },
  attach_steps: { kind: "steps" },
  offset: { kind: "offset" },
  by: { kind: "numberOrFormula" },
};

const LABELS: Record<string, [string, string?]> = {
  table_id: ["Table"],
  "update_rows.table_id": ["Table", "Leave empty to update the row that started the rule."],
  "adjust_number.table_id": ["Table"],
  view_id: ["Form"],
  document_id: ["Document template"],
  field: ["Field"],
  "date_relative.field": ["Date field"],
  "button.field": ["Button field"],
  "generate_document.field": ["Attach to field", "An attachment field of the row."],
  "link_rows.field": ["Link field"],
  "adjust_number.field": ["Number field"],
  "adjust_number.via_link": ["Through link", "Adjust the linked rows instead of this row."],
  "row_updated.fields": ["Only when these fields change", "Leave empty to react to any change."],
  fields: ["Field values", "A value, or a formula starting with = such as ={Quantity} * 2."],
  filter: ["Which rows"],
  "update_rows.filter": ["Which rows", "Leave empty to update the row that started the rule."],
  "link_rows.filter": ["Link to rows where"],
  offset: ["When"],
  at: ["At (local time)"],
  "date_relative.at": ["At (local time)", "For day offsets on date fields."],
  message: ["Message"],
  "notify.to": ["Notify these members"],
  "notify.to_field": ["…and the people in this field"],
  to: ["To", "E-mail addresses; press Enter after each."],
  "send_email.to_field": ["…and the addresses in this field"],
  "send_email.to_link_field": ["E-mail field of the linked rows"],
  cc: ["Cc"],
  subject: ["Subject"],
  body: ["Body"],
  html: ["The body is HTML"],
  attach_fields: ["Attach files from these fields"],
  attach_steps: ["Attach documents made by earlier steps"],
  file_name: ["File name", ".pdf is added when missing."],
  url: ["URL"],
  method: ["Method"],
  "call_webhook.body": ["JSON body", "Leave empty to send the rule, table, row id and row."],
  secret: ["Signing secret", "Optional: signs each call (X-TableKit-Signature)."],
  by: ["Add", "A number (negative to subtract) or a formula such as -{Quantity}."],
  min: ["Never below"],
  max: ["Never above"],
  mode: ["Mode"],
  unlock: ["Unlock the row instead"],
  copy_links: ["Also copy linked rows"],
  catch_up: ["After downtime"],
};

/** Preferred order: what you pick first (table, field) before what depends on it. */
const ORDER = [
  "table_id", "view_id", "via_link", "field", "document_id", "fields", "offset", "at",
  "to", "to_field", "to_link_field", "cc", "subject", "message", "url", "method", "body", "html",
  "file_name", "filter", "attach_fields", "attach_steps", "by", "min", "max", "mode",
];
const ORDER_OVERRIDES: Record<string, string[]> = {
  update_rows: ["table_id", "filter", "fields"],
  link_rows: ["field", "filter", "mode"],
  copy_row: ["table_id", "fields", "copy_links"],
  generate_document: ["document_id", "field", "file_name"],
};

function humanize(name: string): string {
  const s = name.replace(/_id$/, "").replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The control for one param: by type and name first, then by its JSON type. */
export function widgetFor(type: string, spec: ParamSpec): Widget {
  const known = BY_TYPE[`${type}.${spec.name}`] ?? BY_NAME[spec.name];
  if (known) return known;
  if (spec.enum?.length) return { kind: "select", options: spec.enum.map(String) };
  const t = spec.types;
  if (t.length === 1 && t[0] === "boolean") return { kind: "checkbox" };
  if (t.every((x) => x === "integer" || x === "number")) return { kind: "number" };
  if (t.length === 1 && t[0] === "string") return { kind: "text" };
  if (t.includes("string") && !t.includes("object") && !t.includes("array")) return { kind: "text" };
  return { kind: "json" };
}

/**
 * The controls of a trigger or action type, in the order a person fills them in. The
 * schedule params (cron, preset, at...) become one schedule control.
 */
export function layoutParams(type: string, specs: ParamSpec[]): ParamControl[] {
  const names = new Set(specs.map((s) => s.name));
  const isSchedule = names.has("cron") && names.has("preset");
  const order = ORDER_OVERRIDES[type] ?? ORDER;
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  const sorted = specs
    .map((spec, i) => ({ spec, i }))
    .sort((a, b) => rank(a.spec.name) - rank(b.spec.name) || a.i - b.i)
    .map((x) => x.spec);
  const controls: ParamControl[] = [];
  for (const spec of sorted) {
    if (isSchedule && SCHEDULE_KEYS.includes(spec.name)) {
      if (spec.name === "cron") {
        controls.push({ spec, widget: { kind: "schedule" }, label: "Schedule", owns: SCHEDULE_KEYS.filter((k) => names.has(k)) });
      }
      continue;
    }
    const [label, hint] = LABELS[`${type}.${spec.name}`] ?? LABELS[spec.name] ?? [humanize(spec.name)];
    controls.push({ spec, widget: widgetFor(type, spec), label, hint });
  }
  return controls;
}

/** The table a scoped control works on, given the params being edited. */
export function resolveScope(
  scope: TableScope,
  params: Params,
  schema: BaseSchema,
  triggerTable: Table | undefined,
): Table | undefined {
  const byId = (v: unknown) => schema.tables.find((t) => t.id === Number(v) || t.name === v);
  if (scope.from === "trigger") return triggerTable;
  const ref = params[scope.param];
  if (scope.from === "param") {
    if (ref !== undefined && ref !== null && ref !== "") return byId(ref);
    return scope.fallback ? triggerTable : undefined;
  }
  // Link fields used this way (via_link, to_field, link_rows.field) are on the trigger row.
  if (ref === undefined || ref === null || ref === "") return scope.fallback ? triggerTable : undefined;
  const link = findField(triggerTable, ref);
  return link?.type === "link" ? byId(link.options?.table_id) : undefined;
}

/** A field of a table by the reference rules store: `f_<id>`, an id, or a name. */
export function findField(table: Table | undefined, ref: unknown): Field | undefined {
  if (!table || ref === undefined || ref === null || ref === "") return undefined;
  const s = String(ref);
  const m = /^f_(\d+)$/.exec(s);
  const id = m ? Number(m[1]) : /^\d+$/.test(s) ? Number(s) : null;
  return table.fields.find((f) => (id !== null ? f.id === id : f.name === s));
}
