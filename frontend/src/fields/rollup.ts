// Lookup and rollup settings: which summaries fit the chosen field, in words people use.
import type { Field, FieldOptions } from "../api/types";

export type Aggregate = "sum" | "count" | "min" | "max" | "average" | "concatenate" | "unique";

const NUMERIC = new Set(["number", "currency", "percent", "rating", "duration", "count"]);
const DATES = new Set(["date", "datetime"]);

/** What a field holds for summing: a formula's or rollup's result type, else its own type. */
export function valueKind(field: Field): string {
  if (field.type === "formula" || field.type === "rollup") return String(field.options?.result_type ?? field.type);
  return field.type;
}

/** The summaries the server accepts for ``target`` (all of them before one is chosen). */
export function aggregatesFor(target: Field | undefined): Aggregate[] {
  const kind = target ? valueKind(target) : "number";
  if (NUMERIC.has(kind)) return ["sum", "average", "min", "max", "count", "concatenate", "unique"];
  if (DATES.has(kind)) return ["min", "max", "count", "concatenate", "unique"];
  return ["count", "concatenate", "unique"];
}

export function aggregateLabel(aggregate: string, target: Field | undefined): string {
  const dates = !!target && DATES.has(valueKind(target));
  switch (aggregate) {
    case "sum": return "Sum";
    case "average": return "Average";
    case "min": return dates ? "Earliest" : "Smallest";
    case "max": return dates ? "Latest" : "Largest";
    case "count": return "Count of values";
    case "concatenate": return "All values, comma-separated";
    case "unique": return "Distinct values";
    default: return aggregate;
  }
}

/** Another link field: the field picked in the previously linked table no longer applies. */
export function withLinkField(options: FieldOptions, linkId: number | undefined): FieldOptions {
  return { ...options, link_field: linkId, target_field: undefined };
}

/** A rollup's field changed: keep the summary when it still fits, else take the first that does. */
export function withTargetField(options: FieldOptions, target: Field | undefined, rollup: boolean): FieldOptions {
  const next: FieldOptions = { ...options, target_field: target?.id };
  if (!rollup) return next;
  const allowed = aggregatesFor(target);
  if (!allowed.includes(String(options.aggregate ?? "sum") as Aggregate)) next.aggregate = allowed[0];
  return next;
}
