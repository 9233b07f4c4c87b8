import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BaseSchema, Role } from "../api/types";
import ActivityPage from "./ActivityPage";

const base = (role: Role): BaseSchema => ({
  id: 4,
  name: "Shop",
  workspace_id: 1,
  role,
  tables: [{ id: 9, name: "Orders", primary_field_id: 90, views: [], fields: [{ id: 91, name: "Qty", type: "number", options: null }] }],
});

function serve(answers: Record<string, [number, unknown]>) {
  const fn = vi.fn(async (url: string) => {
    const path = url.split("?")[0];
    const [status, body] = answers[path] ?? [404, { code: "NOPE" }];
    return new Response(JSON.stringify(body), { status });
  });
  vi.stubGlobal("fetch", fn);
  return fn;
}
const show = (b: BaseSchema) =>
  render(<QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}><ActivityPage base={b} /></QueryClientProvider>);

afterEach(() => vi.unstubAllGlobals());

describe("ActivityPage", () => {
  it("tells editors it is for admins, without asking the server", () => {
    const fetchFn = serve({});
    show(base("editor"));
    expect(screen.getByText("Only admins can see the activity log")).toBeInTheDocument();
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it("shows the 403 message when the server refuses", async () => {
    serve({ "/api/v1/bases/4/activity": [403, { code: "FORBIDDEN", message: "no" }], "/api/v1/workspaces/1/members": [200, { items: [] }] });
    show(base("admin"));
    expect(await screen.findByText("Only admins can see the activity log")).toBeInTheDocument();
  });

  it("lists changes with their table, person and formatted values", async () => {
    serve({
      "/api/v1/workspaces/1/members": [200, { items: [] }],
      "/api/v1/bases/4/activity": [200, {
        items: [{ id: 2, at: "2026-01-02T10:00:00Z", action: "updated", table_id: 9, table: "Orders", row_id: 5, user: { id: 1, email: "ann@x.io", name: "Ann" }, changes: [{ field_id: "f_91", field: "Qty", old: 1, new: 3 }] }],
        next_cursor: "abc",
      }],
    });
    show(base("owner"));
    expect(await screen.findByText("Qty: 1 → 3")).toBeInTheDocument();
    expect(screen.getByText("Ann")).toBeInTheDocument();
    expect(screen.getByText("#5")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Show older changes" })).toBeInTheDocument();
  });
});
