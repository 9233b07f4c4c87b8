import { NavLink } from "react-router-dom";
import { Activity, FileText, Trash2, Zap } from "lucide-react";
import type { BaseSchema } from "../api/types";
import "./nav.css";

export const isBaseAdmin = (base: BaseSchema) => base.role === "owner" || base.role === "admin";

/** The base's screens besides its tables, in the top bar: automations (admins), documents,
 * trash, activity (admins). Kept out of the table tab strip, which scrolls when a base has
 * many tables. */
export function BaseNav({ base }: { base: BaseSchema }) {
  const root = `/bases/${base.id}`;
  const cls = ({ isActive }: { isActive: boolean }) => `btn btn-ghost btn-sm${isActive ? " active" : ""}`;
  return (
    <nav className="row base-nav" aria-label="Base" style={{ gap: 2 }}>
      {isBaseAdmin(base) && <NavLink to={`${root}/automations`} className={cls} aria-label="Automations"><Zap size={15} /> <span className="hide-sm">Automations</span></NavLink>}
      <NavLink to={`${root}/documents`} className={cls} aria-label="Documents"><FileText size={15} /> <span className="hide-sm">Documents</span></NavLink>
      <NavLink to={`${root}/trash`} className={cls} aria-label="Trash"><Trash2 size={15} /> <span className="hide-sm">Trash</span></NavLink>
      {isBaseAdmin(base) && <NavLink to={`${root}/activity`} className={cls} aria-label="Activity"><Activity size={15} /> <span className="hide-sm">Activity</span></NavLink>}
    </nav>
  );
}
