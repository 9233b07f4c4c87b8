const NEXT = new Set(["ArrowDown", "ArrowRight"]);
const PREVIOUS = new Set(["ArrowUp", "ArrowLeft"]);

/** Arrow keys move between the items of a menu (or of a group of `role` items). */
export function menuArrows(e: React.KeyboardEvent<HTMLElement>, role = "menuitem"): void {
  if (!NEXT.has(e.key) && !PREVIOUS.has(e.key) && e.key !== "Home" && e.key !== "End") return;
  const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>(`[role=${role}]`));
  if (!items.length) return;
  e.preventDefault();
  const i = items.indexOf(document.activeElement as HTMLElement);
  const next =
    e.key === "Home" ? 0 : e.key === "End" ? items.length - 1
    : NEXT.has(e.key) ? (i + 1) % items.length : (i - 1 + items.length) % items.length;
  items[next]?.focus();
}
