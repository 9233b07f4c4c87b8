import { describe, expect, it } from "vitest";
import type { Field, Table } from "../api/types";
import type { DetectedColumn, ImportPreview } from "./api";
import { buildRequest, initialSetup, keyCandidates, setupProblems, type ImportSetup } from "./mapping";

const f = (id: number, name: string, type: Field["type"]): Field => ({ id, name, type, options: null });
const table: Table = {
  id: 1,
  name: "Products",
  primary_field_id: 10,
  fields: [f(10, "SKU", "text"), f(11, "Name", "text"), f(12, "Price", "currency"), f(13, "Total", "formula"), f(14, "Tags", "multiple_select")],
  views: [],
};
const col = (index: number, name: string, type: Field["type"] = "text", options = {}): DetectedColumn => ({ index, name, type, options, samples: ["a"] });
const columns = [col(0, "sku"), col(1, "Name"), col(2, "Colour", "single_select", { choices: [{ name: "Red" }] }), col(3, "Notes")];
const preview: ImportPreview = {
  format: "csv",
  columns,
  rows: [],
  sampled_rows: 3,
  mapping: { sku: "SKU", Name: "Name", Colour: null, Notes: null },
};

describe("initialSetup", () => {
  it("starts from the server's mapping for an existing table", () => {
    const setup = initialSetup(preview, table, "products.csv");
    expect(setup.choices).toEqual({
      sku: { kind: "field", field: "SKU" },
      Name: { kind: "field", field: "Name" },
      Colour: { kind: "skip" },
      Notes: { kind: "skip" },
    });
    expect(setup.mode).toBe("append");
  });
  it("makes every column a new field of its detected type for a new table, named after the file", () => {
    const setup = initialSetup(preview, null, "Spring prices.xlsx");
    expect(setup.choices.Colour).toEqual({ kind: "new", type: "single_select" });
    expect(setup.tableName).toBe("Spring prices");
  });
});

describe("buildRequest into an existing table", () => {
  const base = initialSetup(preview, table, "p.csv");
  it("maps every column to a field name or null", () => {
    const { options, newFields } = buildRequest(base, columns, table);
    expect(options).toEqual({ mapping: { sku: "SKU", Name: "Name", Colour: null, Notes: null } });
    expect(newFields).toEqual([]);
  });
  it("creates new fields first, with the detected options only for the detected type", () => {
    const setup: ImportSetup = {
      ...base,
      choices: { ...base.choices, Colour: { kind: "new", type: "single_select" }, Notes: { kind: "new", type: "long_text" } },
      skipBadRows: true,
    };
    const { options, newFields } = buildRequest(setup, columns, table);
    expect(options.mapping).toEqual({ sku: "SKU", Name: "Name", Colour: "Colour", Notes: "Notes" });
    expect(options.skip_bad_rows).toBe(true);
    expect(newFields).toEqual([
      { name: "Colour", type: "single_select", options: { choices: [{ name: "Red" }] } },
      { name: "Notes", type: "long_text" },
    ]);
  });
  it("sends the key fields when upserting", () => {
    const { options } = buildRequest({ ...base, mode: "upsert", keyFields: ["SKU"] }, columns, table);
    expect(options.key_fields).toEqual(["SKU"]);
    expect(buildRequest(base, columns, table).options.key_fields).toBeUndefined();
  });
});

describe("buildRequest for a new table", () => {
  it("names the table and sends only changed types and skipped columns", () => {
    const setup = initialSetup(preview, null, "p.csv");
    setup.choices.Notes = { kind: "skip" };
    setup.choices.Name = { kind: "new", type: "long_text" };
    setup.tableName = "  Products 2 ";
    expect(buildRequest(setup, columns, null)).toEqual({
      options: { table_name: "Products 2", types: { Name: "long_text", Notes: "skip" } },
      newFields: [],
    });
  });
});

describe("setupProblems", () => {
  const base = initialSetup(preview, table, "p.csv");
  it("accepts the default mapping", () => {
    expect(setupProblems(base, columns, table)).toEqual([]);
  });
  it("needs at least one column", () => {
    const none = { ...base, choices: {} };
    expect(setupProblems(none, columns, table)).toContain("Choose at least one column to import.");
  });
  it("refuses two columns into one field", () => {
    const dup = { ...base, choices: { ...base.choices, Notes: { kind: "field" as const, field: "Name" } } };
    expect(setupProblems(dup, columns, table)).toEqual(['Columns "Name" and "Notes" go into the same field.']);
  });
  it("refuses a new field whose name exists", () => {
    const clash = { ...base, choices: { ...base.choices, Name: { kind: "new" as const, type: "text" as const } } };
    expect(setupProblems(clash, columns, table)[0]).toMatch(/A field named "Name" already exists/);
  });
  it("needs a mapped key field to upsert", () => {
    expect(setupProblems({ ...base, mode: "upsert" }, columns, table)).toEqual(["Choose the key field that identifies existing rows."]);
    expect(setupProblems({ ...base, mode: "upsert", keyFields: ["Price"] }, columns, table)).toEqual(['The key field "Price" gets no column of the file.']);
    expect(setupProblems({ ...base, mode: "upsert", keyFields: ["SKU"] }, columns, table)).toEqual([]);
  });
  it("needs a name for a new table", () => {
    const setup = { ...initialSetup(preview, null, "p.csv"), tableName: " " };
    expect(setupProblems(setup, columns, null)).toEqual(["Give the new table a name."]);
  });
  it("offers only writable, single-valued fields as keys", () => {
    expect(keyCandidates(table).map((x) => x.name)).toEqual(["SKU", "Name", "Price"]);
  });
});
