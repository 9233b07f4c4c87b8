import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { Field, Table } from "../api/types";
import { errorLine, fieldExpression, indent, insertAt, lineIndent, linkLoopSnippet, quoteName } from "./insert";

const field = (id: number, name: string, type: Field["type"], options: Field["options"] = null): Field => ({ id, name, type, options });

describe("insertAt", () => {
  it("inserts at the caret and moves the caret after the snippet", () => {
    expect(insertAt("<h1></h1>", 4, 4, "{{ x }}")).toEqual({ value: "<h1>{{ x }}</h1>", start: 11, end: 11 });
  });
  it("replaces the selection", () => {
    expect(insertAt("a OLD b", 2, 5, "new")).toEqual({ value: "a new b", start: 5, end: 5 });
  });
  it("clamps positions outside the text", () => {
    expect(insertAt("ab", 9, 12, "!").value).toBe("ab!");
  });
});

describe("indent", () => {
  it("Tab without a selection inserts two spaces", () => {
    expect(indent("ab", 1, 1)).toEqual({ value: "a  b", start: 3, end: 3 });
  });
  it("indents every selected line and keeps them selected", () => {
    const text = "one\ntwo\nthree";
    const edit = indent(text, 1, 6); // from inside "one" to inside "two"
    expect(edit.value).toBe("  one\n  two\nthree");
    expect(edit.value.slice(edit.start, edit.end)).toBe("ne\n  tw");
  });
  it("does not take in the line after a selection ending in a newline", () => {
    expect(indent("a\nb\nc", 0, 4).value).toBe("  a\n  b\nc");
  });
  it("Shift+Tab outdents the caret's line", () => {
    expect(indent("    x", 4, 4, true)).toEqual({ value: "  x", start: 2, end: 2 });
    expect(indent("x", 1, 1, true)).toEqual({ value: "x", start: 1, end: 1 });
  });
  it("Shift+Tab outdents selected lines by what they have", () => {
    expect(indent("  a\n b\nc", 0, 7, true).value).toBe("a\nb\nc");
  });
});

describe("snippets", () => {
  it("quotes names the way Python reads them", () => {
    expect(quoteName("No.")).toBe("'No.'");
    expect(quoteName("Customer's ref")).toBe("'Customer\\'s ref'");
    expect(quoteName("a\\b")).toBe("'a\\\\b'");
  });
  it("uses row[...] for plain values and row.display[...] for formatted ones", () => {
    expect(fieldExpression(field(1, "Name", "text"))).toBe("{{ row['Name'] }}");
    expect(fieldExpression(field(2, "Total", "currency"))).toBe("{{ row.display['Total'] }}");
    expect(fieldExpression(field(3, "Order date", "date"), "item")).toBe("{{ item.display['Order date'] }}");
  });
  it("loops over a link field's rows, printing their primary field, at the caret's indentation", () => {
    const lines: Table = { id: 9, name: "Lines", primary_field_id: 90, fields: [field(90, "Line", "text")], views: [] };
    const link = field(5, "Lines", "link", { table_id: 9 });
    expect(linkLoopSnippet(link, lines, "    ")).toBe(
      "{% for item in row.links['Lines'] %}\n      {{ item['Line'] }}\n    {% endfor %}",
    );
    expect(linkLoopSnippet(link, undefined)).toContain("{{ item['name'] }}");
  });
  it("finds the indentation of the caret's line", () => {
    expect(lineIndent("a\n    <td>x", 9)).toBe("    ");
    expect(lineIndent("no indent", 3)).toBe("");
  });
});

describe("errorLine", () => {
  it("reads details.line of a template error", () => {
    expect(errorLine(new ApiError(422, { code: "TEMPLATE_ERROR", message: "x (line 3)", details: { line: 3 } }))).toBe(3);
    expect(errorLine(new ApiError(422, { code: "NO_ROWS", message: "none" }))).toBeNull();
    expect(errorLine(new Error("plain"))).toBeNull();
  });
});
