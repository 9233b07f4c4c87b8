// Reading the params schemas of GET /automations/types: msgspec writes each params struct as
// `{$ref, $defs}`, optional values as `anyOf [..., {type: null}]` and unions of ids and names
// as `anyOf [{integer}, {string}]`. The rule builder only needs each param's name, its plain
// types, whether it may be null, its default and its enum.
import type { JsonSchema, Params } from "./types";

export interface ParamSpec {
  name: string;
  /** Non-null JSON types the value may have, e.g. ["integer", "string"]. */
  types: string[];
  nullable: boolean;
  required: boolean;
  default?: unknown;
  enum?: unknown[];
  /** For arrays: the item's spec (name is "item"). */
  items?: ParamSpec;
  /** For objects with known properties (e.g. copy_links items). */
  properties?: ParamSpec[];
}

/** Follow a local `#/$defs/Name` reference (one level deep is all msgspec emits). */
export function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let i = 0; i < 8 && current.$ref; i++) {
    const m = /^#\/\$defs\/(.+)$/.exec(current.$ref);
    const next = m ? root.$defs?.[m[1]] : undefined;
    if (!next) break;
    current = next;
  }
  return current;
}

function variants(schema: JsonSchema, root: JsonSchema): JsonSchema[] {
  const s = resolveRef(schema, root);
  return s.anyOf ? s.anyOf.flatMap((v) => variants(v, root)) : [s];
}

function typeOf(s: JsonSchema): string {
  if (s.type) return s.type;
  if (s.enum) return typeof s.enum[0] === "number" ? "number" : "string";
  if (s.properties) return "object";
  return "any";
}

/** One param's spec from its schema (anyOf flattened, null split off). */
export function specOf(name: string, schema: JsonSchema, root: JsonSchema, required = false): ParamSpec {
  const all = variants(schema, root);
  const nonNull = all.filter((v) => v.type !== "null");
  const types = [...new Set(nonNull.map(typeOf))];
  const spec: ParamSpec = { name, types, nullable: nonNull.length < all.length, required };
  if ("default" in schema) spec.default = schema.default;
  const withEnum = nonNull.find((v) => v.enum);
  if (withEnum) spec.enum = withEnum.enum;
  const arr = nonNull.find((v) => v.type === "array");
  if (arr?.items) spec.items = specOf("item", arr.items, root);
  const obj = nonNull.map((v) => resolveRef(v, root)).find((v) => v.properties && Object.keys(v.properties).length);
  if (obj) spec.properties = paramSpecs(obj, root);
  return spec;
}

/** The params of a trigger or action type, in the schema's order. */
export function paramSpecs(schema: JsonSchema, root: JsonSchema = schema): ParamSpec[] {
  const s = resolveRef(schema, root);
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([name, prop]) => specOf(name, prop, root, required.has(name)));
}

/** An empty value of a spec's type, for required params that have no default. */
export function emptyValue(spec: ParamSpec): unknown {
  if (spec.enum?.length) return spec.enum[0];
  const t = spec.types[0];
  if (t === "array") return [];
  if (t === "object") return {};
  if (t === "boolean") return false;
  if (t === "integer" || t === "number") return spec.types.includes("string") ? "" : null;
  return "";
}

/**
 * The params a new trigger or action starts with: each param's default when it has a
 * useful one, an empty value for required params; optional params without a default are
 * left out (the server fills them in).
 */
export function defaultParams(schema: JsonSchema): Params {
  const out: Params = {};
  for (const spec of paramSpecs(schema)) {
    if (spec.default !== undefined && spec.default !== null) out[spec.name] = structuredClone(spec.default);
    else if (spec.required) out[spec.name] = emptyValue(spec);
  }
  return out;
}

/** Whether a value is "not given" for the purpose of sending params (dropped from the body). */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}
