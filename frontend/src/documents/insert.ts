// Text editing for the template editor: insert at the cursor, indent with Tab, and the
// Jinja snippets the "Insert field" menu offers. Pure functions so they are easy to test.
import { ApiError } from "../api/client";
import type { Field, Table } from "../api/types";

export const INDENT = "  ";

export interface Edit {
  value: string;
  start: number;
  end: number;
}

/** Replace the selection [start, end) with `snippet`; the caret ends after it. */
export function insertAt(value: string, start: number, end: number, snippet: string): Edit {
  const from = Math.max(0, Math.min(start, value.length));
  const to = Math.max(from, Math.min(end, value.length));
  const caret = from + snippet.length;
  return { value: value.slice(0, from) + snippet + value.slice(to), start: caret, end: caret };
}

/** The whitespace that starts the line holding `pos`. */
export function lineIndent(value: string, pos: number): string {
  const lineStart = value.lastIndexOf("\n", pos - 1) + 1;
  return /^[ \t]*/.exec(value.slice(lineStart))?.[0] ?? "";
}

/**
 * Tab / Shift+Tab: without a multi-line selection Tab inserts spaces at the caret; with
 * one, every selected line is indented (or outdented with `outdent`), keeping it selected.
 */
export function indent(value: string, start: number, end: number, outdent = false): Edit {
  const multiLine = value.slice(start, end).includes("\n");
  if (!multiLine && !outdent) return insertAt(value, start, end, INDENT);
  const first = value.lastIndexOf("\n", start - 1) + 1;
  // A selection that ends just after a newline does not take in the next line.
  const stop = multiLine && value[end - 1] === "\n" ? end - 1 : end;
  const lineEnd = value.indexOf("\n", stop);
  const last = lineEnd === -1 ? value.length : lineEnd;
  const deltas: number[] = [];
  const lines = value.slice(first, last).split("\n").map((line) => {
    if (!outdent) {
      deltas.push(INDENT.length);
      return INDENT + line;
    }
    const cut = line.startsWith(INDENT) ? INDENT.length : /^[ \t]/.test(line) ? 1 : 0;
    deltas.push(-cut);
    return line.slice(cut);
  });
  const total = deltas.reduce((a, b) => a + b, 0);
  const newStart = Math.max(first, start + deltas[0]);
  return {
    value: value.slice(0, first) + lines.join("\n") + value.slice(last),
    start: newStart,
    end: multiLine ? end + total : newStart,
  };
}

/** A Python string literal for a field name inside `row['…']`. */
export function quoteName(name: string): string {
  return `'${name.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

// Raw values of these types are objects, decimals or ISO dates: `row.display` shows them
// the way the base's locale writes them (docs/documents.md, "What a template sees").
const DISPLAY_TYPES = new Set([
  "currency", "percent", "date", "datetime", "created_time", "modified_time", "duration",
  "multiple_select", "lookup", "rollup", "collaborator", "created_by", "modified_by", "attachment",
]);

/** `{{ row['Field'] }}`, or `row.display[...]` for values that need formatting. */
export function fieldExpression(field: Field, variable = "row"): string {
  const source = DISPLAY_TYPES.has(field.type) ? `${variable}.display` : variable;
  return `{{ ${source}[${quoteName(field.name)}] }}`;
}

/**
 * A loop over the rows a link field points to, printing the linked table's primary field;
 * continuation lines get the indentation of the line the caret is on.
 */
export function linkLoopSnippet(field: Field, target: Table | undefined, indentation = ""): string {
  const primary = target?.fields.find((f) => f.id === target.primary_field_id);
  const body = primary ? fieldExpression(primary, "item") : "{{ item['name'] }}";
  return [
    `{% for item in row.links[${quoteName(field.name)}] %}`,
    `${indentation}${INDENT}${body}`,
    `${indentation}{% endfor %}`,
  ].join("\n");
}

/** The template line an error names (`details.line`), if any. */
export function errorLine(err: unknown): number | null {
  if (!(err instanceof ApiError)) return null;
  const line = err.details?.line;
  return typeof line === "number" && line > 0 ? line : null;
}
