import { useState } from "react";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Field, FormFieldConfig, Table } from "../api/types";
import { LinkFieldSettings } from "./LinkFieldSettings";

const f = (id: number, name: string, type: Field["type"], extra: Partial<Field> = {}): Field => ({ id, name, type, options: null, ...extra });
const orders: Table = {
  id: 1, name: "Orders", primary_field_id: 10, views: [],
  fields: [f(10, "No.", "auto_number"), f(12, "Lines", "link", { options: { table_id: 2, multiple: true } })],
};
const orderLines: Table = {
  id: 2, name: "Order lines", primary_field_id: 20, views: [],
  fields: [
    f(20, "Line", "auto_number"),
    f(21, "Order", "link", { options: { table_id: 1, multiple: false } }),
    f(22, "Product", "link", { options: { table_id: 4, multiple: false } }),
    f(23, "Quantity", "number"),
    f(24, "Net amount", "formula"),
  ],
};

function Harness({ onItem }: { onItem: (item: FormFieldConfig) => void }) {
  const [item, setItem] = useState<FormFieldConfig>({ field_id: 12, required: true });
  return (
    <LinkFieldSettings
      link={orders.fields[1]}
      item={item}
      tables={[orders, orderLines]}
      formTable={orders}
      readOnly={false}
      onChange={(patch) => { const next = { ...item, ...patch }; setItem(next); onItem(next); }}
    />
  );
}

describe("LinkFieldSettings", () => {
  it("switches a link between a picker and a sub-form of chosen linked-table fields", async () => {
    const onItem = vi.fn();
    const user = userEvent.setup();
    render(<Harness onItem={onItem} />);
    expect(screen.getByRole("radio", { name: "Visitors pick existing rows" })).toBeChecked();
    expect(screen.getByText(/Visitors search Order lines/)).toBeInTheDocument();

    await user.click(screen.getByRole("radio", { name: "Visitors add new lines (sub-form)" }));
    expect(onItem).toHaveBeenLastCalledWith(expect.objectContaining({
      subform: { fields: [{ field_id: 22, required: false }, { field_id: 23, required: false }], min_rows: 1, max_rows: 50 },
    }));
    // Only editable fields, never the link back to Orders.
    const offered = screen.getAllByRole("checkbox", { name: /^(?!.*required)/ }).map((c) => c.closest("label")!.textContent!.trim());
    expect(offered).toEqual(["Product", "Quantity"]);

    await user.click(screen.getByRole("checkbox", { name: "Quantity is required on each line" }));
    await user.click(screen.getByRole("checkbox", { name: "Product" }));
    expect(onItem).toHaveBeenLastCalledWith(expect.objectContaining({
      subform: { fields: [{ field_id: 23, required: true }], min_rows: 1, max_rows: 50 },
    }));

    await user.clear(screen.getByRole("spinbutton", { name: "Most lines" }));
    await user.type(screen.getByRole("spinbutton", { name: "Most lines" }), "12{Enter}");
    expect(onItem).toHaveBeenLastCalledWith(expect.objectContaining({ subform: expect.objectContaining({ max_rows: 12 }) }));

    await user.type(screen.getByRole("spinbutton", { name: "Fewest lines" }), "0");
    await user.tab();
    expect(onItem).toHaveBeenLastCalledWith(expect.objectContaining({ subform: expect.objectContaining({ min_rows: 10, max_rows: 12 }) }));

    await user.click(screen.getByRole("radio", { name: "Visitors pick existing rows" }));
    expect(onItem.mock.lastCall?.[0].subform).toBeUndefined();
  });
});
