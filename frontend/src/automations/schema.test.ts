import { describe, expect, it } from "vitest";
import { defaultParams, paramSpecs, resolveRef } from "./schema";
import { TYPES } from "./testTypes";

const params = (kind: "triggers" | "actions", type: string) => TYPES[kind].find((t) => t.type === type)!.params;

describe("params schemas", () => {
  it("follows msgspec's $ref into $defs", () => {
    const s = params("actions", "notify");
    expect(resolveRef(s, s).title).toBe("NotifyParams");
  });

  it("flattens anyOf into types, nullability and defaults", () => {
    const specs = paramSpecs(params("actions", "send_email"));
    const by = Object.fromEntries(specs.map((s) => [s.name, s]));
    expect(by.subject).toMatchObject({ types: ["string"], required: true, nullable: false });
    expect(by.to_field).toMatchObject({ types: ["integer", "string"], nullable: true, required: false, default: null });
    expect(by.to).toMatchObject({ types: ["array"], default: [] });
    expect(by.to.items?.types).toEqual(["string"]);
    expect(by.attach_steps.items?.types).toEqual(["integer"]);
    expect(by.html).toMatchObject({ types: ["boolean"], default: false });
  });

  it("reads enums behind anyOf and nested object schemas", () => {
    const schedule = Object.fromEntries(paramSpecs(params("triggers", "schedule")).map((s) => [s.name, s]));
    expect(schedule.preset.enum).toEqual(["daily", "hourly", "monthly", "weekly"]);
    expect(schedule.preset.nullable).toBe(true);
    expect(schedule.catch_up.enum).toEqual(["all", "last", "none"]);
    const copy = Object.fromEntries(paramSpecs(params("actions", "copy_row")).map((s) => [s.name, s]));
    expect(copy.copy_links.items?.properties?.map((p) => p.name)).toEqual(["from", "to", "fields"]);
  });

  it("starts new params from the defaults and empty required values", () => {
    expect(defaultParams(params("actions", "send_email"))).toEqual({
      subject: "", body: "", to: [], cc: [], html: false, attach_fields: [], attach_steps: [],
    });
    expect(defaultParams(params("actions", "generate_document"))).toEqual({
      document_id: null, field: "", file_name: "document {{ row_id }}.pdf",
    });
    expect(defaultParams(params("triggers", "webhook"))).toEqual({});
  });
});
