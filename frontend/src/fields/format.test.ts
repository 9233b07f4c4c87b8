import { describe, expect, it } from "vitest";
import type { Field, FieldType, FieldOptions } from "../api/types";
import {
  formatCell, formatDuration, parseDate, parseDuration, parseInput, parseNumber, safeHref,
} from "./format";

const f = (type: FieldType, options: FieldOptions | null = null): Field => ({ id: 1, name: "F", type, options });

describe("formatCell", () => {
  it.each<[FieldType, FieldOptions | null, unknown, string]>([
    ["text", null, "hello", "hello"],
    ["number", { precision: 2 }, 1234.5, "1,234.50"],
    ["number", null, 7, "7"],
    ["currency", { currency: "EUR", precision: 2 }, "12.50", "€12.50"],
    ["currency", { currency: "USD", precision: 0 }, "1200", "$1,200"],
    ["percent", { precision: 0 }, 0.5, "50%"],
    ["percent", { precision: 1 }, 0.125, "12.5%"],
    ["rating", { max: 5 }, 3, "★★★"],
    ["duration", null, 5400, "1:30"],
    ["checkbox", null, true, "✓"],
    ["checkbox", null, false, ""],
    ["date", null, "2026-11-26", "Nov 26, 2026"],
    ["single_select", null, "Paid", "Paid"],
    ["multiple_select", null, ["A", "B"], "A, B"],
    ["link", null, [{ id: 1, name: "Acme" }, { id: 2, name: "Bolt" }], "Acme, Bolt"],
    ["collaborator", null, [{ id: 1, email: "a@b.c", name: "Ann" }], "Ann"],
    ["created_by", null, { id: 1, email: "a@b.c", name: "" }, "a@b.c"],
    ["attachment", null, [{ id: 1, name: "x.pdf", size: 1, mime_type: "", url: "" }], "x.pdf"],
    ["auto_number", null, "ORD-2026-0001", "ORD-2026-0001"],
    ["formula", null, { error: "#DIV/0!", message: "Division by zero" }, "#DIV/0!"],
    ["lookup", null, ["a@x.org"], "a@x.org"],
    ["lookup", { target_type: "currency", currency: "EUR", precision: 2 }, ["1.5", "2"], "€1.50, €2.00"],
    ["formula", { result_type: "currency", currency: "EUR", precision: 2 }, "670.5", "€670.50"],
    ["rollup", { result_type: "number", precision: 1 }, 3, "3.0"],
    ["formula", { result_type: "date" }, "2026-11-26", "Nov 26, 2026"],
    ["button", { label: "Send" }, null, "Send"],
    ["text", null, null, ""],
  ])("%s %j shows %j as %j", (type, options, value, expected) => {
    expect(formatCell(f(type, options), value, "en-US")).toBe(expected);
  });

  it("keeps markup as plain text", () => {
    expect(formatCell(f("text"), "<img src=x onerror=alert(1)>")).toBe("<img src=x onerror=alert(1)>");
  });

  it("formats a datetime in the field's time zone", () => {
    const s = formatCell(f("datetime", { time_zone: "UTC" }), "2026-11-26T09:30:00+01:00", "en-US");
    expect(s).toContain("Nov 26, 2026");
    expect(s).toContain("08:30");
  });
});

describe("parsers", () => {
  it.each([
    ["1,234.5", 1234.5], ["1.234,5", 1234.5], ["12,5", 12.5], ["1 000", 1000], ["€ 12.30", 12.3],
    ["-3", -3], ["abc", null], ["1,234", 1234],
  ])("parseNumber(%j) = %j", (text, expected) => expect(parseNumber(text)).toBe(expected));

  it.each([
    ["1:30", 5400], ["0:45:10", 2710], ["90", 5400], ["1h 30m", 5400], ["45s", 45], ["x", null],
  ])("parseDuration(%j) = %j", (text, expected) => expect(parseDuration(text)).toBe(expected));

  it("formats durations with seconds only when needed", () => {
    expect(formatDuration(2710)).toBe("0:45:10");
    expect(formatDuration(60)).toBe("0:01");
  });

  it.each([
    ["2026-11-26", "2026-11-26"], ["2026-1-5", "2026-01-05"], ["26.11.2026", "2026-11-26"], ["nope", null],
  ])("parseDate(%j) = %j", (text, expected) => expect(parseDate(text)).toBe(expected));
});

describe("parseInput", () => {
  const select = f("single_select", { choices: [{ name: "New", color: "blue" }, { name: "Paid", color: "green" }] });
  it.each<[Field, string, unknown]>([
    [f("text"), "  hi ", "hi"],
    [f("number"), "42", 42],
    [f("currency", { precision: 2 }), "12,5", "12.50"],
    [f("percent"), "50%", 0.5],
    [f("percent"), "12.5", 0.125],
    [f("rating", { max: 5 }), "4", 4],
    [f("duration"), "1:15", 4500],
    [f("checkbox"), "yes", true],
    [f("checkbox"), "", false],
    [f("date"), "2026-11-26", "2026-11-26"],
    [f("email"), "a@b.co", "a@b.co"],
    [f("url"), "example.com", "https://example.com"],
    [select, "paid", "Paid"],
    [f("multiple_select", select.options), "new, Paid", ["New", "Paid"]],
    [f("number"), "", null],
  ])("%#: %j", (field, text, expected) => {
    expect(parseInput(field, text)).toEqual({ ok: true, value: expected });
  });

  it.each<[Field, string]>([
    [f("number"), "ten"],
    [f("email"), "not-an-email"],
    [f("url"), "javascript:alert(1)"],
    [f("rating", { max: 5 }), "9"],
    [select, "Cancelled"],
    [f("link"), "Acme"],
    [f("formula"), "1"],
  ])("refuses %#", (field, text) => {
    expect(parseInput(field, text).ok).toBe(false);
  });
});

describe("safeHref", () => {
  it.each([
    ["https://example.com/a?b=1", "https://example.com/a?b=1"],
    ["http://x.org", "http://x.org/"],
    ["mailto:a@b.c", "mailto:a@b.c"],
    ["javascript:alert(1)", null],
    ["JavaScript:alert(1)", null],
    ["data:text/html,<b>x</b>", null],
    ["vbscript:msgbox", null],
    ["/relative", null],
    [42, null],
  ])("safeHref(%j) = %j", (input, expected) => expect(safeHref(input)).toBe(expected));
});
