import { useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LinkPicker } from "./LinkPicker";
import { publicFormApi, type PickedRow, type PublicFormField } from "./publicFormApi";
import { customer, tags } from "./testFixtures";

const ROWS: PickedRow[] = [
  { id: 12, label: "Acme GmbH" },
  { id: 13, label: "Acme Office AG" },
  { id: 14, label: "Brun SARL" },
];

function mockChoices() {
  return vi.spyOn(publicFormApi, "choices").mockImplementation(async (_token, _field, search) => ({
    items: ROWS.filter((r) => r.label.toLowerCase().includes(search.toLowerCase())),
  }));
}

/** The picker with its value held like the form page holds it. */
function Harness({ field, onChange }: { field: PublicFormField; onChange?: (rows: PickedRow[]) => void }) {
  const [value, setValue] = useState<PickedRow[]>([]);
  return (
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <label htmlFor="p">{field.name}</label>
      <LinkPicker token="tok" field={field} id="p" value={value} onChange={(v) => { setValue(v); onChange?.(v); }} />
    </QueryClientProvider>
  );
}

afterEach(() => vi.restoreAllMocks());

describe("LinkPicker", () => {
  it("searches the form's choices as the visitor types (debounced) and picks with the keyboard", async () => {
    const choices = mockChoices();
    const onChange = vi.fn();
    const user = userEvent.setup();
    render(<Harness field={customer} onChange={onChange} />);
    const box = screen.getByRole("combobox", { name: "Customer" });
    expect(box).toHaveAttribute("aria-expanded", "false");

    await user.type(box, "acme");
    expect(box).toHaveAttribute("aria-expanded", "true");
    await waitFor(() => expect(screen.getAllByRole("option")).toHaveLength(2));
    // One request for the final text, not one per key.
    expect(choices).toHaveBeenCalledWith("tok", customer.id, "acme", expect.anything());
    expect(choices.mock.calls.map((c) => c[2])).not.toContain("ac");

    await user.keyboard("{ArrowDown}");
    expect(box).toHaveAttribute("aria-activedescendant", screen.getByRole("option", { name: "Acme Office AG" }).id);
    await user.keyboard("{Enter}");
    expect(onChange).toHaveBeenLastCalledWith([{ id: 13, label: "Acme Office AG" }]);
    expect(box).toHaveValue("Acme Office AG");
    expect(box).toHaveAttribute("aria-expanded", "false");

    await user.click(screen.getByRole("button", { name: "Clear Customer" }));
    expect(onChange).toHaveBeenLastCalledWith([]);
    expect(box).toHaveValue("");
  });

  it("says when nothing matches, and closes on Escape", async () => {
    mockChoices();
    const user = userEvent.setup();
    render(<Harness field={customer} />);
    const box = screen.getByRole("combobox", { name: "Customer" });
    await user.type(box, "zzz");
    expect(await screen.findByText("No match for “zzz”")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(box).toHaveAttribute("aria-expanded", "false");
    expect(box).toHaveValue("");
  });

  it("collects several rows as removable chips when the link takes many", async () => {
    mockChoices();
    const onChange = vi.fn();
    const user = userEvent.setup();
    render(<Harness field={{ ...tags, picker: { table: "Customers", multiple: true } }} onChange={onChange} />);
    const box = screen.getByRole("combobox", { name: "Projects" });
    await user.click(box);
    await user.click(await screen.findByRole("option", { name: "Acme GmbH" }));
    await user.click(screen.getByRole("option", { name: "Brun SARL" }));
    expect(onChange).toHaveBeenLastCalledWith([{ id: 12, label: "Acme GmbH" }, { id: 14, label: "Brun SARL" }]);
    expect(screen.getByRole("option", { name: "Acme GmbH" })).toHaveAttribute("aria-selected", "true");

    await user.click(screen.getByRole("button", { name: "Remove Acme GmbH" }));
    expect(onChange).toHaveBeenLastCalledWith([{ id: 14, label: "Brun SARL" }]);
    // Backspace in the empty search box removes the last chip.
    box.focus();
    await user.keyboard("{Backspace}");
    expect(onChange).toHaveBeenLastCalledWith([]);
  });

  it("shows labels as text, never as markup", async () => {
    vi.spyOn(publicFormApi, "choices").mockResolvedValue({ items: [{ id: 1, label: "<img src=x onerror=alert(1)>" }] });
    const user = userEvent.setup();
    const { container } = render(<Harness field={customer} />);
    await user.click(screen.getByRole("combobox", { name: "Customer" }));
    expect(await screen.findByRole("option", { name: "<img src=x onerror=alert(1)>" })).toBeInTheDocument();
    expect(container.querySelector("img")).toBeNull();
  });
});
