import { describe, expect, it } from "vitest";
import type { Field, Table } from "../api/types";
import { clampLines, defaultSubform, isPublicType, subformCandidates, toggleSubField } from "./formDesign";

const f = (id: number, name: string, type: Field["type"], extra: Partial<Field> = {}): Field => ({ id, name, type, options: null, ...extra });

const orders: Table = {
  id: 1, name: "Orders", primary_field_id: 10, views: [],
  fields: [
    f(10, "No.", "auto_number"),
    f(11, "Customer", "link", { options: { table_id: 3, multiple: false } }),
    f(12, "Lines", "link", { options: { table_id: 2, multiple: true } }),
  ],
};
const orderLines: Table = {
  id: 2, name: "Order lines", primary_field_id: 20, views: [],
  fields: [
    f(20, "Line", "auto_number"),
    f(21, "Order", "link", { options: { table_id: 1, multiple: false } }),
    f(22, "Product", "link", { options: { table_id: 4, multiple: false } }),
    f(23, "Quantity", "number"),
    f(24, "Net amount", "formula"),
    f(25, "Photo", "attachment"),
    f(26, "Checked by", "collaborator"),
    f(27, "Note", "text", { read_only: true }),
    f(28, "Discount", "percent"),
  ],
};
const tables = [orders, orderLines];
const lines = orders.fields[2];

describe("subformCandidates", () => {
  it("offers editable fields of the linked table, never its link back, computed fields, files or people", () => {
    expect(subformCandidates(lines, tables, orders.id).map((x) => x.name)).toEqual(["Product", "Quantity", "Discount"]);
  });

  it("offers nothing when the linked table is not in the base", () => {
    expect(subformCandidates(orders.fields[1], tables, orders.id)).toEqual([]);
  });
});

describe("defaultSubform", () => {
  it("starts with the first two candidates, one required line when the field is required", () => {
    expect(defaultSubform(lines, { field_id: 12, required: true }, tables, orders.id)).toEqual({
      fields: [{ field_id: 22, required: false }, { field_id: 23, required: false }],
      min_rows: 1,
      max_rows: 50,
    });
  });

  it("prefers the linked table's required fields, and allows one line for a single link", () => {
    const withRequired = { ...orderLines, fields: orderLines.fields.map((x) => (x.id === 28 ? { ...x, required: true } : x)) };
    const single = { ...lines, options: { table_id: 2, multiple: false } };
    expect(defaultSubform(single, { field_id: 12 }, [orders, withRequired], orders.id)).toEqual({
      fields: [{ field_id: 28, required: true }],
      min_rows: 0,
      max_rows: 1,
    });
  });
});

describe("clampLines", () => {
  const sub = { fields: [], min_rows: 1, max_rows: 10 };
  it("keeps 0 ≤ min ≤ max ≤ limit with whole numbers", () => {
    expect(clampLines(sub, { max_rows: 80 })).toMatchObject({ min_rows: 1, max_rows: 80 });
    expect(clampLines(sub, { max_rows: 500 })).toMatchObject({ max_rows: 200 });
    expect(clampLines(sub, { min_rows: 12 })).toMatchObject({ min_rows: 10, max_rows: 10 });
    expect(clampLines(sub, { min_rows: -3 })).toMatchObject({ min_rows: 0 });
    expect(clampLines(sub, { max_rows: 0 })).toMatchObject({ min_rows: 1, max_rows: 1 });
    expect(clampLines(sub, { max_rows: 2.6 })).toMatchObject({ max_rows: 3 });
    expect(clampLines(sub, { min_rows: NaN })).toMatchObject({ min_rows: 0 });
    expect(clampLines(sub, {}, 1)).toMatchObject({ min_rows: 1, max_rows: 1 });
  });
});

describe("toggleSubField", () => {
  it("adds fields in the linked table's order and removes them", () => {
    const candidates = subformCandidates(lines, tables, orders.id);
    let sub = { fields: [{ field_id: 28 }] };
    sub = toggleSubField(sub, 22, true, candidates);
    expect(sub.fields.map((s) => s.field_id)).toEqual([22, 28]);
    sub = toggleSubField(sub, 28, false, candidates);
    expect(sub.fields.map((s) => s.field_id)).toEqual([22]);
  });
});

describe("isPublicType", () => {
  it("accepts plain fields and links, not files or people", () => {
    expect(isPublicType(f(1, "a", "text"))).toBe(true);
    expect(isPublicType(f(1, "a", "link"))).toBe(true);
    expect(isPublicType(f(1, "a", "attachment"))).toBe(false);
    expect(isPublicType(f(1, "a", "collaborator"))).toBe(false);
    expect(isPublicType(f(1, "a", "formula"))).toBe(false);
    expect(isPublicType(f(1, "a", "text", { read_only: true }))).toBe(false);
  });
});
