import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent, { type UserEvent } from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { ApiError } from "../api/client";
import PublicFormPage from "./PublicFormPage";
import { publicFormApi, type PickedRow } from "./publicFormApi";
import { orderForm } from "./testFixtures";

const CHOICES: Record<number, PickedRow[]> = {
  2: [{ id: 12, label: "Acme GmbH" }, { id: 14, label: "Brun SARL" }],
  31: [{ id: 5, label: "Oak desk" }, { id: 7, label: "Desk lamp" }],
};

function renderPage() {
  return render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={["/s/tok"]}>
        <Routes><Route path="/s/:token" element={<PublicFormPage />} /></Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const lineRow = (n: number) => screen.getByRole("row", { name: `Line ${n}` });

async function pick(user: UserEvent, box: HTMLElement, text: string, option: string) {
  await user.type(box, text);
  await user.click(await screen.findByRole("option", { name: option }));
}

let submit: MockInstance<typeof publicFormApi.submit>;
beforeEach(() => {
  vi.spyOn(publicFormApi, "form").mockResolvedValue(orderForm);
  vi.spyOn(publicFormApi, "choices").mockImplementation(async (_t, field, search) => ({
    items: (CHOICES[field] ?? []).filter((r) => r.label.toLowerCase().includes(search.toLowerCase())),
  }));
  submit = vi.spyOn(publicFormApi, "submit").mockResolvedValue({ id: 100, lines: { Lines: [201, 202] } });
});
afterEach(() => vi.restoreAllMocks());

describe("PublicFormPage with a picker and line items", () => {
  it("checks required fields and lines before sending anything", async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Send order" }));
    expect(submit).not.toHaveBeenCalled();
    const customerRow = screen.getByRole("combobox", { name: /^Customer/ }).closest<HTMLElement>(".form-row")!;
    expect(within(customerRow).getByRole("alert")).toHaveTextContent("Please choose one.");
    expect(within(lineRow(1)).getAllByRole("alert").map((a) => a.textContent)).toEqual(["Please choose one.", "Please fill this in."]);
    // The keyboard goes to the first field to correct.
    await waitFor(() => expect(screen.getByRole("combobox", { name: /^Customer/ })).toHaveFocus());
  });

  it("submits a customer and two lines as ids and line objects, then thanks the visitor", async () => {
    const user = userEvent.setup();
    renderPage();
    await pick(user, await screen.findByRole("combobox", { name: /^Customer/ }), "acm", "Acme GmbH");
    await pick(user, within(lineRow(1)).getByRole("combobox", { name: "Product, line 1" }), "oak", "Oak desk");
    await user.type(within(lineRow(1)).getByRole("textbox", { name: "Quantity, line 1" }), "2");
    await user.click(screen.getByRole("button", { name: "Add line" }));
    await pick(user, within(lineRow(2)).getByRole("combobox", { name: "Product, line 2" }), "lamp", "Desk lamp");
    await user.type(within(lineRow(2)).getByRole("textbox", { name: "Quantity, line 2" }), "1");
    // An empty third line is ignored rather than sent.
    await user.click(screen.getByRole("button", { name: "Add line" }));
    await user.click(screen.getByRole("button", { name: "Send order" }));

    expect(submit).toHaveBeenCalledWith("tok", {
      Customer: 12,
      Lines: [{ Product: 5, Quantity: 2 }, { Product: 7, Quantity: 1 }],
    });
    expect(await screen.findByText("Thank you for your order!")).toBeInTheDocument();
  });

  it("shows the server's errors at the line and field they name", async () => {
    submit.mockRejectedValue(
      new ApiError(422, {
        code: "INVALID_CELL",
        message: "Some cells are not valid",
        details: { errors: [{ row: 0, field: "Lines[1].Quantity", message: "must be at least 1" }] },
      }),
    );
    const user = userEvent.setup();
    renderPage();
    await pick(user, await screen.findByRole("combobox", { name: /^Customer/ }), "brun", "Brun SARL");
    await pick(user, within(lineRow(1)).getByRole("combobox", { name: "Product, line 1" }), "oak", "Oak desk");
    await user.type(within(lineRow(1)).getByRole("textbox", { name: "Quantity, line 1" }), "2");
    await user.click(screen.getByRole("button", { name: "Add line" }));
    await pick(user, within(lineRow(2)).getByRole("combobox", { name: "Product, line 2" }), "lamp", "Desk lamp");
    await user.type(within(lineRow(2)).getByRole("textbox", { name: "Quantity, line 2" }), "0");
    await user.click(screen.getByRole("button", { name: "Send order" }));

    expect(await within(lineRow(2)).findByRole("alert")).toHaveTextContent("Must be at least 1");
    expect(within(lineRow(1)).queryByRole("alert")).toBeNull();
    expect(screen.getByText("Please check the highlighted fields.")).toBeInTheDocument();

    // Removing the first line moves the error up with its line.
    await user.click(screen.getByRole("button", { name: "Remove line 1" }));
    expect(within(lineRow(1)).getByRole("alert")).toHaveTextContent("Must be at least 1");
    // Correcting the value clears it.
    const qty = within(lineRow(1)).getByRole("textbox", { name: "Quantity, line 1" });
    await user.clear(qty);
    await user.type(qty, "3{Enter}");
    expect(within(lineRow(1)).queryByRole("alert")).toBeNull();
  });
});
