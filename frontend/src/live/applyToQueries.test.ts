import { describe, expect, it, vi } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { applyToQueries } from "./useLiveBase";

function client() {
  const qc = new QueryClient();
  const spy = vi.spyOn(qc, "invalidateQueries").mockResolvedValue();
  return { qc, keys: () => spy.mock.calls.map((c) => c[0]?.queryKey) };
}

describe("applyToQueries", () => {
  it("refetches card views and histories for other people's row changes only", () => {
    const { qc, keys } = client();
    applyToQueries(qc, 1, 7, { type: "rows", table_id: 5, changes: [{ op: "updated", row_id: 9, actor_id: 7 }] });
    expect(keys()).toEqual([]);
    applyToQueries(qc, 1, 7, { type: "rows", table_id: 5, changes: [{ op: "updated", row_id: 9, actor_id: 8 }] });
    expect(keys()).toEqual([["card-rows", 5], ["history", 5, 9]]);
  });

  it("refetches the schema when it changed, and everything on a resync", () => {
    const { qc, keys } = client();
    applyToQueries(qc, 1, 7, { type: "schema_changed" });
    applyToQueries(qc, 1, 7, { type: "resync" });
    applyToQueries(qc, 1, 7, { type: "resync", table_id: 4 });
    expect(keys()).toEqual([["schema", 1], ["card-rows"], ["schema", 1], ["card-rows", 4]]);
  });
});
