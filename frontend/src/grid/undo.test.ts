import { describe, expect, it } from "vitest";
import type { Field } from "../api/types";
import { undoBody, UndoStack, type UndoEntry } from "./undo";

const entry = (n: number, versions: Record<number, number> = { 1: n }): UndoEntry => ({
  tableId: 5,
  label: `edit ${n}`,
  changes: [{ rowId: 1, fieldId: 2, old: n - 1, value: n }],
  versions,
});

describe("UndoStack", () => {
  it("keeps the last 20 edits, newest on top", () => {
    const stack = new UndoStack();
    for (let i = 1; i <= 25; i++) stack.push(entry(i));
    expect(stack.size).toBe(20);
    expect(stack.pop()?.label).toBe("edit 25");
    expect(stack.peek()?.label).toBe("edit 24");
    stack.push({ ...entry(30), changes: [] });
    expect(stack.peek()?.label).toBe("edit 24");
  });

  it("follows our own later writes so older entries stay undoable", () => {
    const stack = new UndoStack();
    stack.push(entry(1, { 1: 4, 2: 9 }));
    stack.rebase(1, 4, 5);
    stack.rebase(2, 8, 10); // someone else's version: not ours to follow
    expect(stack.peek()?.versions).toEqual({ 1: 5, 2: 9 });
  });
});

describe("undo helpers", () => {
  it("restores old values as write values, the oldest when a cell changed twice", () => {
    const fields = new Map<number, Field>([
      [2, { id: 2, name: "Stock", type: "number" } as Field],
      [3, { id: 3, name: "Owner", type: "collaborator" } as Field],
    ]);
    const e: UndoEntry = {
      tableId: 5,
      label: "paste",
      changes: [
        { rowId: 1, fieldId: 2, old: 1, value: 2 },
        { rowId: 1, fieldId: 3, old: [{ id: 7, name: "Ann" }], value: [] },
        { rowId: 1, fieldId: 2, old: 2, value: 3 },
        { rowId: 9, fieldId: 2, old: null, value: 4 },
      ],
      versions: { 1: 2, 9: 1 },
    };
    expect(undoBody(e, fields)).toEqual([
      { id: 9, fields: { f_2: null } },
      { id: 1, fields: { f_2: 1, f_3: [7] } },
    ]);
  });
});
