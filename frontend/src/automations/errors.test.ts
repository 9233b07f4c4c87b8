import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { errorTarget, pathId, ruleError } from "./errors";

const refused = (code: string, message: string, details: Record<string, unknown> = {}) =>
  new ApiError(422, { code, message, details });

describe("server errors on the right control", () => {
  it("uses details.where and drops it from the message", () => {
    const e = ruleError(refused("UNKNOWN_FIELD", "actions[1].params.fields.Nope: unknown field 'Nope' in table 'Orders'", { where: "actions[1].params.fields.Nope" }));
    expect(e).toEqual({ path: "actions[1].params.fields.Nope", message: "Unknown field 'Nope' in table 'Orders'", code: "UNKNOWN_FIELD" });
  });

  it("reads the path from the message when details do not say", () => {
    expect(ruleError(refused("INVALID_RULE", "actions[0].params.to: 'x' is not a member of this workspace"))?.path).toBe("actions[0].params.to");
    expect(ruleError(refused("INVALID_FILTER", "condition.filter: Operator 'lt' does not apply to 'Status'", { field: "Status" }))).toMatchObject({
      path: "condition.filter", message: "Operator 'lt' does not apply to 'Status'",
    });
  });

  it("prefers the message's longer path over a shorter where", () => {
    const e = ruleError(refused("INVALID_RULE", "actions[0].params.to_link_field: name the e-mail field", { where: "actions[0].params" }));
    expect(e?.path).toBe("actions[0].params.to_link_field");
  });

  it("names the param a code is about when only the params object is given", () => {
    expect(ruleError(refused("UNKNOWN_DOCUMENT", "actions[1].params: No document 99 in this base", { where: "actions[1].params" }))?.path).toBe("actions[1].params.document_id");
    expect(ruleError(refused("INVALID_FIELD", "actions[1].params: 'Status' is not an attachment field", { where: "actions[1].params", field: "Status" }))?.path).toBe("actions[1].params.field");
    expect(ruleError(refused("INVALID_CRON", "trigger.params: cron '61 * * * *': 61 is out of range"))?.path).toBe("trigger.params.cron");
    expect(ruleError(refused("UNKNOWN_TABLE", "no table", { where: "trigger.table_id" }))?.path).toBe("trigger.params.table_id");
  });

  it("reads the key out of msgspec's messages", () => {
    expect(ruleError(refused("INVALID_RULE", "actions[0].params: Object missing required field `message`", { where: "actions[0].params" }))?.path).toBe("actions[0].params.message");
    expect(ruleError(refused("INVALID_RULE", "trigger.params: Expected `int`, got `str` - at `trigger.params.view_id`", { where: "trigger.params" }))?.path).toBe("trigger.params.view_id");
  });

  it("keeps field names with spaces and dots in where", () => {
    const where = "actions[0].params.fields.Minimum stock";
    expect(ruleError(refused("FORMULA_INVALID", `${where}: unexpected end of formula at 1:3`, { where, position: "1:3" }))).toMatchObject({
      path: where, message: "Unexpected end of formula at 1:3",
    });
  });

  it("has no path for rule-wide problems and ignores other errors", () => {
    expect(ruleError(refused("INVALID_RULE", "a row_matches rule needs a condition (filter or formula)", { where: "condition" }))?.path).toBe("condition");
    expect(ruleError(refused("INVALID_RULE", "unknown rule keys: x", { where: "rule" }))?.path).toBe("rule");
    expect(ruleError(new ApiError(500, { code: "INTERNAL", message: "boom" }))).toBeNull();
    expect(ruleError(new Error("network"))).toBeNull();
  });

  it("maps a path to the closest control", () => {
    const controls = ["name", "trigger", "trigger.params", "trigger.params.cron", "actions", "actions[1]", "actions[1].params", "actions[1].params.fields", "actions[10].params"];
    expect(errorTarget("actions[1].params.fields.Qty", controls)).toBe("actions[1].params.fields");
    expect(errorTarget("actions[1].params.to", controls)).toBe("actions[1].params");
    expect(errorTarget("actions[1]", controls)).toBe("actions[1]");
    expect(errorTarget("trigger.params.cron", controls)).toBe("trigger.params.cron");
    expect(errorTarget("rule", controls)).toBeNull();
    // actions[1] is no prefix of actions[10].
    expect(errorTarget("actions[10].params.x", controls)).toBe("actions[10].params");
  });

  it("turns paths into DOM ids", () => {
    expect(pathId("actions[1].params.to")).toBe("rule-actions-1-params-to");
    expect(pathId("name")).toBe("rule-name");
  });
});
