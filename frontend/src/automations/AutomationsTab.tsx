// The "Automations" entry next to the table tabs (admins and owners manage rules).
import { NavLink } from "react-router-dom";
import { Zap } from "lucide-react";
import type { BaseSchema } from "../api/types";
import "./automations.css";

export function AutomationsTab({ base }: { base: BaseSchema }) {
  if (base.role !== "owner" && base.role !== "admin") return null;
  return (
    <NavLink to={`/bases/${base.id}/automations`} className={({ isActive }) => `automations-tab${isActive ? " active" : ""}`}>
      <Zap size={14} aria-hidden /> Automations
    </NavLink>
  );
}
