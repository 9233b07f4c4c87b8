// Display formatting and text parsing for every field type. Pure functions, unit-tested.
import type { Attachment, CellError, Field, LinkRef, UserRef } from "../api/types";

export const fieldKey = (id: number): string => `f_${id}`;

export function isCellError(v: unknown): v is CellError {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "error" in v;
}

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The URL when it may be opened from a cell (http, https, mailto only), else null. */
export function safeHref(raw: unknown): string | null {
  if (typeof raw !== "string" || !raw.trim()) return null;
  try {
    const url = new URL(raw.trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function precisionOf(field: Field, fallback: number): number {
  const p = field.options?.precision;
  return typeof p === "number" && p >= 0 && p <= 10 ? p : fallback;
}

export function formatNumber(value: number, precision?: number, locale?: string): string {
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: precision ?? 0,
    maximumFractionDigits: precision ?? 10,
  }).format(value);
}

export function formatCurrency(value: string | number, currency = "EUR", precision = 2, locale?: string): string {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return String(value);
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: precision,
      maximumFractionDigits: precision,
    }).format(n);
  } catch {
    return `${formatNumber(n, precision, locale)} ${currency}`;
  }
}

/** Seconds as h:mm (or h:mm:ss when there are seconds). */
export function formatDuration(seconds: number): string {
  const neg = seconds < 0;
  let s = Math.round(Math.abs(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const mm = String(m).padStart(2, "0");
  const out = s ? `${h}:${mm}:${String(s).padStart(2, "0")}` : `${h}:${mm}`;
  return neg ? `-${out}` : out;
}

/** "2026-11-26" as a readable date, without time zone shifts. */
export function formatDate(value: string, locale?: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(d);
}

export function formatDateTime(value: string, timeZone?: string, locale?: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  try {
    return new Intl.DateTimeFormat(locale, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
      timeZone: timeZone || undefined,
    }).format(d);
  } catch {
    return d.toLocaleString(locale);
  }
}

export function formatRelative(iso: string, now: number = Date.now()): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const sec = Math.round((now - t) / 1000);
  if (sec < 45) return "just now";
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 30) return `${d} d ago`;
  return formatDate(new Date(t).toISOString().slice(0, 10));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function refName(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v !== "object") return String(v);
  const o = v as Partial<UserRef & LinkRef & Attachment>;
  return String(o.name || o.email || o.id || "");
}

const COMPUTED = new Set(["formula", "rollup", "lookup", "count"]);

/**
 * For a computed field whose result has a type (`result_type`, or a lookup's `target_type`),
 * the field to display its values as; null when there is none.
 */
export function resultField(field: Field): Field | null {
  if (!COMPUTED.has(field.type)) return null;
  const rt = (field.options?.result_type ?? field.options?.target_type) as Field["type"] | undefined;
  if (!rt || rt === field.type || COMPUTED.has(rt)) return null;
  return { ...field, type: rt, read_only: true };
}

