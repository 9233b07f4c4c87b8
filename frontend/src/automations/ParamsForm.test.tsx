import { useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { qk } from "../api/queries";
import { ToastProvider } from "../ui/toast";
import { BuilderContext, ErrorContext, type ShownError } from "./context";
import type { DraftAction } from "./draft";
import { ParamsForm } from "./ParamsForm";
import { BASE } from "./testBase";
import { TYPES } from "./testTypes";
import type { Params } from "./types";

const products = BASE.tables[0];
const schemaOf = (kind: "triggers" | "actions", type: string) => TYPES[kind].find((t) => t.type === type)!.params;

function Harness(props: { kind: "triggers" | "actions"; type: string; initial: Params; error?: ShownError; actions?: DraftAction[]; index?: number; spy: (p: Params) => void }) {
  const [params, setParams] = useState(props.initial);
  const path = props.kind === "triggers" ? "trigger.params" : `actions[${props.index ?? 0}].params`;
  return (
    <BuilderContext.Provider value={{ base: BASE, types: TYPES, triggerType: "row_matches", triggerTable: products, actions: props.actions ?? [] }}>
      <ErrorContext.Provider value={props.error ?? null}>
        <ParamsForm path={path} type={props.type} schema={schemaOf(props.kind, props.type)} params={params} index={props.index} onChange={(p) => { setParams(p); props.spy(p); }} />
      </ErrorContext.Provider>
    </BuilderContext.Provider>
  );
}

function renderForm(props: Omit<React.ComponentProps<typeof Harness>, "spy">) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  qc.setQueryData(qk.members(1), { items: [{ user_id: 1, email: "buyer@example.com", name: "Bea Buyer", role: "owner" }] });
  const spy = vi.fn();
  render(
    <QueryClientProvider client={qc}>
      <ToastProvider>
        <Harness {...props} spy={spy} />
      </ToastProvider>
    </QueryClientProvider>,
  );
  return { last: () => spy.mock.lastCall?.[0] as Params };
}

describe("ParamsForm", () => {
  it("builds an e-mail: recipients as chips, fields from the trigger's table", () => {
    const { last } = renderForm({ kind: "actions", type: "send_email", initial: { subject: "", body: "", to: [] } });
    const to = screen.getByLabelText(/^To/);
    fireEvent.change(to, { target: { value: "purchasing@example.com" } });
    fireEvent.keyDown(to, { key: "Enter" });
    expect(last().to).toEqual(["purchasing@example.com"]);
    expect(screen.getByRole("button", { name: "Remove purchasing@example.com" })).toBeInTheDocument();
    const attach = screen.getByLabelText(/Attach files from these fields/) as HTMLSelectElement;
    expect(Array.from(attach.options).map((o) => o.text)).toEqual(["Add a field…", "Picture"]);
    fireEvent.change(attach, { target: { value: "f_5" } });
    expect(last().attach_fields).toEqual(["f_5"]);
  });

  it("inserts a field placeholder at the caret", async () => {
    const { last } = renderForm({ kind: "actions", type: "send_email", initial: { subject: "", body: "Stock: left", to: [] } });
    const body = screen.getByLabelText(/^Body/) as HTMLTextAreaElement;
    body.setSelectionRange(7, 7);
    fireEvent.click(screen.getByRole("button", { name: "Insert field into Body" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Minimum stock" }));
    expect(last().body).toBe("Stock: {{ row['Minimum stock'] }}left");
  });

  it("notifies members picked from the workspace", () => {
    const { last } = renderForm({ kind: "actions", type: "notify", initial: { message: "", to: [] } });
    fireEvent.change(screen.getByLabelText(/Notify these members/), { target: { value: "buyer@example.com" } });
    expect(last().to).toEqual(["buyer@example.com"]);
    const people = screen.getByLabelText(/the people in this field/) as HTMLSelectElement;
    expect(Array.from(people.options).map((o) => o.text)).toEqual(["None", "Buyer"]);
  });

  it("shows the server's error at the control it names", () => {
    renderForm({
      kind: "actions", type: "send_email", initial: { subject: "{{ x", body: "", to: [] },
      error: { target: "actions[0].params.subject", message: "Template syntax error (line 1)" },
    });
    expect(screen.getByLabelText(/^Subject/)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText(/^Body/)).not.toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("alert")).toHaveTextContent("Template syntax error (line 1)");
  });

  it("edits field values of the row's table and resets them when another table is chosen", () => {
    const { last } = renderForm({ kind: "actions", type: "update_rows", initial: { fields: {} } });
    // Without a table, update_rows changes the trigger row: the fields are those of Products.
    fireEvent.change(screen.getByLabelText(/^Field values/), { target: { value: "f_2" } });
    const value = screen.getByLabelText("Value for Stock");
    fireEvent.change(value, { target: { value: "12" } });
    expect(last().fields).toEqual({ f_2: 12 });
    fireEvent.change(value, { target: { value: "={Minimum stock} * 2" } });
    expect(last().fields).toEqual({ f_2: "={Minimum stock} * 2" });
    fireEvent.change(screen.getByLabelText(/^Table/), { target: { value: "20" } });
    expect(last()).toEqual({ table_id: 20 });
    const setField = screen.getByLabelText(/^Field values/) as HTMLSelectElement;
    expect(Array.from(setField.options).map((o) => o.text)).toEqual(["Set a field…", "Name", "E-mail"]);
  });

  it("switches a schedule between a preset and cron", () => {
    const { last } = renderForm({ kind: "triggers", type: "schedule", initial: { preset: "daily", at: "08:00" } });
    fireEvent.change(screen.getByLabelText("Repeat"), { target: { value: "weekly" } });
    fireEvent.change(screen.getByLabelText("On"), { target: { value: "fri" } });
    expect(last()).toMatchObject({ preset: "weekly", weekday: "fri", at: "08:00" });
    expect(last()).not.toHaveProperty("cron");
    fireEvent.change(screen.getByLabelText("Repeat"), { target: { value: "cron" } });
    expect(last()).not.toHaveProperty("preset");
    fireEvent.change(screen.getByLabelText("Cron expression"), { target: { value: "0 8 * * 1-5" } });
    expect(last().cron).toBe("0 8 * * 1-5");
  });

  it("attaches files made by earlier steps", () => {
    const actions: DraftAction[] = [
      { key: 1, type: "generate_document", params: {} },
      { key: 2, type: "notify", params: {} },
      { key: 3, type: "send_email", params: {} },
    ];
    const { last } = renderForm({ kind: "actions", type: "send_email", index: 2, actions, initial: { subject: "", body: "", to: [] } });
    const group = screen.getByRole("group", { name: /Attach documents made by earlier steps/ });
    expect(within(group).getAllByRole("checkbox")).toHaveLength(1);
    fireEvent.click(within(group).getByLabelText("Step 1: Generate a document (PDF)"));
    expect(last().attach_steps).toEqual([0]);
  });

  it("writes date offsets", () => {
    const { last } = renderForm({ kind: "triggers", type: "date_relative", initial: { table_id: 10, offset: "+1d" } });
    const field = screen.getByLabelText(/^Date field/) as HTMLSelectElement;
    expect(Array.from(field.options).map((o) => o.text)).toEqual(["Choose a field…", "Due"]);
    fireEvent.change(screen.getByLabelText("Amount"), { target: { value: "2" } });
    fireEvent.change(screen.getByLabelText("Unit"), { target: { value: "h" } });
    fireEvent.change(screen.getByLabelText("Before or after"), { target: { value: "-" } });
    expect(last().offset).toBe("-2h");
  });
});
