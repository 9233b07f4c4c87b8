// A public order form like the order_management template's, for the forms tests.
import type { PublicFormDef, PublicFormField } from "./publicFormApi";

export const customer: PublicFormField = {
  id: 2, name: "Customer", type: "link", options: { multiple: false }, required: true, help: "",
  picker: { table: "Customers", multiple: false },
};
export const product: PublicFormField = {
  id: 31, name: "Product", type: "link", options: { multiple: false }, required: true, help: "",
  picker: { table: "Products", multiple: false },
};
export const quantity: PublicFormField = { id: 32, name: "Quantity", type: "number", options: { precision: 0 }, required: true, help: "" };
export const discount: PublicFormField = { id: 33, name: "Discount", type: "percent", options: null, required: false, help: "" };
export const lines: PublicFormField = {
  id: 3, name: "Lines", type: "link", options: { multiple: true }, required: true, help: "One line per product",
  subform: { table: "Order lines", min_rows: 1, max_rows: 3, fields: [product, quantity, discount] },
};
export const delivery: PublicFormField = { id: 4, name: "Delivery date", type: "date", options: null, required: false, help: "" };
export const tags: PublicFormField = {
  id: 5, name: "Projects", type: "link", options: { multiple: true }, required: false, help: "",
  picker: { table: "Projects", multiple: true },
};

export const orderForm: PublicFormDef = {
  title: "Place an order",
  description: "Choose your company and products",
  submit_label: "Send order",
  success_message: "Thank you for your order!",
  fields: [customer, lines, delivery],
};
