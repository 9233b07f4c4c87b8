import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { qk } from "../api/queries";
import { ToastProvider } from "../ui/toast";
import { automations } from "./api";
import { RuleEditor } from "./RuleEditor";
import { BASE } from "./testBase";
import { TYPES } from "./testTypes";
import type { Rule } from "./types";

const saved: Rule = {
  id: 7, base_id: 1, name: "Low stock", enabled: true, owner_id: 1, next_run_at: null, failure_count: 0,
  disabled_reason: "", created_at: "", updated_at: "",
  trigger: { type: "row_matches", table_id: 10, params: { table_id: 10 } },
  condition: { formula: "{f_2} < {f_3}" },
  actions: [
    { type: "send_email", params: { to: ["p@example.com"], subject: "Reorder", body: "b", cc: [], html: false, attach_fields: [], attach_steps: [] } },
    { type: "notify", params: { message: "low", to: ["buyer@example.com"] } },
  ],
};

function renderEditor(rule?: Rule) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(qk.members(1), { items: [{ user_id: 1, email: "buyer@example.com", name: "Bea", role: "owner" }] });
  render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <MemoryRouter>
          <RuleEditor base={BASE} types={TYPES} rule={rule} />
        </MemoryRouter>
      </ToastProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.restoreAllMocks());

describe("RuleEditor", () => {
  it("builds a rule by clicking and sends it", async () => {
    const create = vi.spyOn(automations, "create").mockResolvedValue({ ...saved, id: 8 });
    renderEditor();
    fireEvent.change(screen.getByLabelText("Automation name"), { target: { value: "Low stock" } });
    fireEvent.click(screen.getByRole("radio", { name: "When a row starts matching the condition" }));
    fireEvent.change(screen.getByLabelText(/^Table/), { target: { value: "10" } });
    fireEvent.click(screen.getByRole("radio", { name: "When a formula is true" }));
    fireEvent.change(screen.getByLabelText("Formula"), { target: { value: "{Stock} < {Minimum stock}" } });
    fireEvent.click(screen.getByRole("button", { name: /Add action/ }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Notify users in the app" }));
    const step = screen.getByRole("region", { name: "Step 1: Notify users in the app" });
    fireEvent.change(within(step).getByLabelText(/Notify these members/), { target: { value: "buyer@example.com" } });
    fireEvent.change(within(step).getByLabelText(/^Message/), { target: { value: "Low: " } });
    fireEvent.click(screen.getByRole("button", { name: "Create automation" }));
    await waitFor(() => expect(create).toHaveBeenCalled());
    expect(create.mock.calls[0]).toEqual([1, {
      name: "Low stock",
      enabled: true,
      trigger: { type: "row_matches", params: { table_id: 10 } },
      condition: { formula: "{Stock} < {Minimum stock}" },
      actions: [{ type: "notify", params: { message: "Low: ", to: ["buyer@example.com"] } }],
    }]);
  });

  it("moves between trigger cards with the arrow keys", () => {
    renderEditor();
    const cards = screen.getAllByRole("radio");
    expect(cards.filter((c) => c.tabIndex === 0)).toEqual([cards[0]]);
    cards[0].focus();
    fireEvent.keyDown(cards[0], { key: "ArrowRight" });
    expect(document.activeElement).toBe(cards[1]);
    fireEvent.keyDown(cards[1], { key: "ArrowUp" });
    expect(document.activeElement).toBe(cards[0]);
  });

  it("shows a refused save at the control the server names", async () => {
    vi.spyOn(automations, "update").mockRejectedValue(
      new ApiError(422, { code: "TEMPLATE_INVALID", message: "actions[1].params.message: template syntax error (line 1)", details: { where: "actions[1].params.message", line: 1 } }),
    );
    renderEditor(saved);
    const notify = screen.getByRole("region", { name: "Step 2: Notify users in the app" });
    fireEvent.change(within(notify).getByLabelText(/^Message/), { target: { value: "{{ row.Name" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await within(notify).findByRole("alert")).toHaveTextContent("Template syntax error (line 1)");
    expect(within(notify).getByLabelText(/^Message/)).toHaveAttribute("aria-invalid", "true");
    expect(within(screen.getByRole("region", { name: "Step 1: Send an e-mail" })).queryByRole("alert")).toBeNull();
  });

  it("shows problems without a control above the form", async () => {
    vi.spyOn(automations, "update").mockRejectedValue(new ApiError(422, { code: "INVALID_RULE", message: "unknown rule keys: x", details: { where: "rule" } }));
    renderEditor(saved);
    fireEvent.change(screen.getByLabelText("Automation name"), { target: { value: "Renamed" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Not saved: Unknown rule keys: x/)).toBeInTheDocument();
  });

  it("names a missing name before asking the server", async () => {
    const update = vi.spyOn(automations, "update");
    renderEditor(saved);
    fireEvent.change(screen.getByLabelText("Automation name"), { target: { value: " " } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Give the automation a name.");
    expect(update).not.toHaveBeenCalled();
  });
});
