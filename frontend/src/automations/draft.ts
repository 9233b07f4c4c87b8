// The rule being edited. Rules come from the server with ids (`f_26`, table 3); the editor
// keeps those for pickers but shows formulas with field names, because `{Stock} <
// {Minimum stock}` is what a person reads and writes (the server resolves names on save).
import type { BaseSchema, Field, FilterGroup, FilterNode, Id } from "../api/types";
import { cleanFilter, groupItems, groupKind, isGroup, makeGroup, normalizeFilter } from "../views/filter";
import type { RuleError } from "./errors";
import { defaultParams, isBlank, paramSpecs } from "./schema";
import type { AutomationType, Params, Rule, RuleAction, RuleBody } from "./types";

export type ConditionMode = "always" | "filter" | "formula" | "both";

export interface DraftAction {
  /** A stable React key; actions move around. */
  key: number;
  type: string;
  params: Params;
}

export interface Draft {
  name: string;
  enabled: boolean;
  trigger: { type: string; params: Params } | null;
  conditionMode: ConditionMode;
  filter: FilterGroup | null;
  formula: string;
  actions: DraftAction[];
}

let nextKey = 1;
export const actionKey = (): number => nextKey++;

/**
 * A stored formula as a person writes it: `{f_12}` by field name, and the server's internal
 * names of special references (`{row__id}`, `{steps__0__row_id}`, `{payload__no}`) in their
 * documented form (`{row.id}`, `{steps.0.row_id}`, `{payload.no}`). Unknown ids stay.
 */
export function idsToNames(formula: string, fieldName: (id: number) => string | undefined): string {
  return formula.replace(/\{([^{}]+)\}/g, (whole, ref: string) => {
    const field = /^f_(\d+)$/.exec(ref);
    if (field) {
      const name = fieldName(Number(field[1]));
      return name && !/[{}]/.test(name) ? `{${name}}` : whole;
    }
    if (ref === "row__id") return "{row.id}";
    const step = /^steps__(\d+)__(\w+)$/.exec(ref);
    if (step) return `{steps.${step[1]}.${step[2]}}`;
    const payload = /^payload__(\w+)$/.exec(ref);
    if (payload) return `{payload.${payload[1]}}`;
    return whole;
  });
}

/** Filters may be stored as one bare condition; the filter builder edits groups. */
export function asGroup(node: FilterNode | null | undefined): FilterGroup | null {
  if (!node) return null;
  return isGroup(node) ? node : { and: [node] };
}

export function fieldNamer(schema: BaseSchema): (id: number) => string | undefined {
  const byId = new Map<number, Field>();
  schema.tables.forEach((t) => t.fields.forEach((f) => byId.set(f.id, f)));
  return (id) => byId.get(id)?.name;
}

const asFormula = (v: unknown, name: (id: number) => string | undefined): unknown =>
  typeof v === "string" && v.startsWith("=") ? idsToNames(v, name) : v;

function filterNames(node: FilterNode, name: (id: number) => string | undefined): FilterNode {
  if (isGroup(node)) return makeGroup(groupKind(node), groupItems(node).map((n) => filterNames(n, name)));
  return { ...node, value: asFormula(node.value, name) };
}

function mapNames(map: unknown, name: (id: number) => string | undefined): unknown {
  if (!map || typeof map !== "object" || Array.isArray(map)) return map;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, asFormula(v, name)]));
}

/** An action's params as the editor shows them (formulas by field name). */
export function paramsForEditing(params: Params, name: (id: number) => string | undefined): Params {
  const out: Params = structuredClone(params ?? {});
  if ("fields" in out) out.fields = mapNames(out.fields, name);
  if (out.filter && typeof out.filter === "object") out.filter = filterNames(asGroup(normalizeFilter(out.filter as FilterNode))!, name);
  if (typeof out.by === "string") out.by = idsToNames(out.by, name);
  if (Array.isArray(out.copy_links)) {
    out.copy_links = out.copy_links.map((c: Params) => ({ ...c, fields: mapNames(c.fields, name) }));
  }
  return out;
}

export function newDraft(): Draft {
  return { name: "", enabled: true, trigger: null, conditionMode: "always", filter: null, formula: "", actions: [] };
}

