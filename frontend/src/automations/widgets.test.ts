import { describe, expect, it } from "vitest";
import { paramSpecs } from "./schema";
import { BASE } from "./testBase";
import { TYPES } from "./testTypes";
import { fieldsOfKind, findField, layoutParams, resolveScope, widgetFor } from "./widgets";

const layout = (kind: "triggers" | "actions", type: string) =>
  layoutParams(type, paramSpecs(TYPES[kind].find((t) => t.type === type)!.params));
const products = BASE.tables[0];

describe("form generation", () => {
  it("gives every param of every type a control", () => {
    for (const kind of ["triggers", "actions"] as const) {
      for (const t of TYPES[kind]) {
        const controls = layout(kind, t.type);
        const covered = new Set(controls.flatMap((c) => [c.spec.name, ...(c.owns ?? [])]));
        expect([...covered].sort()).toEqual(paramSpecs(t.params).map((s) => s.name).sort());
        // No param of the bundled types needs the raw JSON fallback.
        expect(controls.filter((c) => c.widget.kind === "json").map((c) => `${t.type}.${c.spec.name}`)).toEqual([]);
      }
    }
  });

  it("orders an e-mail like a mail program and picks pickers by meaning", () => {
    const controls = layout("actions", "send_email");
    expect(controls.map((c) => c.spec.name)).toEqual([
      "to", "to_field", "to_link_field", "cc", "subject", "body", "html", "attach_fields", "attach_steps",
    ]);
    const w = Object.fromEntries(controls.map((c) => [c.spec.name, c.widget]));
    expect(w.to).toEqual({ kind: "recipients" });
    expect(w.to_field).toMatchObject({ kind: "field", fields: "mail", table: { from: "trigger" } });
    expect(w.to_link_field).toMatchObject({ kind: "field", table: { from: "link", param: "to_field" } });
    expect(w.body).toEqual({ kind: "template", multiline: true });
    expect(w.subject).toEqual({ kind: "template", multiline: false });
    expect(w.attach_fields).toMatchObject({ kind: "fieldList", fields: "attachment" });
    expect(w.attach_steps).toEqual({ kind: "steps" });
    expect(w.html).toEqual({ kind: "checkbox" });
  });

  it("collapses the schedule params into one control placed after the table", () => {
    const controls = layout("triggers", "schedule_matching_rows");
    expect(controls.map((c) => c.widget.kind)).toEqual(["table", "schedule"]);
    expect(controls[1].owns).toEqual(["cron", "preset", "at", "weekday", "day", "timezone", "catch_up"]);
  });

  it("notifies members, not free addresses", () => {
    const w = Object.fromEntries(layout("actions", "notify").map((c) => [c.spec.name, c.widget]));
    expect(w.to).toEqual({ kind: "members" });
    expect(w.to_field).toMatchObject({ fields: "people" });
  });

  it("falls back on the JSON type for params it does not know", () => {
    const spec = (types: string[], extra = {}) => ({ name: "x", types, nullable: false, required: false, ...extra });
    expect(widgetFor("new_action", spec(["boolean"]))).toEqual({ kind: "checkbox" });
    expect(widgetFor("new_action", spec(["integer", "number"]))).toEqual({ kind: "number" });
    expect(widgetFor("new_action", spec(["string"]))).toEqual({ kind: "text" });
    expect(widgetFor("new_action", spec(["string"], { enum: ["a", "b"] }))).toEqual({ kind: "select", options: ["a", "b"] });
    expect(widgetFor("new_action", spec(["object"]))).toEqual({ kind: "json" });
  });

  it("finds the table a control works on", () => {
    expect(resolveScope({ from: "trigger" }, {}, BASE, products)?.name).toBe("Products");
    expect(resolveScope({ from: "param", param: "table_id" }, { table_id: 20 }, BASE, products)?.name).toBe("Suppliers");
    expect(resolveScope({ from: "param", param: "table_id" }, {}, BASE, products)).toBeUndefined();
    expect(resolveScope({ from: "param", param: "table_id", fallback: "trigger" }, {}, BASE, products)?.name).toBe("Products");
    expect(resolveScope({ from: "link", param: "to_field" }, { to_field: "f_6" }, BASE, products)?.name).toBe("Suppliers");
    expect(resolveScope({ from: "link", param: "to_field" }, { to_field: "f_7" }, BASE, products)).toBeUndefined();
  });

  it("offers the fields of the right kind", () => {
    const names = (kind: Parameters<typeof fieldsOfKind>[1]) => fieldsOfKind(products.fields, kind).map((x) => x.name);
    expect(names("number")).toEqual(["Stock", "Minimum stock"]);
    expect(names("attachment")).toEqual(["Picture"]);
    expect(names("date")).toEqual(["Due"]);
    expect(names("people")).toEqual(["Buyer"]);
    expect(names("writable")).not.toContain("Total");
    expect(findField(products, "f_3")?.name).toBe("Minimum stock");
    expect(findField(products, 3)?.name).toBe("Minimum stock");
    expect(findField(products, "Stock")?.id).toBe(2);
  });
});
