import {
  Bell, CalendarClock, CalendarDays, Calculator, ClipboardList, Copy, FileText, Filter, Link2,
  ListPlus, Lock, Mail, MousePointerClick, PencilLine, Plus, Clock, Trash2, Webhook, Zap,
  type LucideIcon,
} from "lucide-react";

const ICONS: Record<string, LucideIcon> = {
  row_created: ListPlus,
  row_updated: PencilLine,
  row_matches: Filter,
  row_deleted: Trash2,
  schedule: Clock,
  schedule_matching_rows: CalendarClock,
  date_relative: CalendarDays,
  button: MousePointerClick,
  form_submitted: ClipboardList,
  webhook: Webhook,
  notify: Bell,
  send_email: Mail,
  add_row: Plus,
  update_rows: PencilLine,
  link_rows: Link2,
  lock_row: Lock,
  generate_document: FileText,
  call_webhook: Webhook,
  adjust_number: Calculator,
  copy_row: Copy,
};

/** The icon of a trigger or action type (a bolt for types added later). */
export const iconOf = (type: string): LucideIcon => ICONS[type] ?? Zap;
