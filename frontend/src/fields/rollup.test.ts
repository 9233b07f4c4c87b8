import { describe, expect, it } from "vitest";
import type { Field, FieldOptions, FieldType } from "../api/types";
import { aggregateLabel, aggregatesFor, valueKind, withLinkField, withTargetField } from "./rollup";

const f = (type: FieldType, options: FieldOptions | null = null, id = 1): Field => ({ id, name: "x", type, options });

describe("aggregatesFor", () => {
  it("offers sums for numbers, formulas and rollups with a numeric result", () => {
    expect(aggregatesFor(f("currency"))[0]).toBe("sum");
    expect(aggregatesFor(f("formula", { result_type: "currency" }))).toContain("average");
    expect(aggregatesFor(f("rollup", { result_type: "number" }))).toContain("sum");
  });
  it("offers earliest and latest for dates, no sums", () => {
    const dates = aggregatesFor(f("date"));
    expect(dates).toEqual(expect.arrayContaining(["min", "max", "count"]));
    expect(dates).not.toContain("sum");
    expect(aggregateLabel("min", f("date"))).toBe("Earliest");
    expect(aggregateLabel("max", f("currency"))).toBe("Largest");
  });
  it("offers counting and listing for text and lookups", () => {
    expect(aggregatesFor(f("text"))).toEqual(["count", "concatenate", "unique"]);
    expect(aggregatesFor(f("formula", { result_type: "text" }))).not.toContain("sum");
    expect(aggregatesFor(f("lookup"))).not.toContain("sum");
  });
  it("offers everything before a field is chosen", () => {
    expect(aggregatesFor(undefined)).toHaveLength(7);
  });
  it("reads a formula's result type", () => {
    expect(valueKind(f("formula", { result_type: "number" }))).toBe("number");
    expect(valueKind(f("email"))).toBe("email");
  });
});

describe("changing the link or the field", () => {
  it("forgets the field of the previously linked table", () => {
    expect(withLinkField({ link_field: 3, target_field: 9, aggregate: "sum" }, 4)).toEqual({ link_field: 4, target_field: undefined, aggregate: "sum" });
  });
  it("keeps a summary that still fits and replaces one that does not", () => {
    expect(withTargetField({ aggregate: "average" }, f("number", null, 7), true)).toEqual({ aggregate: "average", target_field: 7 });
    expect(withTargetField({ aggregate: "sum" }, f("text", null, 8), true)).toEqual({ aggregate: "count", target_field: 8 });
    expect(withTargetField({}, f("date", null, 5), true).aggregate).toBe("min");
  });
  it("leaves lookups without a summary", () => {
    expect(withTargetField({ link_field: 2 }, f("text", null, 8), false)).toEqual({ link_field: 2, target_field: 8 });
  });
});
