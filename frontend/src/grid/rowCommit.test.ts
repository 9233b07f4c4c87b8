import { afterEach, describe, expect, it, vi } from "vitest";
import type { Field, Row } from "../api/types";
import { RowCommitter } from "./rowCommit";

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

const commitCell = (...args: Parameters<RowCommitter["commit"]>) => new RowCommitter().commit(...args).then((d) => d?.saved ?? null);

describe("RowCommitter", () => {
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

  it("sends a quick second edit of the row with the version the first one made", async () => {
    const name: Field = { id: 4, name: "Name", type: "text", options: null };
    const first = deferred<Response>();
    const answers = [first.promise, Promise.resolve(json({ ...row, version: 4, fields: { f_3: 5, f_4: "Blue" } }))];
    const fetchFn = vi.fn(() => answers.shift()!);
    vi.stubGlobal("fetch", fetchFn);
    const applied: Row[] = [];
    const notify = vi.fn();
    const c = new RowCommitter();
    const cb = { apply: (r: Row) => applied.push(r), notify };
    const one = c.commit(1, row, field, 5, cb);
    // Made on screen on top of the first edit, still showing version 2.
    const two = c.commit(1, { ...row, fields: { f_3: 5 } }, name, "Blue", cb);
    await Promise.resolve();
    expect(fetchFn).toHaveBeenCalledTimes(1); // the second waits for the first
    first.resolve(json({ ...row, version: 3, fields: { f_3: 5, f_4: null } }));
    expect((await one)?.from).toBe(2);
    expect(await two).toMatchObject({ from: 3, saved: { version: 4 } });
    const headers = fetchFn.mock.calls.map((c) => ((c as unknown as [string, RequestInit])[1].headers as Record<string, string>)["If-Match"]);
    expect(headers).toEqual(["2", "3"]);
    // The first answer did not blank the second edit's cell while it was on its way.
    expect(applied.map((r) => r.fields.f_4)).toEqual([undefined, "Blue", "Blue", "Blue"]);
    expect(notify).not.toHaveBeenCalled();
  });

  it("still reports a real conflict in a queued edit", async () => {
    const fetchFn = vi.fn(async (_url: string, init?: RequestInit) => {
      if (init?.method === "PATCH") return json({ code: "VERSION_CONFLICT", message: "changed" }, 409);
      return json({ ...row, version: 9, fields: { f_3: 1 } });
    });
    vi.stubGlobal("fetch", fetchFn);
    const notify = vi.fn();
    const c = new RowCommitter();
    const out = await Promise.all([
      c.commit(1, row, field, 5, { apply: vi.fn(), notify }),
      c.commit(1, row, field, 6, { apply: vi.fn(), notify }),
    ]);
    expect(out).toEqual([null, null]);
    expect(notify).toHaveBeenCalledTimes(2);
  });
});

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status });
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
