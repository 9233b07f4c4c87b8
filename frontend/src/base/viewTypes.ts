import { CalendarDays, ClipboardList, Columns3, LayoutGrid, Sheet, type LucideIcon } from "lucide-react";
import type { ViewType } from "../api/types";

export const VIEW_TYPES: { type: ViewType; label: string; icon: LucideIcon; help: string }[] = [
  { type: "grid", label: "Grid", icon: Sheet, help: "Spreadsheet-like rows and columns" },
  { type: "form", label: "Form", icon: ClipboardList, help: "Collect new rows, also from people without an account" },
  { type: "kanban", label: "Kanban", icon: Columns3, help: "Cards in columns by a single select" },
  { type: "calendar", label: "Calendar", icon: CalendarDays, help: "Rows on a month grid by a date" },
  { type: "gallery", label: "Gallery", icon: LayoutGrid, help: "Cards with a picture" },
];

export const viewIcon = (type: ViewType): LucideIcon => VIEW_TYPES.find((v) => v.type === type)?.icon ?? Sheet;
