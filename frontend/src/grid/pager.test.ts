import { describe, expect, it } from "vitest";
import type { Row, RowPage } from "../api/types";
import { CursorPager, GroupedPager, isGroupHeader } from "./pager";

const row = (id: number, status = "A"): Row => ({
  id, version: 1, created_at: "", updated_at: "", fields: { f_1: `r${id}`, f_2: status },
});

/** A fake keyset API over `n` rows: the cursor is the last id seen, as an opaque string. */
function fakeApi(n: number, statusOf: (id: number) => string = () => "A") {
  const calls: { cursor: string | null; limit: number; offset?: number }[] = [];
  const fetchPage = async (cursor: string | null, limit: number, offset?: number): Promise<RowPage> => {
    calls.push(offset === undefined ? { cursor, limit } : { cursor, limit, offset });
    const after = cursor ? Number(atob(cursor)) : (offset ?? 0);
    const rows: Row[] = [];
    for (let id = after + 1; id <= Math.min(n, after + limit); id++) rows.push(row(id, statusOf(id)));
    const last = rows.at(-1)?.id ?? after;
    return { rows, next_cursor: last < n ? btoa(String(last)) : null };
  };
  return { fetchPage, calls };
}

describe("CursorPager", () => {
  it("fetches blocks in order and caches the cursor of each block", async () => {
    const { fetchPage, calls } = fakeApi(250);
    const pager = new CursorPager(fetchPage, 100);
    const b0 = await pager.getBlock(0);
    expect(b0.items.map((r) => (r as Row).id).slice(0, 2)).toEqual([1, 2]);
    expect(b0.lastRow).toBeUndefined();
    const b1 = await pager.getBlock(1);
    expect((b1.items[0] as Row).id).toBe(101);
    expect(pager.knownCursor(2)).toBe(btoa("200"));
    const b2 = await pager.getBlock(2);
    expect(b2.items).toHaveLength(50);
    expect(b2.lastRow).toBe(250);
    expect(calls.map((c) => c.cursor)).toEqual([null, btoa("100"), btoa("200")]);
  });

  it("serves a re-requested block from its cache", async () => {
    const { fetchPage, calls } = fakeApi(500);
    const pager = new CursorPager(fetchPage, 100);
    await pager.getBlock(0);
    await pager.getBlock(0);
    expect(calls).toHaveLength(1);
  });

  it("walks up to ten blocks ahead in one large page from the nearest known cursor", async () => {
    const { fetchPage, calls } = fakeApi(10_000);
    const pager = new CursorPager(fetchPage, 100);
    expect(((await pager.getBlock(9)).items[0] as Row).id).toBe(901);
    const b = await pager.getBlock(15);
    expect((b.items[0] as Row).id).toBe(1501);
    // 0-9 in one page of 1000, then 10-15 in one page of 600 from block 10's cursor
    expect(calls.map((c) => c.limit)).toEqual([1000, 600]);
    expect(calls[1].cursor).toBe(btoa("1000"));
    // blocks fetched on the way are cached: no new request
    const b12 = await pager.getBlock(12);
    expect((b12.items[0] as Row).id).toBe(1201);
    expect(calls).toHaveLength(2);
  });

  it("jumps further than ten blocks by offset in one request, then pages on by cursor", async () => {
    const { fetchPage, calls } = fakeApi(1_000_000);
    const pager = new CursorPager(fetchPage, 100);
    await pager.getBlock(0);
    const middle = await pager.getBlock(5_000);
    expect((middle.items[0] as Row).id).toBe(500_001);
    expect(calls.at(-1)).toEqual({ cursor: null, limit: 100, offset: 500_000 });
    const next = await pager.getBlock(5_001);
    expect((next.items[0] as Row).id).toBe(500_101);
    expect(calls.at(-1)).toEqual({ cursor: btoa("500100"), limit: 100 });
    const before = await pager.getBlock(4_999); // no cursor known there: by offset again
    expect((before.items[0] as Row).id).toBe(499_901);
    expect(calls).toHaveLength(4);
    const end = await pager.getBlock(9_999);
    expect(end.items).toHaveLength(100);
    expect((await pager.getBlock(10_000)).lastRow).toBe(1_000_000);
  });

  it("serialises concurrent requests so each page is fetched once", async () => {
    const { fetchPage, calls } = fakeApi(1000);
    const pager = new CursorPager(fetchPage, 100);
    const [a, b] = await Promise.all([pager.getBlock(1), pager.getBlock(0)]);
    expect((a.items[0] as Row).id).toBe(101);
    expect((b.items[0] as Row).id).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it("reports an empty table", async () => {
    const pager = new CursorPager(fakeApi(0).fetchPage, 100);
    expect(await pager.getBlock(0)).toEqual({ items: [], lastRow: 0 });
  });

  it("answers blocks past the end without fetching", async () => {
    const { fetchPage, calls } = fakeApi(150);
    const pager = new CursorPager(fetchPage, 100);
    await pager.getBlock(1);
    const b5 = await pager.getBlock(5);
    expect(b5).toEqual({ items: [], lastRow: 150 });
    expect(calls).toHaveLength(1);
  });
});

describe("GroupedPager", () => {
  it("inserts a header whenever the group value changes", async () => {
    const { fetchPage } = fakeApi(6, (id) => (id <= 2 ? "New" : "Paid"));
    const pager = new GroupedPager(fetchPage, [{ key: "f_2", label: (r) => String(r.fields.f_2) }], 100);
    const block = await pager.getBlock(0);
    const labels = block.items.map((i) => (isGroupHeader(i) ? `# ${i.__group.label}` : (i as Row).id));
    expect(labels).toEqual(["# New", 1, 2, "# Paid", 3, 4, 5, 6]);
    expect(block.lastRow).toBe(8);
  });
});
