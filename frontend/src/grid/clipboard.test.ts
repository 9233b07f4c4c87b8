import { describe, expect, it } from "vitest";
import type { Field, Row } from "../api/types";
import { copyCells, fitToSelection, formatTsv, parseTsv, planPaste } from "./clipboard";

const field = (id: number, type: Field["type"], extra: Partial<Field> = {}): Field =>
  ({ id, name: `F${id}`, type, options: {}, ...extra }) as Field;
const row = (id: number, fields: Record<string, unknown>, version = 1): Row =>
  ({ id, version, fields }) as Row;

describe("TSV", () => {
  it("round-trips tabs, newlines and quotes inside cells", () => {
    const cells = [
      ["plain", "tab\there", 'say "hi"'],
      ["two\nlines", "", "crlf\r\nend"],
    ];
    const text = formatTsv(cells);
    expect(text).toBe('plain\t"tab\there"\t"say ""hi"""\n"two\nlines"\t\t"crlf\r\nend"');
    expect(parseTsv(text)).toEqual(cells);
  });

  it("reads what spreadsheets put on the clipboard", () => {
    expect(parseTsv("a\tb\r\nc\td\r\n")).toEqual([["a", "b"], ["c", "d"]]);
    expect(parseTsv("a\t\tc\n")).toEqual([["a", "", "c"]]);
    expect(parseTsv("single")).toEqual([["single"]]);
    expect(parseTsv("")).toEqual([]);
    expect(parseTsv("x\t")).toEqual([["x", ""]]);
  });

  it("keeps quotes that do not wrap a whole cell", () => {
    expect(parseTsv('"5" inch\tx')).toEqual([['"5" inch', "x"]]);
    expect(parseTsv('a"b\t"unclosed')).toEqual([['a"b', '"unclosed']]);
  });

  it("copies the displayed text of each cell", () => {
    const fields = [field(1, "text"), field(2, "checkbox"), field(3, "single_select")];
    const rows = [row(1, { f_1: "Pen", f_2: true, f_3: "New" }), row(2, { f_1: null, f_2: false })];
    expect(copyCells(rows, fields)).toEqual([["Pen", "✓", "New"], ["", "", ""]]);
  });
});

describe("planPaste", () => {
  const name = field(1, "text");
  const stock = field(2, "number");
  const total = field(3, "formula", { read_only: true });
  const link = field(4, "link");
  const rows = [row(10, { f_1: "A", f_2: 1 }), row(11, { f_1: "B", f_2: 2 }), row(12, { f_1: "C", f_2: 3 })];

  it("turns a 2×2 block into one batch of converted values, from the target cell on", () => {
    const plan = planPaste([["X", "7"], ["B", "1,5"]], rows, [name, stock]);
    expect(plan.errors).toEqual([]);
    expect(plan.updates).toEqual([
      { id: 10, fields: { f_1: "X", f_2: 7 } },
      { id: 11, fields: { f_2: 1.5 } },
    ]);
    expect(plan.changes).toEqual([
      { rowId: 10, fieldId: 1, old: "A", value: "X" },
      { rowId: 10, fieldId: 2, old: 1, value: 7 },
      { rowId: 11, fieldId: 2, old: 2, value: 1.5 },
    ]);
  });

  it("skips read-only, computed and link fields and says which", () => {
    const plan = planPaste([["X", "9", "1"]], rows, [name, total, link]);
    expect(plan.updates).toEqual([{ id: 10, fields: { f_1: "X" } }]);
    expect(plan.skipped).toEqual(["F3", "F4"]);
  });

  it("refuses the whole paste when a value does not fit", () => {
    const plan = planPaste([["1"], ["many"]], rows, [stock]);
    expect(plan.errors).toEqual(["Row 2, F2: Not a number"]);
  });

  it("stops at the loaded rows and the last column", () => {
    const plan = planPaste([["a", "1", "extra"], ["b", "2"], ["c", "3"], ["d", "4"]], rows.slice(1), [name, stock]);
    expect(plan.updates.map((u) => u.id)).toEqual([11, 12]);
    expect(plan.rowsLeftOut).toBe(2);
  });

  it("fills a selection with a single copied value", () => {
    expect(fitToSelection([["x"]], 2, 3)).toEqual([["x", "x", "x"], ["x", "x", "x"]]);
    expect(fitToSelection([["x", "y"]], 2, 3)).toEqual([["x", "y"]]);
  });
});
