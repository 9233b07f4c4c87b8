import { useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { LineItems, type LineEdit } from "./LineItems";
import { initialValues, type FormErrors, type Line } from "./publicForm";
import type { PublicFormField } from "./publicFormApi";
import { lines as linesField } from "./testFixtures";

function Harness({ field = linesField, errors = {}, onEdit }: { field?: PublicFormField; errors?: FormErrors; onEdit?: (lines: Line[], edit: LineEdit) => void }) {
  const [lines, setLines] = useState(() => initialValues([field])[field.id] as Line[]);
  return (
    <QueryClientProvider client={new QueryClient()}>
      <span id="lbl">Lines</span>
      <LineItems token="tok" field={field} lines={lines} errors={errors} labelledBy="lbl" onChange={(l, e) => { setLines(l); onEdit?.(l, e); }} />
    </QueryClientProvider>
  );
}

const rows = () => screen.getAllByRole("row", { name: /^Line \d+$/ });

describe("LineItems", () => {
  it("adds lines up to max_rows and focuses the new line", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    expect(screen.getByRole("group", { name: "Lines" })).toBeInTheDocument();
    expect(rows()).toHaveLength(1);
    const add = screen.getByRole("button", { name: "Add line" });
    await user.click(add);
    expect(rows()).toHaveLength(2);
    expect(within(rows()[1]).getByRole("combobox", { name: /Product/ })).toHaveFocus();
    await user.click(add);
    expect(rows()).toHaveLength(3);
    expect(add).toBeDisabled();
    expect(screen.getByText(/most this form takes \(3\)/)).toBeInTheDocument();
  });

  it("never removes below the minimum and tells which line was removed", async () => {
    const onEdit = vi.fn();
    const user = userEvent.setup();
    render(<Harness onEdit={onEdit} />);
    expect(screen.getByRole("button", { name: "Remove line 1" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Add line" }));
    await user.click(screen.getByRole("button", { name: "Remove line 1" }));
    expect(rows()).toHaveLength(1);
    expect(onEdit).toHaveBeenLastCalledWith(expect.any(Array), { kind: "remove", index: 0 });
  });

  it("labels every cell input with its field and line, and marks required columns", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(screen.getByRole("button", { name: "Add line" }));
    const second = rows()[1];
    expect(within(second).getByRole("combobox", { name: "Product, line 2" })).toBeInTheDocument();
    expect(within(second).getByRole("textbox", { name: "Quantity, line 2" })).toBeInTheDocument();
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Line#", "Product *", "Quantity *", "Discount", "Remove"]);
  });

  it("reports cell edits with their line and field", async () => {
    const onEdit = vi.fn();
    const user = userEvent.setup();
    render(<Harness onEdit={onEdit} />);
    await user.type(screen.getByRole("textbox", { name: "Quantity, line 1" }), "4{Enter}");
    expect(onEdit).toHaveBeenLastCalledWith([expect.objectContaining({ values: { 32: 4 } })], { kind: "cell", index: 0, sub: "Quantity" });
  });

  it("shows errors in the cell and the line they belong to", async () => {
    const user = userEvent.setup();
    render(<Harness errors={{ "Lines[1].Quantity": "Is required", "Lines[0]": "Product is sold out" }} />);
    await user.click(screen.getByRole("button", { name: "Add line" }));
    const [first, second] = rows();
    expect(within(second).getByRole("alert")).toHaveTextContent("Is required");
    expect(within(first).queryByRole("alert")).toBeNull();
    expect(screen.getByText("Line 1: Product is sold out")).toBeInTheDocument();
  });

  it("stacks the lines as cards when there are many columns", () => {
    const many: PublicFormField = {
      ...linesField,
      subform: { ...linesField.subform!, fields: [...linesField.subform!.fields, { id: 34, name: "Note", type: "text", options: null }] },
    };
    const { container } = render(<Harness field={many} />);
    expect(container.querySelector(".line-items")).toHaveClass("stacked");
  });
});
