// Copy and paste of cell blocks as tab-separated text (what spreadsheets put on the
// clipboard), and turning a pasted block into one batch update. Pure functions, unit-tested.
import type { Field, Id, Row } from "../api/types";
import { isEditable } from "../fields/fieldTypes";
import { fieldKey, formatCell, parseInput } from "../fields/format";
import { toWriteValue } from "../fields/write";

/** The API takes at most this many rows per batch. */
export const MAX_PASTE_ROWS = 1000;
/** Types whose cells hold references (rows, users, files), not text to paste. */
const NOT_PASTABLE = new Set(["link", "collaborator", "attachment", "button"]);

function quoteCell(text: string): string {
  return /[\t\n\r"]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Cells as TSV: tabs between cells, a newline between rows, and cells holding a tab,
 * newline or quote in double quotes (quotes doubled), as Excel and Google Sheets do. */
export function formatTsv(cells: string[][]): string {
  return cells.map((row) => row.map(quoteCell).join("\t")).join("\n");
}

/** TSV from the clipboard as rows of cells. Understands quoted cells (with tabs, newlines
 * and doubled quotes inside), CRLF line ends and the trailing newline spreadsheets add. */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let atCellStart = true;
  while (i < text.length) {
    const ch = text[i];
    if (atCellStart && ch === '"') {
      const end = closingQuote(text, i + 1);
      if (end >= 0) {
        cell = text.slice(i + 1, end).replace(/""/g, '"');
        i = end + 1;
        atCellStart = false;
        continue;
      }
    }
    atCellStart = false;
    if (ch === "\t") {
      row.push(cell);
      cell = "";
      atCellStart = true;
    } else if (ch === "\n" || ch === "\r") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      atCellStart = true;
      if (ch === "\r" && text[i + 1] === "\n") i++;
    } else {
      cell += ch;
    }
    i++;
  }
  if (!atCellStart || row.length || cell) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Where a quoted cell starting after `from` ends: a quote followed by a tab, a line end or
 * the end of the text (doubled quotes are part of the cell); -1 when it is not quoted. */
function closingQuote(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === '"') {
      if (text[i + 1] === '"') {
        i += 2;
        continue;
      }
      const next = text[i + 1];
      return next === undefined || next === "\t" || next === "\n" || next === "\r" ? i : -1;
    }
    i++;
  }
  return -1;
}

/** Displayed text of a block of cells (what the grid shows), ready for `formatTsv`. */
export function copyCells(rows: Row[], fields: Field[]): string[][] {
  return rows.map((row) => fields.map((f) => formatCell(f, row.fields[fieldKey(f.id)])));
}

/** One pasted value: who, where, before and after (also what undo needs). */
export interface CellChange {
  rowId: Id;
  fieldId: Id;
  old: unknown;
  value: unknown;
}

export interface PastePlan {
  /** The batch body: one entry per row that changes. */
  updates: { id: Id; fields: Record<string, unknown> }[];
  changes: CellChange[];
  /** Fields that could not be pasted into, by name (read-only, computed, links). */
  skipped: string[];
  /** Values that do not fit their field ("Row 2, Price: Not a number"); nothing is written
   * when there are any. */
  errors: string[];
  /** Pasted rows beyond the loaded rows of the grid (left out). */
  rowsLeftOut: number;
}

/** A single copied value pasted over a larger selection fills it (as spreadsheets do). */
export function fitToSelection(block: string[][], height: number, width: number): string[][] {
  if (block.length !== 1 || block[0].length !== 1 || (height <= 1 && width <= 1)) return block;
  return Array.from({ length: height }, () => Array.from({ length: width }, () => block[0][0]));
}

/**
 * The batch update for pasting `block` onto `rows` (from the target row down, only rows the
 * grid has loaded) and `fields` (from the target column rightwards, in display order).
 */
export function planPaste(block: string[][], rows: Row[], fields: Field[]): PastePlan {
  const plan: PastePlan = { updates: [], changes: [], skipped: [], errors: [], rowsLeftOut: 0 };
  const height = Math.min(block.length, rows.length, MAX_PASTE_ROWS);
  plan.rowsLeftOut = block.length - height;
  const width = Math.min(Math.max(0, ...block.map((r) => r.length)), fields.length);
  const skipped = new Set<string>();
  for (let r = 0; r < height; r++) {
    const row = rows[r];
    const values: Record<string, unknown> = {};
    for (let c = 0; c < width; c++) {
      const field = fields[c];
      const text = block[r][c];
      if (text === undefined) continue;
      if (!isEditable(field) || NOT_PASTABLE.has(field.type)) {
        skipped.add(field.name);
        continue;
      }
      const parsed = parseInput(field, text);
      if (!parsed.ok) {
        plan.errors.push(`Row ${r + 1}, ${field.name}: ${parsed.error}`);
        continue;
      }
      const key = fieldKey(field.id);
      const old = row.fields[key] ?? null;
      if (JSON.stringify(parsed.value) === JSON.stringify(old)) continue;
      values[key] = toWriteValue(field, parsed.value);
      plan.changes.push({ rowId: row.id, fieldId: field.id, old, value: parsed.value });
    }
    if (Object.keys(values).length) plan.updates.push({ id: row.id, fields: values });
  }
  plan.skipped = [...skipped];
  return plan;
}