/** A cell as one line of plain text (grid display, copy, cards). Never HTML. */
export function formatCell(field: Field, value: unknown, locale?: string): string {
  const inner = isCellError(value) ? null : resultField(field);
  if (inner) {
    if (field.type === "lookup" && Array.isArray(value)) {
      return value.map((v) => formatCell(inner, v, locale)).filter(Boolean).join(", ");
    }
    return formatCell(inner, value, locale);
  }
  if (value === null || value === undefined || value === "") {
    return field.type === "button" ? field.options?.label ?? "" : "";
  }
  if (isCellError(value)) return value.error;
  const opts = field.options ?? {};
  switch (field.type) {
    case "number": {
      const n = Number(value);
      return Number.isFinite(n) ? formatNumber(n, precisionOf(field, 0), locale) : String(value);
    }
    case "currency":
      return formatCurrency(value as string, opts.currency || "EUR", precisionOf(field, 2), locale);
    case "percent": {
      const n = Number(value);
      return Number.isFinite(n) ? `${formatNumber(n * 100, precisionOf(field, 0), locale)}%` : String(value);
    }
    case "rating": {
      const n = Math.max(0, Math.min(Number(value) || 0, opts.max || 5));
      return "★".repeat(n);
    }
    case "duration":
      return formatDuration(Number(value));
    case "checkbox":
      return value ? "✓" : "";
    case "date":
      return formatDate(String(value), locale);
    case "datetime":
    case "created_time":
    case "modified_time":
      return formatDateTime(String(value), opts.time_zone, locale);
    case "button":
      return opts.label || "";
    default:
      if (Array.isArray(value)) return value.map(refName).filter(Boolean).join(", ");
      if (typeof value === "object") return refName(value);
      if (typeof value === "boolean") return value ? "✓" : "";
      return String(value);
  }
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (error: string): Parsed => ({ ok: false, error });

/** "1.234,5", "1,234.5", "1 234" and "12,5" as numbers. */
export function parseNumber(text: string): number | null {
  let s = text.replace(/[\s\u00a0']/g, "").replace(/[^\d.,-]/g, "");
  if (!s) return null;
  const lastComma = s.lastIndexOf(",");
  const lastDot = s.lastIndexOf(".");
  if (lastComma >= 0 && lastDot >= 0) {
    s = lastComma > lastDot ? s.replace(/\./g, "").replace(",", ".") : s.replace(/,/g, "");
  } else if (lastComma >= 0) {
    // One comma before exactly three digits reads as thousands ("1,234"), else as decimals.
    const many = (s.match(/,/g) ?? []).length > 1;
    s = many || /^-?[1-9]\d{0,2},\d{3}$/.test(s) ? s.replace(/,/g, "") : s.replace(",", ".");
  }
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** "1:30" → 5400, "1:30:15" → 5415, "90" → 5400 (minutes), "1h 30m", "45s". */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (!s) return null;
  const colon = /^(-?)(\d+):(\d{1,2})(?::(\d{1,2}))?$/.exec(s);
  if (colon) {
    const v = Number(colon[2]) * 3600 + Number(colon[3]) * 60 + Number(colon[4] ?? 0);
    return colon[1] ? -v : v;
  }
  const units = /^(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?$/.exec(s);
  if (units && (units[1] || units[2] || units[3])) {
    return Math.round(Number(units[1] ?? 0) * 3600 + Number(units[2] ?? 0) * 60 + Number(units[3] ?? 0));
  }
  const n = Number(s);
  return Number.isFinite(n) ? Math.round(n * 60) : null;
}

export function parseDate(text: string): string | null {
  const s = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(s);
  if (iso) return `${iso[1]}-${iso[2].padStart(2, "0")}-${iso[3].padStart(2, "0")}`;
  const dmy = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(s);
  if (dmy) return `${dmy[3]}-${dmy[2].padStart(2, "0")}-${dmy[1].padStart(2, "0")}`;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return null;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** An ISO timestamp with the browser's offset, e.g. "2026-11-26T09:30:00+01:00". */
export function toIsoWithOffset(d: Date): string {
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:` +
    `${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(off / 60)}:${pad(off % 60)}`
  );
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TRUE = new Set(["true", "yes", "y", "1", "x", "✓", "on", "checked"]);

/** Text typed or pasted into a cell, as the value the API expects. Empty text clears. */
export function parseInput(field: Field, text: string): Parsed {
  const s = text.trim();
  const opts = field.options ?? {};
  if (field.type === "checkbox") return ok(TRUE.has(s.toLowerCase()));
  if (field.type === "multiple_select" && !s) return ok([]);
  if (!s) return ok(null);
  switch (field.type) {
    case "text":
    case "long_text":
    case "phone":
      return ok(field.type === "long_text" ? text : s);
    case "email":
      return EMAIL.test(s) ? ok(s) : fail("Not a valid e-mail address");
    case "url": {
      const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `https://${s}`;
      return safeHref(withScheme) ? ok(withScheme) : fail("Only http, https and mailto links are allowed");
    }
    case "number": {
      const n = parseNumber(s);
      return n === null ? fail("Not a number") : ok(n);
    }
    case "currency": {
      const n = parseNumber(s);
      return n === null ? fail("Not an amount") : ok(n.toFixed(precisionOf(field, 2)));
    }
    case "percent": {
      const n = parseNumber(s.replace("%", ""));
      return n === null ? fail("Not a percentage") : ok(Number((n / 100).toPrecision(12)));
    }
    case "rating": {
      const n = s.includes("★") ? [...s].filter((c) => c === "★").length : parseNumber(s);
      if (n === null || !Number.isInteger(n) || n < 0 || n > (opts.max || 5)) {
        return fail(`A whole number from 0 to ${opts.max || 5}`);
      }
      return ok(n);
    }
    case "duration": {
      const n = parseDuration(s);
      return n === null ? fail("Use h:mm, e.g. 1:30") : ok(n);
    }
    case "date": {
      const d = parseDate(s);
      return d ? ok(d) : fail("Not a date (YYYY-MM-DD)");
    }
    case "datetime": {
      const d = new Date(s);
      return Number.isNaN(d.getTime()) ? fail("Not a date and time") : ok(toIsoWithOffset(d));
    }
    case "single_select": {
      const choice = (opts.choices ?? []).find((c) => c.name.toLowerCase() === s.toLowerCase());
      return choice ? ok(choice.name) : fail(`"${s}" is not one of the options`);
    }
    case "multiple_select": {
      const names = s.split(",").map((x) => x.trim()).filter(Boolean);
      const out: string[] = [];
      for (const n of names) {
        const choice = (opts.choices ?? []).find((c) => c.name.toLowerCase() === n.toLowerCase());
        if (!choice) return fail(`"${n}" is not one of the options`);
        if (!out.includes(choice.name)) out.push(choice.name);
      }
      return ok(out);
    }
    default:
      return fail("This field cannot be typed into");
  }
}
