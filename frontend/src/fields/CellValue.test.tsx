import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Field, FieldType, FieldOptions } from "../api/types";
import { CellValue } from "./CellValue";

const f = (type: FieldType, options: FieldOptions | null = null): Field => ({ id: 1, name: "F", type, options });
const XSS = "<img src=x onerror=alert(1)>";

describe("CellValue", () => {
  it.each<FieldType>(["text", "long_text", "single_select", "phone", "auto_number"])("shows markup in a %s cell as text", (type) => {
    const { container } = render(<CellValue field={f(type)} value={XSS} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toBe(XSS);
  });

  it("shows markup in link and select chips as text", () => {
    const { container } = render(
      <>
        <CellValue field={f("link")} value={[{ id: 1, name: XSS }]} />
        <CellValue field={f("multiple_select")} value={[XSS]} />
      </>,
    );
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getAllByText(XSS)).toHaveLength(2);
  });

  it("links only http, https and mailto URLs", () => {
    const { container, rerender } = render(<CellValue field={f("url")} value="javascript:alert(1)" />);
    expect(container.querySelector("a")).toBeNull();
    expect(container.textContent).toBe("javascript:alert(1)");
    rerender(<CellValue field={f("url")} value="https://example.com" />);
    const a = container.querySelector("a")!;
    expect(a.getAttribute("href")).toBe("https://example.com/");
    expect(a.getAttribute("rel")).toContain("noopener");
  });

  it("marks a computed error with its message as a tooltip", () => {
    render(<CellValue field={f("formula")} value={{ error: "#DIV/0!", message: "Division by zero" }} />);
    const marker = screen.getByText("#DIV/0!").closest(".cell-error")!;
    expect(marker).toHaveAttribute("title", "Division by zero");
  });

  it("colours select chips by their choice", () => {
    render(<CellValue field={f("single_select", { choices: [{ name: "Paid", color: "green" }] })} value="Paid" />);
    expect(screen.getByText("Paid")).toHaveClass("chip-green");
  });

  it("does not load attachment previews from other origins", () => {
    const { container } = render(
      <CellValue field={f("attachment")} value={[{ id: 1, name: "x.png", size: 1, mime_type: "image/png", url: "https://evil.example/x.png" }]} />,
    );
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toContain("x.png");
  });
});
