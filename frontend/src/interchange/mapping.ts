// The import dialog's column mapping, turned into the request the server takes
// (docs/data.md, "Import a CSV or XLSX file"). Pure functions, tested in mapping.test.ts.
import type { NewField } from "../api/endpoints";
import type { Field, FieldType, Table } from "../api/types";
import { isEditable, typeInfo } from "../fields/fieldTypes";
import type { DetectedColumn, ImportOptions, ImportPreview } from "./api";

/** What happens to one column of the file. */
export type ColumnChoice =
  | { kind: "field"; field: string }
  | { kind: "new"; type: FieldType }
  | { kind: "skip" };

export type ImportMode = "append" | "upsert";

export interface ImportSetup {
  /** By column name. */
  choices: Record<string, ColumnChoice>;
  mode: ImportMode;
  /** Field names that identify a row when upserting. */
  keyFields: string[];
  skipBadRows: boolean;
  /** New tables only. */
  tableName: string;
}

/** Types a column can become: the ones a file's text converts into. */
export const COLUMN_TYPES: FieldType[] = [
  "text", "long_text", "number", "currency", "percent", "checkbox", "date", "datetime",
  "single_select", "multiple_select", "email", "url", "phone", "rating", "duration",
];

// Server side: plan.NOT_KEYS; such fields cannot identify a row.
const NOT_KEY_TYPES = new Set<FieldType>(["multiple_select", "collaborator", "attachment", "link"]);

/** Fields of a table that an import can write. */
export function importableFields(table: Table): Field[] {
  return table.fields.filter((f) => isEditable(f) && f.type !== "button");
}

export function keyCandidates(table: Table): Field[] {
  return importableFields(table).filter((f) => !NOT_KEY_TYPES.has(f.type));
}

const asType = (t: FieldType): FieldType => (COLUMN_TYPES.includes(t) ? t : "text");

/** The starting point: the server's proposed mapping, or every column as a new field. */
export function initialSetup(preview: ImportPreview, table: Table | null, fileName: string): ImportSetup {
  const choices: Record<string, ColumnChoice> = {};
  for (const col of preview.columns) {
    if (table) {
      const field = preview.mapping?.[col.name];
      choices[col.name] = field ? { kind: "field", field } : { kind: "skip" };
    } else {
      choices[col.name] = { kind: "new", type: asType(col.type) };
    }
  }
  return {
    choices,
    mode: "append",
    keyFields: [],
    skipBadRows: false,
    tableName: fileName.replace(/\.(csv|tsv|txt|xlsx)$/i, "").trim() || "Imported table",
  };
}

/** Why the import cannot start yet (empty when it can). */
export function setupProblems(setup: ImportSetup, columns: DetectedColumn[], table: Table | null): string[] {
  const problems: string[] = [];
  const used = columns.map((c) => ({ column: c.name, choice: setup.choices[c.name] ?? { kind: "skip" } }));
  const active = used.filter((u) => u.choice.kind !== "skip");
  if (active.length === 0) problems.push("Choose at least one column to import.");
  if (!table) {
    if (!setup.tableName.trim()) problems.push("Give the new table a name.");
    return problems;
  }
  const targets = new Map<string, string[]>();
  for (const u of active) {
    const name = u.choice.kind === "field" ? u.choice.field : u.column;
    targets.set(name.toLowerCase(), [...(targets.get(name.toLowerCase()) ?? []), u.column]);
    if (u.choice.kind === "new" && table.fields.some((f) => f.name.toLowerCase() === u.column.toLowerCase())) {
      problems.push(`A field named "${u.column}" already exists: map the column to it instead of creating a new one.`);
    }
  }
  for (const [, cols] of targets) {
    if (cols.length > 1) problems.push(`Columns ${cols.map((c) => `"${c}"`).join(" and ")} go into the same field.`);
  }
  if (setup.mode === "upsert") {
    if (setup.keyFields.length === 0) problems.push("Choose the key field that identifies existing rows.");
    const mapped = new Set(active.filter((u) => u.choice.kind === "field").map((u) => (u.choice as { field: string }).field));
    for (const key of setup.keyFields) {
      if (!mapped.has(key)) problems.push(`The key field "${key}" gets no column of the file.`);
    }
  }
  return problems;
}

export interface ImportRequest {
  options: ImportOptions;
  /** Fields to create in the table before the import starts (existing tables only). */
  newFields: NewField[];
}

/** The `options` part of the upload, plus the fields to create first. */
export function buildRequest(setup: ImportSetup, columns: DetectedColumn[], table: Table | null): ImportRequest {
  const options: ImportOptions = {};
  if (setup.skipBadRows) options.skip_bad_rows = true;
  if (!table) {
    const types: Record<string, string> = {};
    for (const col of columns) {
      const choice = setup.choices[col.name];
      if (!choice || choice.kind === "skip") types[col.name] = "skip";
      else if (choice.kind === "new" && choice.type !== col.type) types[col.name] = choice.type;
    }
    options.table_name = setup.tableName.trim();
    if (Object.keys(types).length) options.types = types;
    return { options, newFields: [] };
  }
  const mapping: Record<string, string | null> = {};
  const newFields: NewField[] = [];
  for (const col of columns) {
    const choice = setup.choices[col.name] ?? { kind: "skip" };
    if (choice.kind === "field") mapping[col.name] = choice.field;
    else if (choice.kind === "new") {
      mapping[col.name] = col.name;
      // Detected options (a select's choices, a number's precision) fit only the detected type.
      const fieldOptions = choice.type === col.type ? col.options : typeInfo(choice.type).defaultOptions;
      newFields.push({ name: col.name, type: choice.type, ...(fieldOptions && Object.keys(fieldOptions).length ? { options: fieldOptions } : {}) });
    } else mapping[col.name] = null;
  }
  options.mapping = mapping;
  if (setup.mode === "upsert") options.key_fields = [...setup.keyFields];
  return { options, newFields };
}
