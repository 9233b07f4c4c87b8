import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Field, HistoryEntry, Row } from "../api/types";
import { RowHistory, restorable } from "./RowHistory";

const price: Field = { id: 3, name: "Price", type: "number", options: { precision: 0 } };
const row: Row = { id: 7, version: 3, created_at: "2026-01-01T10:00:00Z", updated_at: "2026-01-02T10:00:00Z", fields: { f_3: 12 } };
const entries: HistoryEntry[] = [
  { id: 30, action: "update", at: "2026-01-02T10:00:00Z", actor: { id: 1, email: "a@x.io", name: "Ann" }, changes: [{ field_id: "f_3", field: "Price", old: 10, new: 12 }] },
  { id: 20, action: "update", at: "2026-01-01T11:00:00Z", actor: null, changes: [{ field_id: "f_3", field: "Price", old: 5, new: 10 }] },
  { id: 10, action: "create", at: "2026-01-01T10:00:00Z", actor: { id: 1, email: "a@x.io", name: "Ann" }, changes: [] },
];

afterEach(() => vi.unstubAllGlobals());

function serve(routes: Record<string, unknown>) {
  const fetchFn = vi.fn(async (url: string, init?: RequestInit) => {
    const key = `${init?.method ?? "GET"} ${url}`;
    if (!(key in routes)) return new Response(JSON.stringify({ code: "NOPE" }), { status: 404 });
    return new Response(JSON.stringify(routes[key]), { status: 200 });
  });
  vi.stubGlobal("fetch", fetchFn);
  return fetchFn;
}

describe("restorable", () => {
  it("offers every entry but the current state and deletions", () => {
    const list = [...entries, { ...entries[2], id: 5, action: "delete" }];
    expect(list.map((_, i) => restorable(list, i))).toEqual([false, true, true, false]);
  });
});

describe("RowHistory", () => {
  it("restores an earlier version after confirming and hands back the fresh row", async () => {
    const restored = { ...row, version: 4, fields: { f_3: 10 } };
    const fetchFn = serve({
      "GET /api/v1/tables/1/rows/7/history": { items: entries },
      "POST /api/v1/tables/1/rows/7/history/20/restore": { ...restored, not_restored: ["Total"] },
      "GET /api/v1/tables/1/rows/7?keys=id": restored,
    });
    const onRestored = vi.fn();
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <RowHistory tableId={1} row={row} fieldsById={new Map([[3, price]])} canRestore onRestored={onRestored} />
      </QueryClientProvider>,
    );
    expect(await screen.findByText("Price: 5 → 10")).toBeInTheDocument();
    const buttons = screen.getAllByRole("button", { name: /Restore this version/ });
    expect(buttons).toHaveLength(2);
    await user.click(buttons[0]);
    await user.click(screen.getByRole("button", { name: "Restore" }));
    await waitFor(() => expect(onRestored).toHaveBeenCalledWith(restored, ["Total"]));
    const calls = fetchFn.mock.calls.map(([url, init]) => `${init?.method ?? "GET"} ${url}`);
    expect(calls).toContain("POST /api/v1/tables/1/rows/7/history/20/restore");
  });

  it("offers no restore to readers", async () => {
    serve({ "GET /api/v1/tables/1/rows/7/history": { items: entries } });
    render(
      <QueryClientProvider client={new QueryClient()}>
        <RowHistory tableId={1} row={row} fieldsById={new Map([[3, price]])} canRestore={false} onRestored={vi.fn()} />
      </QueryClientProvider>,
    );
    expect(await screen.findByText("Price: 10 → 12")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Restore this version/ })).toBeNull();
  });
});
