// Filter trees (API.md): building blocks for the builder and a client-side matcher used for
// row colours (the server filters rows; colours are evaluated on the loaded rows).
import type { Field, FilterCondition, FilterGroup, FilterNode, FilterOp, ViewConfig } from "../api/types";
import { isCellError } from "../fields/format";

export const isGroup = (n: FilterNode): n is FilterGroup => "and" in n || "or" in n;
export const groupKind = (g: FilterGroup): "and" | "or" => ("and" in g ? "and" : "or");
export const groupItems = (g: FilterGroup): FilterNode[] => ("and" in g ? g.and : g.or);
export const makeGroup = (kind: "and" | "or", items: FilterNode[]): FilterGroup =>
  kind === "and" ? { and: items } : { or: items };

/** Count of conditions in a tree (for the toolbar badge). */
export function countConditions(node: FilterNode | null | undefined): number {
  if (!node) return 0;
  return isGroup(node) ? groupItems(node).reduce((n, c) => n + countConditions(c), 0) : 1;
}

/** A filter as a group: the API also accepts (and templates store) a single condition. */
export function asGroup(node: FilterNode | null | undefined): FilterGroup | null {
  if (!node) return null;
  return isGroup(node) ? node : { and: [node] };
}

/** Drop empty groups and conditions whose value is missing, so the API gets a valid tree. */
export function cleanFilter(node: FilterGroup | FilterNode | null | undefined): FilterGroup | null {
  const group = asGroup(node);
  if (!group) return null;
  const items: FilterNode[] = [];
  for (const item of groupItems(group)) {
    if (isGroup(item)) {
      const sub = cleanFilter(item);
      if (sub) items.push(sub);
    } else if (isComplete(item)) {
      items.push(item);
    }
  }
  return items.length ? makeGroup(groupKind(group), items) : null;
}

export function isComplete(c: FilterCondition): boolean {
  if (!c.field || !c.op) return false;
  if (c.op === "is_empty" || c.op === "is_not_empty") return true;
  if (Array.isArray(c.value)) return c.value.length > 0;
  return c.value !== undefined && c.value !== null && c.value !== "";
}

function isEmptyValue(v: unknown): boolean {
  return v === null || v === undefined || v === "" || v === false || (Array.isArray(v) && v.length === 0);
}

function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(asText).join(", ");
  if (typeof v === "object") {
    const o = v as { name?: string; email?: string };
    return o.name ?? o.email ?? "";
  }
  return String(v);
}

function asNumber(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

const DAY = 86_400_000;
function localDay(d: Date): number {
  return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
}
function dayOf(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : localDay(d);
}

/** Whether a day (UTC ms of a calendar day) falls in a `within` preset. */
export function withinRange(day: number, preset: string, now: Date = new Date()): boolean {
  const today = localDay(now);
  const m = /^(past|next)_(\d+)_days$/.exec(preset);
  if (m) {
    const n = Number(m[2]);
    return m[1] === "past" ? day <= today && day > today - n * DAY : day >= today && day < today + n * DAY;
  }
  switch (preset) {
    case "today": return day === today;
    case "yesterday": return day === today - DAY;
    case "tomorrow": return day === today + DAY;
    case "this_month": {
      const d = new Date(day);
      return d.getUTCFullYear() === now.getFullYear() && d.getUTCMonth() === now.getMonth();
    }
    default: return false;
  }
}

function matchCondition(c: FilterCondition, cells: Record<string, unknown>, field: Field | undefined): boolean {
  const raw = cells[c.field];
  const v = isCellError(raw) ? null : raw;
  const op: FilterOp = c.op;
  if (op === "is_empty") return isEmptyValue(v);
  if (op === "is_not_empty") return !isEmptyValue(v);
  const target = c.value;
  const isDate = field && ["date", "datetime", "created_time", "modified_time"].includes(field.type);
  switch (op) {
    case "eq":
    case "neq": {
      let same: boolean;
      if (typeof target === "boolean") same = Boolean(v) === target;
      else if (asNumber(v) !== null && asNumber(target) !== null) same = asNumber(v) === asNumber(target);
      else same = asText(v).toLowerCase() === asText(target).toLowerCase();
      return op === "eq" ? same : !same;
    }
    case "lt": case "lte": case "gt": case "gte": {
      const a = asNumber(v);
      const b = asNumber(target);
      if (a === null || b === null) return false;
      return op === "lt" ? a < b : op === "lte" ? a <= b : op === "gt" ? a > b : a >= b;
    }
    case "contains": return asText(v).toLowerCase().includes(asText(target).toLowerCase());
    case "not_contains": return !asText(v).toLowerCase().includes(asText(target).toLowerCase());
    case "starts_with": return asText(v).toLowerCase().startsWith(asText(target).toLowerCase());
    case "in": return Array.isArray(target) && target.map(String).includes(asText(v));
    case "has_any":
    case "has_all": {
      const have = (Array.isArray(v) ? v : v ? [v] : []).map(asText);
      const want = (Array.isArray(target) ? target : [target]).map(asText);
      return op === "has_any" ? want.some((w) => have.includes(w)) : want.every((w) => have.includes(w));
    }
    case "before": case "after": case "on": {
      if (!isDate) return false;
      const a = dayOf(v);
      const b = dayOf(target);
      if (a === null || b === null) return false;
      return op === "before" ? a < b : op === "after" ? a > b : a === b;
    }
    case "within": {
      const a = dayOf(v);
      return a !== null && withinRange(a, String(target));
    }
    default:
      return false;
  }
}

/** Evaluate a filter tree against a row's cells (keyed `f_<id>`). */
export function matchFilter(
  node: FilterNode | null | undefined,
  cells: Record<string, unknown>,
  fieldsByKey: Map<string, Field>,
): boolean {
  if (!node) return true;
  if (isGroup(node)) {
    const items = groupItems(node);
    if (!items.length) return true;
    return groupKind(node) === "and"
      ? items.every((n) => matchFilter(n, cells, fieldsByKey))
      : items.some((n) => matchFilter(n, cells, fieldsByKey));
  }
  return matchCondition(node, cells, fieldsByKey.get(node.field));
}

/** A field reference as the UI keeps it: `f_<id>` (the server stores plain ids). */
export function keyRef(ref: unknown): string {
  if (typeof ref === "number" || (typeof ref === "string" && /^\d+$/.test(ref))) return `f_${ref}`;
  return String(ref ?? "");
}

export function normalizeFilter<T extends FilterNode | null | undefined>(node: T): T {
  if (!node) return node;
  if (isGroup(node)) return makeGroup(groupKind(node), groupItems(node).map((n) => normalizeFilter(n))) as T;
  return { ...node, field: keyRef(node.field) } as T;
}

/** A view config from the server with every field reference in the UI's `f_<id>` form. */
export function normalizeViewConfig(config: ViewConfig | null | undefined): ViewConfig {
  const c: ViewConfig = { ...(config ?? {}) };
  if (c.filter) c.filter = asGroup(normalizeFilter(c.filter as FilterNode));
  if (c.sort) c.sort = c.sort.map((s) => ({ ...s, field: keyRef(s.field) }));
  if (c.group_by) c.group_by = c.group_by.map((s) => ({ ...s, field: keyRef(s.field) }));
  if (c.row_colors) c.row_colors = c.row_colors.map((r) => ({ ...r, filter: asGroup(normalizeFilter(r.filter as FilterNode)) ?? { and: [] } }));
  return c;
}
