import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Field, FilterGroup } from "../api/types";
import { FilterBuilder } from "./FilterBuilder";

const fields: Field[] = [
  { id: 1, name: "Name", type: "text", options: null },
  { id: 2, name: "Stock", type: "number", options: null },
  { id: 3, name: "Status", type: "single_select", options: { choices: [{ name: "New", color: "blue" }, { name: "Paid", color: "green" }] } },
];

describe("FilterBuilder", () => {
  it("builds a condition and reports only complete ones", () => {
    const onChange = vi.fn();
    render(<FilterBuilder value={null} fields={fields} onChange={onChange} />);
    fireEvent.click(screen.getByRole("button", { name: /add condition/i }));
    expect(onChange).toHaveBeenLastCalledWith(null); // no value yet
    fireEvent.change(screen.getByLabelText("Field"), { target: { value: "f_2" } });
    fireEvent.change(screen.getByLabelText("Operator"), { target: { value: "lt" } });
    fireEvent.change(screen.getByLabelText("Value"), { target: { value: "5" } });
    expect(onChange).toHaveBeenLastCalledWith({ and: [{ field: "f_2", op: "lt", value: 5 }] });
  });

  it("offers the operators of each field type", () => {
    render(<FilterBuilder value={{ and: [{ field: "f_3", op: "eq", value: "New" }] }} fields={fields} onChange={vi.fn()} />);
    const ops = Array.from((screen.getByLabelText("Operator") as HTMLSelectElement).options).map((o) => o.value);
    expect(ops).toEqual(["eq", "neq", "in", "is_empty", "is_not_empty"]);
  });

  it("nests groups and switches and/or", () => {
    const onChange = vi.fn();
    const start: FilterGroup = { and: [{ field: "f_1", op: "contains", value: "a" }] };
    render(<FilterBuilder value={start} fields={fields} onChange={onChange} />);
    fireEvent.click(screen.getAllByRole("button", { name: /add group/i })[0]);
    fireEvent.change(screen.getAllByLabelText("Value")[1], { target: { value: "b" } });
    expect(onChange).toHaveBeenLastCalledWith({
      and: [{ field: "f_1", op: "contains", value: "a" }, { or: [{ field: "f_1", op: "contains", value: "b" }] }],
    });
    fireEvent.change(screen.getByLabelText("Combine with"), { target: { value: "or" } });
    expect(onChange.mock.lastCall?.[0]).toHaveProperty("or");
  });

  it("picks several options for 'is any of'", () => {
    const onChange = vi.fn();
    render(<FilterBuilder value={{ and: [{ field: "f_3", op: "in", value: [] }] }} fields={fields} onChange={onChange} />);
    fireEvent.click(screen.getByRole("button", { name: "New" }));
    fireEvent.click(screen.getByRole("button", { name: "Paid" }));
    expect(onChange).toHaveBeenLastCalledWith({ and: [{ field: "f_3", op: "in", value: ["New", "Paid"] }] });
  });
});
