/** The 6×7 days shown for a month, weeks starting on Monday, as "YYYY-MM-DD". */
export function monthDays(year: number, month: number): string[] {
  const first = new Date(Date.UTC(year, month, 1));
  const offset = (first.getUTCDay() + 6) % 7;
  const start = Date.UTC(year, month, 1 - offset);
  return Array.from({ length: 42 }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

/** The calendar day of a date or datetime cell, in the browser's time zone. */
export function cellDay(value: unknown): string | null {
  if (typeof value !== "string" || !value) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** Move a date or datetime value to another day, keeping the time of day. */
export function moveToDay(value: unknown, day: string, isDateTime: boolean, toIso: (d: Date) => string): string {
  if (!isDateTime) return day;
  const old = typeof value === "string" ? new Date(value) : new Date(NaN);
  const [y, m, d] = day.split("-").map(Number);
  const next = Number.isNaN(old.getTime()) ? new Date(y, m - 1, d, 9, 0) : new Date(old);
  next.setFullYear(y, m - 1, d);
  return toIso(next);
}