export function draftFromRule(rule: Rule, schema: BaseSchema): Draft {
  const name = fieldNamer(schema);
  const stored = asGroup(rule.condition?.filter ? normalizeFilter(rule.condition.filter as FilterNode) : null);
  const filter = stored && (filterNames(stored, name) as FilterGroup);
  const formula = rule.condition?.formula ? idsToNames(rule.condition.formula, name) : "";
  const conditionMode: ConditionMode = filter && formula ? "both" : filter ? "filter" : formula ? "formula" : "always";
  const params: Params = { ...(rule.trigger.params ?? {}) };
  // A preset is stored with the cron it stands for; editing keeps only the preset, so a
  // changed time does not contradict a stale cron.
  if (params.preset) delete params.cron;
  return {
    name: rule.name,
    enabled: rule.enabled,
    trigger: { type: rule.trigger.type, params },
    conditionMode,
    filter,
    formula,
    actions: rule.actions.map((a) => ({ key: actionKey(), type: a.type, params: paramsForEditing(a.params, name) })),
  };
}

/** Params without blank values: the server fills in defaults and names missing ones. */
export function cleanParams(params: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    if (isBlank(v)) continue;
    if (k === "filter" && v && typeof v === "object" && !Array.isArray(v)) {
      const f = cleanFilter(v as FilterGroup);
      if (f) out[k] = f;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** The request body for a draft. */
export function ruleBody(d: Draft): RuleBody {
  const filter = d.conditionMode === "filter" || d.conditionMode === "both" ? cleanFilter(d.filter) : null;
  const formula = d.conditionMode === "formula" || d.conditionMode === "both" ? d.formula.trim() : "";
  const condition = filter || formula ? { ...(filter ? { filter } : {}), ...(formula ? { formula } : {}) } : null;
  const actions: RuleAction[] = d.actions.map((a) => ({ type: a.type, params: cleanParams(a.params) }));
  return {
    name: d.name.trim(),
    enabled: d.enabled,
    trigger: { type: d.trigger?.type ?? "", params: cleanParams(d.trigger?.params ?? {}) },
    condition,
    actions,
  };
}

/** Problems the editor can name before asking the server (the server checks the rest). */
export function draftProblem(d: Draft): RuleError | null {
  const at = (path: string, message: string): RuleError => ({ path, message, code: "INCOMPLETE" });
  if (!d.name.trim()) return at("name", "Give the automation a name.");
  if (!d.trigger) return at("trigger", "Choose what starts the automation.");
  if ((d.conditionMode === "filter" || d.conditionMode === "both") && !cleanFilter(d.filter)) {
    return at("condition.filter", "Add a complete condition, or choose “Always”.");
  }
  if ((d.conditionMode === "formula" || d.conditionMode === "both") && !d.formula.trim()) {
    return at("condition.formula", "Write a formula, or choose “Always”.");
  }
  if (!d.actions.length) return at("actions", "Add at least one action.");
  return null;
}

/** The table a trigger works on: its `table_id` param, or a form view's table. */
export function triggerTableId(trigger: Draft["trigger"] | Rule["trigger"] | null, schema: BaseSchema): Id | undefined {
  if (!trigger) return undefined;
  const p = trigger.params ?? {};
  const ref = p.table_id ?? ("table_id" in trigger ? trigger.table_id : undefined);
  if (ref !== undefined && ref !== null && ref !== "") {
    return schema.tables.find((t) => t.id === Number(ref) || t.name === ref)?.id;
  }
  if (p.view_id !== undefined) return schema.tables.find((t) => t.views.some((v) => v.id === Number(p.view_id)))?.id;
  return undefined;
}

const WEEKDAYS: Record<string, string> = { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday", sun: "Sunday" };

/** A schedule in words: "daily at 08:00", "every Monday at 07:30", "cron 0 8 * * 1-5". */
export function scheduleSummary(p: Params): string {
  const at = String(p.at ?? "08:00");
  switch (p.preset) {
    case "hourly": return `hourly at minute ${at.split(":")[1] ?? "00"}`;
    case "daily": return `daily at ${at}`;
    case "weekly": return `every ${WEEKDAYS[String(p.weekday ?? "mon")] ?? p.weekday} at ${at}`;
    case "monthly": return `monthly on day ${p.day ?? 1} at ${at}`;
    default: return p.cron ? `cron ${p.cron}` : "no schedule yet";
  }
}

/** One line saying what starts a rule, for the list. */
export function triggerSummary(trigger: Rule["trigger"], types: AutomationType[] | undefined, schema: BaseSchema): string {
  const label = types?.find((t) => t.type === trigger.type)?.label ?? trigger.type;
  const table = schema.tables.find((t) => t.id === triggerTableId(trigger, schema));
  const parts = [label];
  if (table) parts.push(table.name);
  if ("cron" in (trigger.params ?? {}) || "preset" in (trigger.params ?? {})) parts.push(scheduleSummary(trigger.params));
  if (trigger.type === "date_relative") parts.push(String(trigger.params.offset ?? ""));
  return parts.filter(Boolean).join(" · ");
}

/** Step numbers in attach_steps follow their steps when actions move or go away. */
function remapSteps(actions: DraftAction[], mapIndex: (old: number) => number | null): DraftAction[] {
  return actions.map((a) => {
    if (!Array.isArray(a.params.attach_steps)) return a;
    const steps = (a.params.attach_steps as number[]).map(mapIndex).filter((i): i is number => i !== null);
    return { ...a, params: { ...a.params, attach_steps: steps } };
  });
}

/** Move the action at `from` to `to`, keeping attach_steps pointing at the same steps. */
export function moveAction(actions: DraftAction[], from: number, to: number): DraftAction[] {
  if (to < 0 || to >= actions.length || from === to) return actions;
  const order = actions.map((_, i) => i);
  const [moved] = order.splice(from, 1);
  order.splice(to, 0, moved);
  const next = order.map((i) => actions[i]);
  return remapSteps(next, (old) => order.indexOf(old));
}

/** Remove an action; references to it in attach_steps go too. */
export function removeAction(actions: DraftAction[], index: number): DraftAction[] {
  const rest = actions.filter((_, i) => i !== index);
  return remapSteps(rest, (old) => (old === index ? null : old > index ? old - 1 : old));
}

/** Every path the editor has a control for (errors.ts maps a server path to one of them). */
export function controlPaths(d: Draft, types: { triggers: AutomationType[]; actions: AutomationType[] }): string[] {
  const paths = ["name", "trigger", "trigger.type", "trigger.params", "condition", "condition.filter", "condition.formula", "actions"];
  const trigger = d.trigger && types.triggers.find((t) => t.type === d.trigger?.type);
  if (trigger) paramSpecs(trigger.params).forEach((s) => paths.push(`trigger.params.${s.name}`));
  d.actions.forEach((a, i) => {
    paths.push(`actions[${i}]`, `actions[${i}].params`);
    const info = types.actions.find((t) => t.type === a.type);
    if (info) paramSpecs(info.params).forEach((s) => paths.push(`actions[${i}].params.${s.name}`));
  });
  return paths;
}

/** What a newly chosen trigger or action starts with. */
const INITIAL: Record<string, Params> = {
  schedule: { preset: "daily", at: "08:00" },
  schedule_matching_rows: { preset: "daily", at: "08:00" },
  date_relative: { offset: "+1d" },
};

export function initialParams(info: AutomationType): Params {
  return { ...defaultParams(info.params), ...(INITIAL[info.type] ?? {}) };
}

function withDocumentedRefs(value: unknown): unknown {
  if (typeof value === "string") return value.includes("__") ? idsToNames(value, () => undefined) : value;
  if (Array.isArray(value)) return value.map(withDocumentedRefs);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDocumentedRefs(v)]));
  }
  return value;
}

/**
 * The PATCH that switches a rule on or off. The server checks the whole stored rule again,
 * and it refuses its own stored form of special references (`{row__id}`); such parts are
 * sent back written as documented (`{row.id}`) so the switch works for every rule.
 */
export function enabledPatch(rule: Rule, enabled: boolean): Partial<RuleBody> {
  const patch: Partial<RuleBody> = { enabled };
  const actions = withDocumentedRefs(rule.actions) as RuleAction[];
  if (JSON.stringify(actions) !== JSON.stringify(rule.actions)) patch.actions = actions;
  const condition = withDocumentedRefs(rule.condition) as Rule["condition"];
  if (JSON.stringify(condition) !== JSON.stringify(rule.condition)) patch.condition = condition;
  return patch;
}
