// One automation: name, on/off, and three tabs: build it, test it, read its run log.
import { useEffect, useMemo, useState } from "react";
import { useNavigate } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, Copy, FlaskConical, History, MoreHorizontal, Play, Save, Trash2, Wrench } from "lucide-react";
import type { BaseSchema, Items } from "../api/types";
import { ConfirmDialog } from "../ui/dialogs";
import { Popover, usePopover } from "../ui/Popover";
import { useToast } from "../ui/toast";
import { ActionsSection } from "./ActionsSection";
import { akeys, automations } from "./api";
import { ConditionSection, conditionModes } from "./ConditionSection";
import { BuilderContext, ErrorContext, type Builder, type ShownError } from "./context";
import {
  actionKey, controlPaths, draftFromRule, enabledPatch, draftProblem, initialParams, moveAction, newDraft, removeAction,
  ruleBody, triggerTableId, type Draft,
} from "./draft";
import { errorTarget, pathId, ruleError } from "./errors";
import { RunLog } from "./RunLog";
import { EnabledSwitch } from "./RuleList";
import { TestPanel } from "./TestPanel";
import { TriggerSection } from "./TriggerSection";
import type { AutomationTypes, Params, Rule } from "./types";
import { menuArrows } from "./widgets/menuKeys";

type Tab = "build" | "test" | "runs";
const MANUAL = new Set(["schedule", "schedule_matching_rows", "webhook"]);

