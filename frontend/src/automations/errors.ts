// Server validation errors on the control they are about. A refused rule answers 422 with a
// message that starts with where the problem is (`actions[1].params.fields.Qty: unknown
// field`), mostly also in `details.where`; the editor shows it at the closest control.
import { ApiError } from "../api/client";

export interface RuleError {
  /** Where the server says the problem is, e.g. `actions[1].params.to`; "" for the rule. */
  path: string;
  /** The message without its leading path. */
  message: string;
  code: string;
}

const LEADING_PATH = /^((?:name|trigger|condition|actions)(?:\[\d+\])?(?:\.[^:.[\]]+|\[\d+\])*):\s*/;

/** Params a code is about when the server only names the params object. */
const CODE_PARAM: Record<string, string> = {
  UNKNOWN_DOCUMENT: "document_id",
  DOCUMENT_TABLE_MISMATCH: "document_id",
  INVALID_FIELD: "field",
  INVALID_CRON: "cron",
  INVALID_TIMEZONE: "timezone",
};

/** The place and message of a rule validation error; null for other errors. */
export function ruleError(err: unknown): RuleError | null {
  if (!(err instanceof ApiError) || err.status !== 422) return null;
  const where = typeof err.details?.where === "string" ? err.details.where : "";
  let path = where;
  let message = err.message;
  if (where && message.startsWith(`${where}: `)) {
    message = message.slice(where.length + 2);
  } else {
    // The message's leading path is at least as precise as `where` ("actions[0].params").
    const m = LEADING_PATH.exec(message);
    if (m && m[1].startsWith(where)) {
      path = m[1];
      message = message.slice(m[0].length);
    }
  }
  // msgspec's messages name the key: "Object missing required field `x`", "... - at `p.x`".
  const at = /- at `([^`]+)`/.exec(message);
  if (at && at[1].startsWith(path)) path = at[1];
  const missing = /missing required field `([^`]+)`/.exec(message);
  if (missing && /\.params$/.test(path)) path = `${path}.${missing[1]}`;
  path = path.replace(/^trigger\.table_id$/, "trigger.params.table_id");
  const param = CODE_PARAM[err.code];
  if (param && /\.params$/.test(path)) path = `${path}.${param}`;
  return { path, message: message.charAt(0).toUpperCase() + message.slice(1), code: err.code };
}

/**
 * The control that shows an error at `path`: the longest of `controls` that is the path
 * itself or one of its parents (`actions[1].params.fields.Qty` → `actions[1].params.fields`).
 * null when no control fits (the editor shows it above the form).
 */
export function errorTarget(path: string, controls: string[]): string | null {
  let best: string | null = null;
  for (const c of controls) {
    const fits = path === c || path.startsWith(`${c}.`) || path.startsWith(`${c}[`);
    if (fits && (best === null || c.length > best.length)) best = c;
  }
  return best;
}

/** A DOM id for the control at a path (for labels, focus and scrolling). */
export function pathId(path: string): string {
  return `rule-${path.replace(/[[\].]+/g, "-").replace(/-$/, "")}`;
}
