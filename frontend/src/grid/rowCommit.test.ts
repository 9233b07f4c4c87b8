import { afterEach, describe, expect, it, vi } from "vitest";
import type { Field, Row } from "../api/types";
import { commitCell } from "./rowCommit";

const field: Field = { id: 3, name: "Stock", type: "number", options: null };
const row: Row = { id: 7, version: 2, created_at: "", updated_at: "", fields: { f_3: 1 } };

function respond(...answers: [number, unknown][]) {
  const fn = vi.fn(async () => {
    const [status, body] = answers.shift()!;
    return new Response(JSON.stringify(body), { status });
  });
  vi.stubGlobal("fetch", fn);
  return fn;
}
afterEach(() => vi.unstubAllGlobals());

describe("commitCell", () => {
  it("sends If-Match and shows the saved row", async () => {
    const saved = { ...row, version: 3, fields: { f_3: 5 } };
    const fetchFn = respond([200, saved]);
    const applied: Row[] = [];
    await commitCell(1, row, field, 5, { apply: (r) => applied.push(r), notify: vi.fn() });
    const init = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(init[0]).toBe("/api/v1/tables/1/rows/7?keys=id");
    expect((init[1].headers as Record<string, string>)["If-Match"]).toBe("2");
    expect(JSON.parse(init[1].body as string)).toEqual({ fields: { f_3: 5 } });
    expect(applied.map((r) => r.fields.f_3)).toEqual([5, 5]);
  });

  it("reloads the row and says so on a version conflict", async () => {
    const fresh = { ...row, version: 4, fields: { f_3: 9 } };
    respond([409, { code: "VERSION_CONFLICT", message: "changed" }], [200, fresh]);
    const applied: Row[] = [];
    const notify = vi.fn();
    const out = await commitCell(1, row, field, 5, { apply: (r) => applied.push(r), notify });
    expect(out).toBeNull();
    expect(applied.at(-1)).toEqual(fresh);
    expect(notify).toHaveBeenCalledWith(expect.stringContaining("Someone else changed"), "info");
  });

  it("explains a duplicate value instead of blaming someone else", async () => {
    respond([409, { code: "UNIQUE_VIOLATION", message: "SKU 'A-1' is already used by row 3" }]);
    const applied: Row[] = [];
    const notify = vi.fn();
    await commitCell(1, row, field, 5, { apply: (r) => applied.push(r), notify });
    expect(applied.at(-1)).toEqual(row);
    expect(notify).toHaveBeenCalledWith("SKU 'A-1' is already used by row 3", "error");
  });

  it("puts the old value back on other errors", async () => {
    respond([400, { code: "INVALID", message: "Stock must be a number" }]);
    const applied: Row[] = [];
    const notify = vi.fn();
    await commitCell(1, row, field, 5, { apply: (r) => applied.push(r), notify });
    expect(applied.at(-1)).toEqual(row);
    expect(notify).toHaveBeenCalledWith("Stock must be a number", "error");
  });
});
