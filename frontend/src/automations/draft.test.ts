import { describe, expect, it } from "vitest";
import {
  cleanParams, controlPaths, draftFromRule, draftProblem, enabledPatch, idsToNames, moveAction, newDraft, removeAction,
  ruleBody, scheduleSummary, triggerSummary, triggerTableId, type DraftAction,
} from "./draft";
import { BASE } from "./testBase";
import { TYPES } from "./testTypes";
import type { FilterGroup } from "../api/types";
import type { Rule } from "./types";

const stored: Rule = {
  id: 7, base_id: 1, name: "Low stock", enabled: true, owner_id: 1, next_run_at: null, failure_count: 0,
  disabled_reason: "", created_at: "", updated_at: "",
  trigger: { type: "row_matches", table_id: 10, params: { table_id: 10 } },
  condition: { formula: "{f_2} < {f_3}" },
  actions: [
    { type: "update_rows", params: { table_id: 10, fields: { f_4: "Retired", f_2: "={f_3} * 2" }, filter: { and: [{ field: 1 as unknown as string, op: "eq", value: "={f_1}" }] } } },
    { type: "notify", params: { message: "{{ row['Name'] }} is low", to: ["a@example.com"] } },
  ],
};

describe("the rule being edited", () => {
  it("shows formulas with field names", () => {
    const name = (id: number) => ({ 2: "Stock", 3: "Minimum stock", 9: "a}b" } as Record<number, string>)[id];
    expect(idsToNames("{f_2} < {f_3} + {f_99} + {row.id} + {f_9}", name)).toBe("{Stock} < {Minimum stock} + {f_99} + {row.id} + {f_9}");
  });

  it("writes the server's internal references as documented", () => {
    const none = () => undefined;
    expect(idsToNames("={row__id} + {steps__0__row_id} + {payload__order_no} + {f_1}", none)).toBe(
      "={row.id} + {steps.0.row_id} + {payload.order_no} + {f_1}",
    );
    expect(idsToNames("{{ row['No.'] }}", none)).toBe("{{ row['No.'] }}");
  });

  it("reads filters stored as one bare condition", () => {
    const rule: Rule = {
      ...stored,
      condition: { filter: { field: "f_4", op: "eq", value: "Active" } as unknown as FilterGroup },
      actions: [{ type: "update_rows", params: { table_id: 20, fields: {}, filter: { field: "f_12", op: "eq", value: "={row__id}" } } }],
    };
    const d = draftFromRule(rule, BASE);
    expect(d.filter).toEqual({ and: [{ field: "f_4", op: "eq", value: "Active" }] });
    expect(d.actions[0].params.filter).toEqual({ and: [{ field: "f_12", op: "eq", value: "={row.id}" }] });
  });

  it("switches a rule with internal references on with them written as documented", () => {
    expect(enabledPatch(stored, false)).toEqual({ enabled: false });
    const rule: Rule = { ...stored, actions: [{ type: "add_row", params: { table_id: 20, fields: { f_11: "={row__id}" } } }] };
    expect(enabledPatch(rule, true)).toEqual({
      enabled: true,
      actions: [{ type: "add_row", params: { table_id: 20, fields: { f_11: "={row.id}" } } }],
    });
  });

  it("reads a stored rule into the editor and writes it back", () => {
    const d = draftFromRule(stored, BASE);
    expect(d.conditionMode).toBe("formula");
    expect(d.formula).toBe("{Stock} < {Minimum stock}");
    expect(d.actions[0].params.fields).toEqual({ f_4: "Retired", f_2: "={Minimum stock} * 2" });
    expect(d.actions[0].params.filter).toEqual({ and: [{ field: "f_1", op: "eq", value: "={Name}" }] });
    expect(ruleBody(d)).toEqual({
      name: "Low stock",
      enabled: true,
      trigger: { type: "row_matches", params: { table_id: 10 } },
      condition: { formula: "{Stock} < {Minimum stock}" },
      actions: [
        { type: "update_rows", params: { table_id: 10, fields: { f_4: "Retired", f_2: "={Minimum stock} * 2" }, filter: { and: [{ field: "f_1", op: "eq", value: "={Name}" }] } } },
        { type: "notify", params: { message: "{{ row['Name'] }} is low", to: ["a@example.com"] } },
      ],
    });
  });

  it("sends only the condition parts the chosen mode uses", () => {
    const d = { ...draftFromRule(stored, BASE), filter: { and: [{ field: "f_2", op: "lt" as const, value: 5 }] } };
    expect(ruleBody({ ...d, conditionMode: "always" }).condition).toBeNull();
    expect(ruleBody({ ...d, conditionMode: "filter" }).condition).toEqual({ filter: { and: [{ field: "f_2", op: "lt", value: 5 }] } });
    expect(ruleBody({ ...d, conditionMode: "both" }).condition).toEqual({ filter: d.filter, formula: "{Stock} < {Minimum stock}" });
  });

  it("keeps only the preset of a stored schedule", () => {
    const rule = { ...stored, trigger: { type: "schedule", table_id: null, params: { cron: "30 7 1 * *", preset: "monthly", at: "07:30", day: 1, catch_up: "last" } } };
    expect(draftFromRule(rule, BASE).trigger?.params).toEqual({ preset: "monthly", at: "07:30", day: 1, catch_up: "last" });
  });

  it("drops blank params and incomplete filters", () => {
    expect(cleanParams({ a: "", b: null, c: undefined, d: 0, e: [], f: false, filter: { and: [{ field: "f_1", op: "eq", value: "" }] } })).toEqual({ d: 0, e: [], f: false });
  });

  it("names what is missing before asking the server", () => {
    expect(draftProblem(newDraft())?.path).toBe("name");
    expect(draftProblem({ ...newDraft(), name: "x" })?.path).toBe("trigger");
    const d = { ...newDraft(), name: "x", trigger: { type: "row_created", params: { table_id: 10 } } };
    expect(draftProblem(d)?.path).toBe("actions");
    expect(draftProblem({ ...d, conditionMode: "filter" })?.path).toBe("condition.filter");
    expect(draftProblem({ ...d, conditionMode: "formula", formula: " " })?.path).toBe("condition.formula");
  });

  it("keeps attached steps pointing at the same step when actions move or go", () => {
    const a = (key: number, type: string, attach?: number[]): DraftAction => ({ key, type, params: attach ? { attach_steps: attach } : {} });
    const actions = [a(1, "generate_document"), a(2, "notify"), a(3, "send_email", [0])];
    const moved = moveAction(actions, 0, 1);
    expect(moved.map((x) => x.key)).toEqual([2, 1, 3]);
    expect(moved[2].params.attach_steps).toEqual([1]);
    expect(removeAction(actions, 1)[1].params.attach_steps).toEqual([0]);
    expect(removeAction(actions, 0)[1].params.attach_steps).toEqual([]);
    expect(moveAction(actions, 0, -1)).toBe(actions);
  });

  it("lists a control path for every param", () => {
    const paths = controlPaths(draftFromRule(stored, BASE), TYPES);
    expect(paths).toContain("trigger.params.table_id");
    expect(paths).toContain("actions[0].params.fields");
    expect(paths).toContain("actions[1].params.to_field");
  });

  it("summarizes triggers for the list", () => {
    expect(triggerTableId({ type: "form_submitted", params: { view_id: 201 } }, BASE)).toBe(20);
    expect(triggerSummary(stored.trigger, TYPES.triggers, BASE)).toBe("When a row starts matching the condition · Products");
    expect(scheduleSummary({ preset: "weekly", weekday: "fri", at: "07:00" })).toBe("every Friday at 07:00");
    expect(scheduleSummary({ cron: "0 8 * * 1-5" })).toBe("cron 0 8 * * 1-5");
  });
});
