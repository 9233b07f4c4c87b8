import { expect, it } from "vitest";
import type { Field, FieldType } from "../api/types";
import { toWriteValue } from "./write";

const f = (type: FieldType): Field => ({ id: 1, name: "x", type, options: null });

it("writes links and collaborators as ids and attachments as {id}", () => {
  expect(toWriteValue(f("link"), [{ id: 4, name: "Acme" }])).toEqual([4]);
  expect(toWriteValue(f("collaborator"), [{ id: 2, email: "a@b.c", name: "A" }])).toEqual([2]);
  expect(toWriteValue(f("attachment"), [{ id: "abc", name: "p.png", size: 1, mime_type: "image/png", url: "/f" }])).toEqual([{ id: "abc" }]);
  expect(toWriteValue(f("link"), null)).toEqual([]);
  expect(toWriteValue(f("text"), "hi")).toBe("hi");
  expect(toWriteValue(f("text"), undefined)).toBeNull();
});