export function RuleEditor(props: { base: BaseSchema; types: AutomationTypes; rule?: Rule }) {
  const { base, types, rule } = props;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  const menu = usePopover();
  const [draft, setDraft] = useState<Draft>(() => (rule ? draftFromRule(rule, base) : newDraft()));
  const [saved, setSaved] = useState(() => (rule ? JSON.stringify(ruleBody(draftFromRule(rule, base))) : ""));
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState<Tab>("build");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const dirty = JSON.stringify(ruleBody(draft)) !== saved;

  const tableId = triggerTableId(draft.trigger, base);
  const triggerTable = base.tables.find((t) => t.id === tableId);
  const builder = useMemo<Builder>(
    () => ({ base, types, triggerType: draft.trigger?.type, triggerTable, actions: draft.actions }),
    [base, types, draft.trigger?.type, triggerTable, draft.actions],
  );

  // The rule may be switched on or off from the list while it is open here.
  const ruleEnabled = rule?.enabled;
  useEffect(() => {
    if (ruleEnabled === undefined) return;
    setDraft((d) => (d.enabled === ruleEnabled ? d : { ...d, enabled: ruleEnabled }));
    setSaved((s) => (s ? JSON.stringify({ ...JSON.parse(s), enabled: ruleEnabled }) : s));
  }, [ruleEnabled]);

  // Closing or reloading the tab with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  // Bring the control with the problem into view.
  useEffect(() => {
    if (!error?.target) return;
    const el = document.getElementById(pathId(error.target));
    el?.scrollIntoView?.({ block: "center" });
    const focusable = el?.matches("input, select, textarea, button") ? el : el?.querySelector<HTMLElement>("input, select, textarea, button");
    focusable?.focus({ preventScroll: true });
  }, [error]);

  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const pickTrigger = (type: string) => {
    const info = types.triggers.find((t) => t.type === type);
    if (!info) return;
    const params = initialParams(info);
    // Keep the table when the new trigger also works on one.
    const oldTable = draft.trigger?.params.table_id;
    if ("table_id" in params && oldTable) params.table_id = oldTable;
    const modes = conditionModes(type, "table_id" in params || "view_id" in params);
    setDraft((d) => ({ ...d, trigger: { type, params }, conditionMode: modes.includes(d.conditionMode) ? d.conditionMode : modes[0] }));
  };
  const setTriggerParams = (params: Params) =>
    setDraft((d) => {
      const tableChanged = triggerTableId({ type: d.trigger?.type ?? "", params }, base) !== triggerTableId(d.trigger, base);
      return { ...d, trigger: { type: d.trigger?.type ?? "", params }, filter: tableChanged ? null : d.filter };
    });

  const show = (e: { path: string; message: string }) =>
    setError({ target: errorTarget(e.path, controlPaths(draft, types)), message: e.message });

  const save = async () => {
    const problem = draftProblem(draft);
    if (problem) return show(problem);
    setBusy(true);
    setError(null);
    const body = ruleBody(draft);
    try {
      const result = rule ? await automations.update(rule.id, body) : await automations.create(base.id, body);
      qc.setQueryData<Items<Rule>>(akeys.rules(base.id), (old) =>
        old ? { items: rule ? old.items.map((r) => (r.id === result.id ? result : r)) : [...old.items, result] } : old,
      );
      toast.success(rule ? "Automation saved" : "Automation created");
      if (!rule) navigate(`/bases/${base.id}/automations/${result.id}`, { replace: true });
      else {
        const fresh = draftFromRule(result, base);
        setDraft(fresh);
        setSaved(JSON.stringify(ruleBody(fresh)));
      }
    } catch (err) {
      const re = ruleError(err);
      if (re) show(re);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const setEnabled = async (enabled: boolean) => {
    update({ enabled });
    if (!rule) return;
    try {
      const result = await automations.update(rule.id, enabledPatch(rule, enabled));
      qc.setQueryData<Items<Rule>>(akeys.rules(base.id), (old) => old && { items: old.items.map((r) => (r.id === result.id ? result : r)) });
    } catch (err) {
      update({ enabled: !enabled });
      toast.error(err);
    }
  };

  const duplicate = async () => {
    if (!rule) return;
    try {
      const copy = await automations.create(base.id, {
        name: `${rule.name} (copy)`.slice(0, 200),
        enabled: false,
        trigger: { type: rule.trigger.type, params: rule.trigger.params },
        condition: rule.condition,
        actions: rule.actions,
      });
      qc.setQueryData<Items<Rule>>(akeys.rules(base.id), (old) => old && { items: [...old.items, copy] });
      toast.success("Duplicated (switched off)");
      navigate(`/bases/${base.id}/automations/${copy.id}`);
    } catch (err) {
      toast.error(err);
    }
  };

  const runNow = async () => {
    if (!rule) return;
    try {
      await automations.run(rule.id);
      toast.success("Started; the run log shows the result");
      await qc.invalidateQueries({ queryKey: akeys.runs(rule.id) });
      setTab("runs");
    } catch (err) {
      toast.error(err);
    }
  };

  const nameError = error?.target === "name" ? error.message : null;
  return (
    <BuilderContext.Provider value={builder}>
      <ErrorContext.Provider value={error}>
        <div className="rule-editor">
          <div className="rule-header">
            <input id={pathId("name")} className="input rule-name" aria-label="Automation name" placeholder="Name this automation" aria-invalid={!!nameError} value={draft.name} onChange={(e) => update({ name: e.target.value })} />
            <EnabledSwitch enabled={draft.enabled} onChange={setEnabled} label={`Automation ${draft.name || "new"} is on`} />
            {rule && MANUAL.has(draft.trigger?.type ?? "") && (
              <button type="button" className="btn" onClick={runNow} disabled={dirty} title={dirty ? "Save first" : undefined}>
                <Play size={15} /> Run now
              </button>
            )}
            <button type="button" className="btn btn-primary" onClick={save} disabled={busy || (!!rule && !dirty)}>
              <Save size={15} /> {rule ? "Save" : "Create automation"}
            </button>
            {rule && (
              <button type="button" className="btn btn-ghost btn-icon" aria-label="More" aria-haspopup="menu" aria-expanded={menu.open} onClick={menu.toggle}>
                <MoreHorizontal size={16} />
              </button>
            )}
          </div>
          {nameError && <p className="error-text rule-header-error" role="alert">{nameError}</p>}
          {rule?.disabled_reason && !rule.enabled && (
            <div className="banner" role="status"><AlertTriangle size={16} /> Switched off: {rule.disabled_reason}</div>
          )}
          {error && error.target === null && (
            <div className="banner banner-error" role="alert"><AlertTriangle size={16} /> Not saved: {error.message}</div>
          )}
          <div className="segmented rule-tabs" role="tablist" aria-label="Automation">
            <button type="button" role="tab" aria-selected={tab === "build"} aria-pressed={tab === "build"} onClick={() => setTab("build")}><Wrench size={14} /> Build</button>
            <button type="button" role="tab" aria-selected={tab === "test"} aria-pressed={tab === "test"} disabled={!rule} onClick={() => setTab("test")}><FlaskConical size={14} /> Test</button>
            <button type="button" role="tab" aria-selected={tab === "runs"} aria-pressed={tab === "runs"} disabled={!rule} onClick={() => setTab("runs")}><History size={14} /> Run log</button>
          </div>
          {tab === "build" && (
            <div className="flow" role="tabpanel" aria-label="Build">
              <TriggerSection trigger={draft.trigger} onPick={pickTrigger} onParams={setTriggerParams} hookUrl={rule?.hook_url} />
              {draft.trigger && (
                <ConditionSection
                  mode={draft.conditionMode}
                  filter={draft.filter}
                  formula={draft.formula}
                  onMode={(conditionMode) => update({ conditionMode })}
                  onFilter={(filter) => update({ filter })}
                  onFormula={(formula) => update({ formula })}
                />
              )}
              {draft.trigger && (
                <ActionsSection
                  actions={draft.actions}
                  onAdd={(type) => {
                    const info = types.actions.find((t) => t.type === type);
                    if (info) update({ actions: [...draft.actions, { key: actionKey(), type, params: initialParams(info) }] });
                  }}
                  onParams={(i, params) => setDraft((d) => ({ ...d, actions: d.actions.map((a, j) => (j === i ? { ...a, params } : a)) }))}
                  onMove={(from, to) => setDraft((d) => ({ ...d, actions: moveAction(d.actions, from, to) }))}
                  onRemove={(i) => setDraft((d) => ({ ...d, actions: removeAction(d.actions, i) }))}
                />
              )}
            </div>
          )}
          {tab === "test" && rule && <TestPanel rule={rule} table={triggerTable} dirty={dirty} onSave={save} />}
          {tab === "runs" && rule && <RunLog rule={rule} />}
        </div>
        {menu.open && (
          <Popover anchor={menu.anchor} onClose={menu.close} align="end" width={200}>
            <div role="menu" onKeyDown={menuArrows}>
              <button type="button" role="menuitem" className="menu-item" autoFocus onClick={() => { menu.close(); void duplicate(); }}>
                <Copy size={14} /> Duplicate
              </button>
              <button type="button" role="menuitem" className="menu-item danger" onClick={() => { menu.close(); setConfirmDelete(true); }}>
                <Trash2 size={14} /> Delete automation
              </button>
            </div>
          </Popover>
        )}
        {confirmDelete && rule && (
          <ConfirmDialog
            title={`Delete "${rule.name}"?`}
            danger
            confirmLabel="Delete automation"
            onClose={() => setConfirmDelete(false)}
            onConfirm={async () => {
              await automations.remove(rule.id);
              qc.setQueryData<Items<Rule>>(akeys.rules(base.id), (old) => old && { items: old.items.filter((r) => r.id !== rule.id) });
              navigate(`/bases/${base.id}/automations`);
            }}
          >
            The automation and its run log are deleted. Changes it already made stay.
          </ConfirmDialog>
        )}
      </ErrorContext.Provider>
    </BuilderContext.Provider>
  );
}
