import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import {
  buildBody, fieldKind, initialValues, locatePath, newLine, pruneBlankLines, serverErrors, shiftLineErrors, validate,
  type FormValues, type Line,
} from "./publicForm";
import type { PublicFormField } from "./publicFormApi";
import { customer, delivery, discount, lines, product, quantity, tags } from "./testFixtures";

const line = (values: Line["values"]): Line => ({ ...newLine(), values });
const acme = [{ id: 12, label: "Acme GmbH" }];
const fields = [customer, lines, delivery];

describe("fieldKind", () => {
  it("tells pickers, sub-forms and plain fields apart", () => {
    expect(fieldKind(customer)).toBe("picker");
    expect(fieldKind(lines)).toBe("subform");
    expect(fieldKind(delivery)).toBe("plain");
    expect(fieldKind({ ...customer, picker: undefined })).toBe("unsupported");
    expect(fieldKind({ ...delivery, type: "attachment" })).toBe("unsupported");
    // A sub-form inside a sub-form is not offered.
    expect(fieldKind(lines, true)).toBe("unsupported");
  });
});

describe("initialValues", () => {
  it("starts a sub-form with its minimum number of lines, and at least one", () => {
    const v = initialValues([{ ...lines, subform: { ...lines.subform!, min_rows: 2 } }, { ...lines, id: 9, required: false, subform: { ...lines.subform!, min_rows: 0 } }]);
    expect(v[3]).toHaveLength(2);
    expect(v[9]).toHaveLength(1);
  });
});

describe("validate", () => {
  it("accepts a complete order", () => {
    const values: FormValues = { 2: acme, 3: [line({ 31: [{ id: 5, label: "Desk" }], 32: 2 })] };
    expect(validate(fields, values)).toEqual({});
  });

  it("flags required pickers and required cells at their line", () => {
    const values: FormValues = {
      3: [line({ 31: [{ id: 5, label: "Desk" }], 32: 2 }), line({ 31: [{ id: 7, label: "Lamp" }] })],
    };
    expect(validate(fields, values)).toEqual({
      Customer: "Please choose one.",
      "Lines[1].Quantity": "Please fill this in.",
    });
  });

  it("counts 0 as a value", () => {
    expect(validate(fields, { 2: acme, 3: [line({ 31: acme, 32: 0 })] })).toEqual({});
  });

  it("asks for the minimum number of lines", () => {
    expect(validate(fields, { 2: acme, 3: [] })).toEqual({ Lines: "Add at least one line." });
    const two: PublicFormField = { ...lines, subform: { ...lines.subform!, min_rows: 2 } };
    expect(validate([two], { 3: [line({ 31: acme, 32: 1 })] })).toEqual({ Lines: "Add at least 2 lines." });
  });

  it("refuses more lines than max_rows", () => {
    const many = Array.from({ length: 4 }, () => line({ 31: acme, 32: 1 }));
    expect(validate([lines], { 3: many })).toEqual({ Lines: "At most 3 lines are allowed." });
  });
});

describe("pruneBlankLines", () => {
  const subs = [product, quantity, discount];
  it("drops empty lines but keeps those needed to reach the minimum", () => {
    const a = line({}), b = line({ 32: 1 }), c = line({});
    expect(pruneBlankLines([a, b, c], subs, 1)).toEqual([b]);
    expect(pruneBlankLines([a, c], subs, 1)).toEqual([a]);
    expect(pruneBlankLines([a, c], subs, 0)).toEqual([]);
    expect(pruneBlankLines([a, b, c], subs, 3)).toEqual([a, b, c]);
  });
});

describe("buildBody", () => {
  it("writes pickers as ids and lines as objects keyed by sub-field name", () => {
    const values: FormValues = {
      2: acme,
      3: [line({ 31: [{ id: 5, label: "Desk" }], 32: 2 }), line({ 31: [{ id: 7, label: "Lamp" }], 32: 1, 33: 0.1 })],
      4: "2026-12-01",
    };
    expect(buildBody(fields, values)).toEqual({
      Customer: 12,
      Lines: [{ Product: 5, Quantity: 2 }, { Product: 7, Quantity: 1, Discount: 0.1 }],
      "Delivery date": "2026-12-01",
    });
  });

  it("writes a multiple picker as a list and an emptied single picker as null", () => {
    expect(buildBody([tags, customer], { 5: [{ id: 1, label: "A" }, { id: 2, label: "B" }], 2: [] })).toEqual({ Projects: [1, 2], Customer: null });
    expect(buildBody([tags], { 5: [] })).toEqual({ Projects: [] });
  });

  it("leaves out fields the visitor never touched", () => {
    expect(buildBody([customer, delivery], {})).toEqual({});
  });
});

describe("server errors", () => {
  const invalid = (errors: unknown[]) =>
    new ApiError(422, { code: "INVALID_CELL", message: "Some cells are not valid", details: { errors } });

  it("places field and line paths next to their inputs", () => {
    const out = serverErrors(
      invalid([
        { row: 0, field: "Lines[1].Quantity", message: "is required" },
        { row: 0, field: "Customer", message: "is not offered by this form" },
        { row: 0, field: "Lines[0]", message: "product is sold out" },
      ]),
      fields,
    );
    expect(out.byPath).toEqual({
      "Lines[1].Quantity": "Is required",
      Customer: "Is not offered by this form",
      "Lines[0]": "Product is sold out",
    });
    expect(out.general).toEqual([]);
  });

  it("keeps paths it cannot place as general messages", () => {
    const out = serverErrors(invalid([{ row: 0, field: "Lines[0].Colour", message: "is unknown" }, { row: 0, field: "Secret", message: "bad" }]), fields);
    expect(out.byPath).toEqual({});
    expect(out.general).toEqual(["Lines[0].Colour: Is unknown", "Secret: Bad"]);
  });

  it("shows the message of an error without details, and a friendly one when rate limited", () => {
    expect(serverErrors(new ApiError(404, { code: "SHARE_NOT_FOUND", message: "This link was revoked" }), fields).general).toEqual(["This link was revoked"]);
    expect(serverErrors(new ApiError(429, { code: "RATE_LIMITED", message: "slow down" }), fields).general[0]).toMatch(/Too many submissions/);
  });

  it("matches field names that contain brackets and dots", () => {
    const odd: PublicFormField = { ...lines, name: "Items [EU].v2", subform: { ...lines.subform!, fields: [{ ...quantity, name: "Qty [pcs]" }] } };
    expect(locatePath("Items [EU].v2[3].Qty [pcs]", [odd])).toMatchObject({ field: odd, line: 3, sub: { name: "Qty [pcs]" } });
    expect(locatePath("Items [EU].v2", [odd])).toEqual({ field: odd });
    expect(locatePath("Items [EU].v2[x].Qty [pcs]", [odd])).toBeNull();
  });
});

describe("shiftLineErrors", () => {
  it("drops the removed line's errors and moves later lines up", () => {
    const errors = {
      Customer: "Please choose one.",
      "Lines[0].Quantity": "a",
      "Lines[1].Product": "b",
      "Lines[1]": "c",
      "Lines[2].Quantity": "d",
    };
    expect(shiftLineErrors(errors, "Lines", 1)).toEqual({
      Customer: "Please choose one.",
      "Lines[0].Quantity": "a",
      "Lines[1].Quantity": "d",
    });
  });
});
