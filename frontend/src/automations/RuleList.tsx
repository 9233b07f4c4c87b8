// The base's automations: name, what starts each, on/off and how its last run went.
import { NavLink } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { Plus, Zap } from "lucide-react";
import type { BaseSchema, Items } from "../api/types";
import { formatRelative } from "../fields/format";
import { useToast } from "../ui/toast";
import { akeys, automations, useLastRun } from "./api";
import { enabledPatch, triggerSummary } from "./draft";
import { iconOf } from "./icons";
import type { AutomationTypes, Rule } from "./types";

export function EnabledSwitch(props: { enabled: boolean; onChange: (on: boolean) => void; label: string; small?: boolean }) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={props.enabled}
      aria-label={props.label}
      title={props.enabled ? "On" : "Off"}
      className={`switch${props.enabled ? " on" : ""}${props.small ? " switch-sm" : ""}`}
      onClick={() => props.onChange(!props.enabled)}
    >
      <span className="switch-knob" />
    </button>
  );
}

const STATUS_LABEL: Record<string, string> = {
  ok: "Succeeded", failed: "Failed", refused: "Refused", stopped: "Stopped", pending: "Waiting", running: "Running",
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status-badge status-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}

function LastRun({ rule }: { rule: Rule }) {
  const last = useLastRun(rule.id);
  if (!last.data) return <span className="small faint">{last.isPending ? "" : "Never ran"}</span>;
  return (
    <span className="row small" style={{ gap: 6 }}>
      <StatusBadge status={last.data.status} />
      <span className="faint">{formatRelative(last.data.created_at)}</span>
    </span>
  );
}

function RuleItem({ rule, base, types }: { rule: Rule; base: BaseSchema; types: AutomationTypes }) {
  const qc = useQueryClient();
  const toast = useToast();
  const Icon = iconOf(rule.trigger.type);
  const toggle = async (enabled: boolean) => {
    const key = akeys.rules(base.id);
    const set = (on: boolean) => qc.setQueryData<Items<Rule>>(key, (old) => old && { items: old.items.map((r) => (r.id === rule.id ? { ...r, enabled: on } : r)) });
    set(enabled);
    try {
      await automations.update(rule.id, enabledPatch(rule, enabled));
    } catch (err) {
      set(!enabled);
      toast.error(err);
    }
  };
  return (
    <li className="rule-item">
      <NavLink to={`/bases/${base.id}/automations/${rule.id}`} className={({ isActive }) => `rule-link${isActive ? " active" : ""}`}>
        <span className="rule-icon"><Icon size={15} aria-hidden /></span>
        <span className="rule-text">
          <span className="rule-title">{rule.name}</span>
          <span className="small muted truncate">{triggerSummary(rule.trigger, types.triggers, base)}</span>
          <LastRun rule={rule} />
        </span>
      </NavLink>
      <EnabledSwitch small enabled={rule.enabled} onChange={toggle} label={`${rule.name} is on`} />
    </li>
  );
}

export function RuleList(props: { base: BaseSchema; types: AutomationTypes; rules: Rule[]; onNew: () => void }) {
  return (
    <aside className="rule-list" aria-label="Automations">
      <div className="rule-list-header">
        <h2>Automations</h2>
        <span className="spacer" />
        <button type="button" className="btn btn-primary btn-sm" onClick={props.onNew}>
          <Plus size={14} /> New automation
        </button>
      </div>
      {props.rules.length === 0 ? (
        <div className="state" style={{ padding: 24 }}>
          <Zap size={20} aria-hidden />
          <span className="small">No automations yet. They send e-mails, update rows and make documents for you.</span>
        </div>
      ) : (
        <ul className="rule-items">
          {props.rules.map((r) => <RuleItem key={r.id} rule={r} base={props.base} types={props.types} />)}
        </ul>
      )}
    </aside>
  );
}
