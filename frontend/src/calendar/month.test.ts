import { expect, it } from "vitest";
import { cellDay, monthDays, moveToDay } from "./month";

it("lays out November 2026 from Monday Oct 26 over six weeks", () => {
  const days = monthDays(2026, 10);
  expect(days).toHaveLength(42);
  expect(days[0]).toBe("2026-10-26");
  expect(days[6]).toBe("2026-11-01");
  expect(days.at(-1)).toBe("2026-12-06");
});

it("reads and moves days", () => {
  expect(cellDay("2026-11-26")).toBe("2026-11-26");
  expect(cellDay(null)).toBeNull();
  expect(moveToDay("2026-11-26", "2026-11-30", false, () => "")).toBe("2026-11-30");
  const moved = moveToDay("2026-11-26T15:45:00", "2026-12-01", true, (d) => `${d.getDate()} ${d.getHours()}:${d.getMinutes()}`);
  expect(moved).toBe("1 15:45");
});
