import { NavLink } from "react-router-dom";
import { Activity, FileText, Trash2 } from "lucide-react";
import type { BaseSchema } from "../api/types";
import "./nav.css";

export const isBaseAdmin = (base: BaseSchema) => base.role === "owner" || base.role === "admin";

/** The base's screens besides its tables, in the top bar: documents, trash, activity (admins). */
export function BaseNav({ base }: { base: BaseSchema }) {
  const root = `/bases/${base.id}`;
  const cls = ({ isActive }: { isActive: boolean }) => `btn btn-ghost btn-sm${isActive ? " active" : ""}`;
  return (
    <nav className="row base-nav" aria-label="Base" style={{ gap: 2 }}>
      <NavLink to={`${root}/documents`} className={cls} aria-label="Documents"><FileText size={15} /> <span className="hide-sm">Documents</span></NavLink>
      <NavLink to={`${root}/trash`} className={cls} aria-label="Trash"><Trash2 size={15} /> <span className="hide-sm">Trash</span></NavLink>
      {isBaseAdmin(base) && <NavLink to={`${root}/activity`} className={cls} aria-label="Activity"><Activity size={15} /> <span className="hide-sm">Activity</span></NavLink>}
    </nav>
  );
}
