// What the UI knows about each field type: label, icon, editability and filter operators.
import {
  AtSign, Binary, Calculator, Calendar, CalendarClock, CheckSquare, CircleDot, Clock, DollarSign,
  Hash, Link2, List, ListChecks, MousePointerClick, Paperclip, Percent, Phone, Search, Sigma, Star,
  Text, TextQuote, Timer, User, UserPen, Users, type LucideIcon,
} from "lucide-react";
import type { Field, FieldOptions, FieldType, FilterOp } from "../api/types";

export interface FieldTypeInfo {
  type: FieldType;
  label: string;
  icon: LucideIcon;
  group: "Basic" | "Numbers" | "Dates" | "Choices" | "Relations" | "Computed" | "System";
  /** Users can type or pick a value (false for system and computed fields). */
  editable: boolean;
  defaultOptions?: FieldOptions;
}

const T = (
  type: FieldType, label: string, icon: LucideIcon, group: FieldTypeInfo["group"],
  editable: boolean, defaultOptions?: FieldOptions,
): FieldTypeInfo => ({ type, label, icon, group, editable, defaultOptions });

export const FIELD_TYPES: FieldTypeInfo[] = [
  T("text", "Single line text", Text, "Basic", true),
  T("long_text", "Long text", TextQuote, "Basic", true),
  T("email", "E-mail", AtSign, "Basic", true),
  T("url", "URL", Link2, "Basic", true),
  T("phone", "Phone", Phone, "Basic", true),
  T("checkbox", "Checkbox", CheckSquare, "Basic", true),
  T("number", "Number", Hash, "Numbers", true, { precision: 0 }),
  T("currency", "Currency", DollarSign, "Numbers", true, { currency: "EUR", precision: 2 }),
  T("percent", "Percent", Percent, "Numbers", true, { precision: 0 }),
  T("rating", "Rating", Star, "Numbers", true, { max: 5 }),
  T("duration", "Duration", Timer, "Numbers", true),
  T("date", "Date", Calendar, "Dates", true),
  T("datetime", "Date and time", CalendarClock, "Dates", true),
  T("single_select", "Single select", CircleDot, "Choices", true, { choices: [] }),
  T("multiple_select", "Multiple select", ListChecks, "Choices", true, { choices: [] }),
  T("collaborator", "Collaborator", Users, "Relations", true),
  T("attachment", "Attachment", Paperclip, "Relations", true),
  T("link", "Link to another table", Link2, "Relations", true, { multiple: true }),
  T("lookup", "Lookup", Search, "Computed", false),
  T("rollup", "Rollup", Sigma, "Computed", false, { aggregate: "sum" }),
  T("count", "Count", Binary, "Computed", false),
  T("formula", "Formula", Calculator, "Computed", false, { formula: "" }),
  T("button", "Button", MousePointerClick, "Computed", false, { label: "Run" }),
  T("auto_number", "Auto number", List, "System", false, { format: "{0000}" }),
  T("created_time", "Created time", Clock, "System", false),
  T("modified_time", "Last modified time", Clock, "System", false),
  T("created_by", "Created by", User, "System", false),
  T("modified_by", "Last modified by", UserPen, "System", false),
];

const BY_TYPE = new Map(FIELD_TYPES.map((t) => [t.type, t]));

export function typeInfo(type: FieldType): FieldTypeInfo {
  return BY_TYPE.get(type) ?? T(type, type, Text, "Basic", false);
}

export function isEditable(field: Field): boolean {
  return !field.read_only && typeInfo(field.type).editable;
}

export const OP_LABELS: Record<FilterOp, string> = {
  eq: "is", neq: "is not", lt: "<", lte: "≤", gt: ">", gte: "≥",
  contains: "contains", not_contains: "does not contain", starts_with: "starts with",
  is_empty: "is empty", is_not_empty: "is not empty", in: "is any of",
  has_any: "has any of", has_all: "has all of", before: "is before", after: "is after",
  on: "is on", within: "is within",
};

const TEXT_OPS: FilterOp[] = ["contains", "not_contains", "eq", "neq", "starts_with", "is_empty", "is_not_empty"];
const NUM_OPS: FilterOp[] = ["eq", "neq", "lt", "lte", "gt", "gte", "is_empty", "is_not_empty"];
const DATE_OPS: FilterOp[] = ["on", "before", "after", "within", "is_empty", "is_not_empty"];
const EMPTY_OPS: FilterOp[] = ["is_empty", "is_not_empty"];

/** The operators offered for a field in the filter builder. */
export function operatorsFor(field: Field): FilterOp[] {
  switch (field.type) {
    case "text": case "long_text": case "email": case "url": case "phone": case "auto_number":
      return TEXT_OPS;
    case "number": case "currency": case "percent": case "rating": case "duration": case "count":
      return NUM_OPS;
    case "date": case "datetime": case "created_time": case "modified_time":
      return DATE_OPS;
    case "checkbox":
      return ["eq"];
    case "single_select":
      return ["eq", "neq", "in", "is_empty", "is_not_empty"];
    case "multiple_select":
      return ["has_any", "has_all", "is_empty", "is_not_empty"];
    case "link": case "created_by": case "modified_by": case "collaborator":
      return ["contains", "not_contains", "is_empty", "is_not_empty"];
    case "attachment":
      return EMPTY_OPS;
    case "button":
      return [];
    default:
      return ["eq", "neq", "contains", "lt", "gt", "is_empty", "is_not_empty"];
  }
}

export const NO_VALUE_OPS = new Set<FilterOp>(["is_empty", "is_not_empty"]);
export const LIST_VALUE_OPS = new Set<FilterOp>(["in", "has_any", "has_all"]);

export const WITHIN_PRESETS = [
  "today", "yesterday", "tomorrow", "past_7_days", "next_7_days", "this_month",
] as const;

export const COLORS = ["gray", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink"] as const;

export const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "CAD", "AUD"];
