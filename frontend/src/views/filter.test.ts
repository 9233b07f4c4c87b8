import { describe, expect, it } from "vitest";
import type { Field, FilterGroup } from "../api/types";
import { cleanFilter, countConditions, matchFilter, normalizeViewConfig, withinRange } from "./filter";

const fields: Field[] = [
  { id: 1, name: "Name", type: "text", options: null },
  { id: 2, name: "Stock", type: "number", options: null },
  { id: 3, name: "Status", type: "single_select", options: { choices: [{ name: "New" }, { name: "Paid" }] } },
  { id: 4, name: "Tags", type: "multiple_select", options: null },
  { id: 5, name: "Due", type: "date", options: null },
  { id: 6, name: "Done", type: "checkbox", options: null },
];
const byKey = new Map(fields.map((f) => [`f_${f.id}`, f]));
const cells = { f_1: "Blue widget", f_2: 3, f_3: "Paid", f_4: ["a", "b"], f_5: "2026-11-20", f_6: true };

describe("matchFilter", () => {
  it.each<[FilterGroup, boolean]>([
    [{ and: [{ field: "f_2", op: "lt", value: 5 }] }, true],
    [{ and: [{ field: "f_2", op: "gte", value: 5 }] }, false],
    [{ and: [{ field: "f_1", op: "contains", value: "widget" }] }, true],
    [{ and: [{ field: "f_1", op: "starts_with", value: "red" }] }, false],
    [{ and: [{ field: "f_3", op: "in", value: ["New", "Paid"] }] }, true],
    [{ and: [{ field: "f_4", op: "has_all", value: ["a", "c"] }] }, false],
    [{ and: [{ field: "f_4", op: "has_any", value: ["a", "c"] }] }, true],
    [{ and: [{ field: "f_5", op: "before", value: "2026-11-21" }] }, true],
    [{ and: [{ field: "f_5", op: "on", value: "2026-11-20" }] }, true],
    [{ and: [{ field: "f_6", op: "eq", value: true }] }, true],
    [{ and: [{ field: "f_1", op: "is_empty" }] }, false],
    [{ or: [{ field: "f_2", op: "gt", value: 10 }, { and: [{ field: "f_3", op: "eq", value: "paid" }, { field: "f_6", op: "eq", value: true }] }] }, true],
    [{ and: [{ field: "f_2", op: "gt", value: 10 }, { or: [{ field: "f_3", op: "eq", value: "Paid" }] }] }, false],
  ])("%j → %s", (filter, expected) => {
    expect(matchFilter(filter, cells, byKey)).toBe(expected);
  });

  it("treats a computed error as empty", () => {
    expect(matchFilter({ and: [{ field: "f_2", op: "is_empty" }] }, { f_2: { error: "#REF!" } }, byKey)).toBe(true);
  });
});

describe("cleanFilter", () => {
  it("drops incomplete conditions and empty groups", () => {
    const tree: FilterGroup = {
      and: [
        { field: "f_2", op: "lt", value: 5 },
        { field: "f_1", op: "contains", value: "" },
        { or: [] },
        { or: [{ field: "f_1", op: "is_empty" }] },
      ],
    };
    expect(cleanFilter(tree)).toEqual({
      and: [{ field: "f_2", op: "lt", value: 5 }, { or: [{ field: "f_1", op: "is_empty" }] }],
    });
    expect(countConditions(tree)).toBe(3);
    expect(cleanFilter({ and: [{ or: [] }] })).toBeNull();
  });
});

describe("withinRange", () => {
  const now = new Date(2026, 10, 26, 12);
  const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
  it("knows relative ranges", () => {
    expect(withinRange(day(2026, 11, 26), "today", now)).toBe(true);
    expect(withinRange(day(2026, 11, 25), "yesterday", now)).toBe(true);
    expect(withinRange(day(2026, 11, 20), "past_7_days", now)).toBe(true);
    expect(withinRange(day(2026, 11, 19), "past_7_days", now)).toBe(false);
    expect(withinRange(day(2026, 12, 2), "next_7_days", now)).toBe(true);
    expect(withinRange(day(2026, 11, 1), "this_month", now)).toBe(true);
    expect(withinRange(day(2026, 10, 31), "past_30_days", now)).toBe(true);
  });
});

describe("normalizeViewConfig", () => {
  it("turns the server's plain field ids into f_<id> keys", () => {
    const out = normalizeViewConfig({
      filter: { and: [{ field: "29", op: "eq", value: 0 }, { or: [{ field: 25 as unknown as string, op: "is_empty" }] }] },
      sort: [{ field: 25 as unknown as string, direction: "desc" }],
      group_by: [{ field: "f_25", direction: "asc" }],
      row_colors: [{ color: "red", filter: { and: [{ field: 29 as unknown as string, op: "gt", value: 1 }] } }],
      hidden_fields: [3],
    });
    expect(out.filter).toEqual({ and: [{ field: "f_29", op: "eq", value: 0 }, { or: [{ field: "f_25", op: "is_empty" }] }] });
    expect(out.sort).toEqual([{ field: "f_25", direction: "desc" }]);
    expect(out.group_by).toEqual([{ field: "f_25", direction: "asc" }]);
    expect(out.row_colors?.[0].filter).toEqual({ and: [{ field: "f_29", op: "gt", value: 1 }] });
    expect(out.hidden_fields).toEqual([3]);
    expect(normalizeViewConfig(null)).toEqual({});
  });
});

describe("single-condition filters (as templates and the API store them)", () => {
  const single = { field: 3, op: "eq", value: "Open" } as unknown as FilterGroup;
  it("become a group of one when a view config is read", () => {
    const config = normalizeViewConfig({ filter: single, row_colors: [{ color: "red", filter: single }] });
    expect(config.filter).toEqual({ and: [{ field: "f_3", op: "eq", value: "Open" }] });
    expect(config.row_colors?.[0].filter).toEqual({ and: [{ field: "f_3", op: "eq", value: "Open" }] });
  });
  it("are cleaned like a group", () => {
    expect(cleanFilter(single)).toEqual({ and: [{ field: 3, op: "eq", value: "Open" }] });
    expect(cleanFilter({ field: "f_3", op: "eq", value: "" } as unknown as FilterGroup)).toBeNull();
  });
});
