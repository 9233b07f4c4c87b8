import { useRef, useState } from "react";
import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { CodeEditor, type CodeEditorHandle } from "./CodeEditor";

function Harness({ initial }: { initial: string }) {
  const [value, setValue] = useState(initial);
  const ref = useRef<CodeEditorHandle>(null);
  return (
    <>
      <CodeEditor ref={ref} id="t" label="Template" value={value} onChange={setValue} errorLine={2} />
      <button onMouseDown={(e) => e.preventDefault()} onClick={() => ref.current?.insert("{{ row['Name'] }}")}>insert</button>
    </>
  );
}

describe("CodeEditor", () => {
  it("indents with Tab instead of moving focus", async () => {
    const user = userEvent.setup();
    render(<Harness initial="<p>" />);
    const area = screen.getByLabelText<HTMLTextAreaElement>("Template");
    await user.click(area);
    area.setSelectionRange(0, 0);
    await user.keyboard("{Tab}");
    expect(area.value).toBe("  <p>");
    expect(area).toHaveFocus();
    expect(area.selectionStart).toBe(2);
  });

  it("lets Tab leave after Escape", async () => {
    const user = userEvent.setup();
    render(<Harness initial="x" />);
    const area = screen.getByLabelText<HTMLTextAreaElement>("Template");
    await user.click(area);
    await user.keyboard("{Escape}{Tab}");
    expect(area.value).toBe("x");
    expect(area).not.toHaveFocus();
  });

  it("inserts a snippet at the caret and puts the caret after it", async () => {
    const user = userEvent.setup();
    render(<Harness initial="<h1></h1>" />);
    const area = screen.getByLabelText<HTMLTextAreaElement>("Template");
    await user.click(area);
    act(() => area.setSelectionRange(4, 4));
    await user.click(screen.getByText("insert"));
    expect(area.value).toBe("<h1>{{ row['Name'] }}</h1>");
    expect(area.selectionStart).toBe(4 + "{{ row['Name'] }}".length);
  });

  it("marks the error line in the gutter", () => {
    const { container } = render(<Harness initial={"a\nb\nc"} />);
    expect(container.querySelector(".code-line-error")?.textContent).toBe("2");
    expect(screen.getByLabelText("Template")).toHaveAttribute("aria-invalid", "true");
  });
});
