import { useState } from "react";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { FieldOptions, Table } from "../api/types";
import { FieldOptionsEditor } from "./FieldOptionsEditor";

const lines: Table = {
  id: 3,
  name: "Order lines",
  primary_field_id: 12,
  fields: [
    { id: 12, name: "Line", type: "auto_number", options: {} },
    { id: 17, name: "Line total", type: "formula", options: { result_type: "currency" } },
    { id: 18, name: "Note", type: "text", options: null },
  ],
  views: [],
};
const customers: Table = {
  id: 1,
  name: "Customers",
  primary_field_id: 1,
  fields: [
    { id: 1, name: "Name", type: "text", options: null },
    { id: 2, name: "E-mail", type: "email", options: null },
  ],
  views: [],
};
const orders: Table = {
  id: 4,
  name: "Orders",
  primary_field_id: 20,
  fields: [
    { id: 20, name: "No.", type: "auto_number", options: {} },
    { id: 19, name: "Customer", type: "link", options: { table_id: 1, multiple: false } },
    { id: 24, name: "Lines", type: "link", options: { table_id: 3, multiple: true } },
  ],
  views: [],
};

function Harness({ type, seen }: { type: "rollup" | "lookup"; seen: (o: FieldOptions) => void }) {
  const [options, setOptions] = useState<FieldOptions>(type === "rollup" ? { aggregate: "sum" } : {});
  seen(options);
  return <FieldOptionsEditor type={type} options={options} set={(p) => setOptions({ ...options, ...p })} table={orders} tables={[customers, lines, orders]} />;
}

const labels = (select: HTMLElement) => within(select).getAllByRole("option").map((o) => o.textContent);

describe("FieldOptionsEditor for rollups", () => {
  it("offers summaries in words and only those that fit the chosen field", async () => {
    const user = userEvent.setup();
    let options: FieldOptions = {};
    render(<Harness type="rollup" seen={(o) => (options = o)} />);
    await user.selectOptions(screen.getByLabelText("Link field"), "Lines");
    await user.selectOptions(screen.getByLabelText("Field of Order lines"), "Line total");
    expect(labels(screen.getByLabelText("Summary"))).toContain("Sum");
    await user.selectOptions(screen.getByLabelText("Summary"), "Average");
    expect(options).toMatchObject({ link_field: 24, target_field: 17, aggregate: "average" });

    // Text cannot be summed: the summary becomes one that works.
    await user.selectOptions(screen.getByLabelText("Field of Order lines"), "Note");
    expect(labels(screen.getByLabelText("Summary"))).toEqual(["Count of values", "All values, comma-separated", "Distinct values"]);
    expect(options).toMatchObject({ target_field: 18, aggregate: "count" });
  });

  it("forgets the field of the previous link when the link changes", async () => {
    const user = userEvent.setup();
    let options: FieldOptions = {};
    render(<Harness type="lookup" seen={(o) => (options = o)} />);
    await user.selectOptions(screen.getByLabelText("Link field"), "Lines");
    await user.selectOptions(screen.getByLabelText("Field of Order lines"), "Line total");
    await user.selectOptions(screen.getByLabelText("Link field"), "Customer");
    expect(options.target_field).toBeUndefined();
    expect(screen.getByLabelText("Field of Customers")).toHaveValue("");
    await user.selectOptions(screen.getByLabelText("Field of Customers"), "E-mail");
    expect(options).toMatchObject({ link_field: 19, target_field: 2 });
  });
});
