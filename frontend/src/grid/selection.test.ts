import { describe, expect, it } from "vitest";
import { describeSize, inBounds, isMultiCell, moveFocus, rangeBounds } from "./selection";

const cols = ["3", "5", "8"];

describe("range selection", () => {
  it("extends from the anchor in any direction", () => {
    let range = moveFocus(null, { row: 4, col: "5" }, true);
    expect(range).toEqual({ anchor: { row: 4, col: "5" }, end: { row: 4, col: "5" } });
    range = moveFocus(range, { row: 2, col: "3" }, true);
    const b = rangeBounds(range, cols);
    expect(b).toEqual({ top: 2, bottom: 4, left: 0, right: 1 });
    expect(inBounds(b, 3, 1)).toBe(true);
    expect(inBounds(b, 3, 2)).toBe(false);
    expect(isMultiCell(b)).toBe(true);
    expect(describeSize(b!)).toBe("3 × 2");
  });

  it("starts afresh without shift, and forgets hidden columns", () => {
    const range = moveFocus(moveFocus(null, { row: 1, col: "3" }, false), { row: 5, col: "8" }, false);
    expect(isMultiCell(rangeBounds(range, cols))).toBe(false);
    expect(rangeBounds(range, ["3"])).toBeNull();
  });
});
