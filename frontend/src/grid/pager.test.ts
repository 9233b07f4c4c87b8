import { describe, expect, it } from "vitest";
import type { Row, RowPage } from "../api/types";
import { CursorPager, GroupedPager, isGroupHeader } from "./pager";

const row = (id: number, status = "A"): Row => ({
  id, version: 1, created_at: "", updated_at: "", fields: { f_1: `r${id}`, f_2: status },
});

/** A fake keyset API over `n` rows: the cursor is the last id seen, as an opaque string. */
function fakeApi(n: number, statusOf: (id: number) => string = () => "A") {
  const calls: { cursor: string | null; limit: number }[] = [];
  const fetchPage = async (cursor: string | null, limit: number): Promise<RowPage> => {
    calls.push({ cursor, limit });
    const after = cursor ? Number(atob(cursor)) : 0;
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

  it("jumps far ahead with large pages and walks from the nearest known cursor", async () => {
    const { fetchPage, calls } = fakeApi(10_000);
    const pager = new CursorPager(fetchPage, 100);
    const b = await pager.getBlock(25);
    expect((b.items[0] as Row).id).toBe(2501);
    // 0-9 and 10-19 in pages of 1000, then 20-25 in one page of 600
    expect(calls.map((c) => c.limit)).toEqual([1000, 1000, 600]);
    // blocks fetched on the way are cached: no new request
    const b12 = await pager.getBlock(12);
    expect((b12.items[0] as Row).id).toBe(1201);
    expect(calls).toHaveLength(3);
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
