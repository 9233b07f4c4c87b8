import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { endpoints } from "../api/endpoints";
import type { Field, Row, Table } from "../api/types";
import { LinkPicker } from "./pickers";

const orders: Table = {
  id: 4,
  name: "Orders",
  primary_field_id: 20,
  fields: [{ id: 20, name: "No.", type: "auto_number", options: { format: "ORD-{0000}" } }],
  views: [],
};
const field: Field = { id: 25, name: "Order", type: "link", options: { table_id: 4, multiple: false } };
const row = (id: number, no: string): Row => ({ id, version: 1, created_at: "", updated_at: "", fields: { f_20: no } });

afterEach(() => vi.restoreAllMocks());

describe("LinkPicker", () => {
  it("asks for the linked rows again each time it opens, so a row added moments ago is listed", async () => {
    // The app keeps queries fresh for 30 s; an earlier picker saw the table still empty.
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 30_000 } } });
    qc.setQueryData(["link-search", 4, ""], { rows: [], next_cursor: null });
    const rows = vi.spyOn(endpoints, "rows").mockResolvedValue({ rows: [row(1, "ORD-0001")], next_cursor: null });
    render(
      <QueryClientProvider client={qc}>
        <LinkPicker field={field} target={orders} value={[]} onChange={() => {}} />
      </QueryClientProvider>,
    );
    expect(await screen.findByRole("option", { name: "ORD-0001" })).toBeInTheDocument();
    expect(rows).toHaveBeenCalledWith(4, { search: "", limit: 30 });
  });
});
