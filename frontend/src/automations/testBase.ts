// A small base for the builder's tests: Products linked to Suppliers.
import type { BaseSchema, Field } from "../api/types";

const f = (id: number, name: string, type: Field["type"], options: Field["options"] = null): Field => ({ id, name, type, options });

export const BASE: BaseSchema = {
  id: 1,
  name: "Shop",
  workspace_id: 1,
  role: "owner",
  tables: [
    {
      id: 10,
      name: "Products",
      primary_field_id: 1,
      fields: [
        f(1, "Name", "text"),
        f(2, "Stock", "number"),
        f(3, "Minimum stock", "number"),
        f(4, "Status", "single_select", { choices: [{ name: "Active" }, { name: "Retired" }] }),
        f(5, "Picture", "attachment"),
        f(6, "Supplier", "link", { table_id: 20 }),
        f(7, "Buyer", "collaborator"),
        f(8, "Due", "date"),
        f(9, "Total", "formula", { formula: "1" }),
      ],
      views: [{ id: 100, table_id: 10, name: "Grid", type: "grid", config: null }],
    },
    {
      id: 20,
      name: "Suppliers",
      primary_field_id: 11,
      fields: [f(11, "Name", "text"), f(12, "E-mail", "email")],
      views: [
        { id: 200, table_id: 20, name: "Grid", type: "grid", config: null },
        { id: 201, table_id: 20, name: "Sign-up", type: "form", config: null },
      ],
    },
  ],
};
