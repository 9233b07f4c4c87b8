import { useState } from "react";
import { ArrowDown, ArrowUp, Plus, Share2, X } from "lucide-react";
import { endpoints } from "../api/endpoints";
import type { FormConfig, FormFieldConfig, ShareLink } from "../api/types";
import type { ViewProps } from "../base/BasePage";
import { useView } from "../base/context";
import { typeInfo } from "../fields/fieldTypes";
import { EmptyState } from "../ui/States";
import { useToast } from "../ui/toast";
import { isPublicType } from "./formDesign";
import { LinkFieldSettings } from "./LinkFieldSettings";
import { PLAIN_TYPES } from "./publicForm";
import { ShareDialog } from "./ShareDialog";
import "./forms.css";

export default function FormView({ switcher }: ViewProps) {
  const { base, table, view, config, updateConfig, canEditSchema } = useView();
  const toast = useToast();
  const [share, setShare] = useState<ShareLink | null>(null);
  // Files, people and computed fields cannot be filled in by visitors; the server refuses them.
  const candidates = table.fields.filter(isPublicType);
  const form: FormConfig = {
    title: view.name,
    submit_label: "Submit",
    success_message: "Thank you! Your answer was recorded.",
    ...config.form,
    // Links are not on the default form: a picker shows the names of other rows to the public.
    fields: config.form?.fields ?? candidates.filter((f) => PLAIN_TYPES.has(f.type)).map((f) => ({ field_id: f.id, required: !!f.required })),
  };
  const chosen = form.fields ?? [];
  const set = (patch: Partial<FormConfig>) => updateConfig({ form: { ...form, ...patch } });
  const setField = (i: number, patch: Partial<FormFieldConfig>) => set({ fields: chosen.map((f, j) => (i === j ? { ...f, ...patch } : f)) });
  const move = (i: number, d: number) => {
    const next = [...chosen];
    const j = i + d;
    if (j < 0 || j >= next.length) return;
    [next[i], next[j]] = [next[j], next[i]];
    set({ fields: next });
  };
  const unused = candidates.filter((f) => !chosen.some((c) => c.field_id === f.id));
  const doShare = async () => {
    try {
      // Save the designer's field list so the public form shows exactly what is seen here.
      if (!config.form?.fields) await endpoints.updateView(view.id, { config: { ...config, form } });
      setShare(await endpoints.shareView(view.id, "form"));
    } catch (e) {
      toast.error(e);
    }
  };

  return (
    <>
      <div className="view-toolbar">
        {switcher}
        <span className="spacer" />
        {canEditSchema && <button className="btn btn-sm btn-primary" onClick={doShare}><Share2 size={14} /> Share form</button>}
      </div>
      <div className="view-body form-designer">
        <div className="form-canvas">
          <div className="card form-card">
            <input className="form-title-input" aria-label="Form title" value={form.title ?? ""} onChange={(e) => set({ title: e.target.value })} readOnly={!canEditSchema} />
            <textarea className="form-desc-input" aria-label="Form description" placeholder="Add a description for the people who fill in this form" value={form.description ?? ""} onChange={(e) => set({ description: e.target.value })} readOnly={!canEditSchema} rows={2} />
            {chosen.length === 0 && <EmptyState title="No fields on this form">Add fields from the list on the right.</EmptyState>}
            {chosen.map((c, i) => {
              const f = table.fields.find((x) => x.id === c.field_id);
              if (!f) return null;
              const Icon = typeInfo(f.type).icon;
              return (
                <div key={f.id} className="form-designer-field">
                  <div className="row">
                    <Icon size={14} className="faint" />
                    <strong className="truncate" style={{ flex: 1 }}>{f.name}{c.required && <span className="error-text"> *</span>}</strong>
                    {canEditSchema && (
                      <>
                        <label className="row small"><input type="checkbox" className="checkbox" checked={!!c.required} onChange={(e) => setField(i, { required: e.target.checked })} /> Required</label>
                        <button className="btn btn-ghost btn-icon btn-sm" aria-label={`Move ${f.name} up`} disabled={i === 0} onClick={() => move(i, -1)}><ArrowUp size={13} /></button>
                        <button className="btn btn-ghost btn-icon btn-sm" aria-label={`Move ${f.name} down`} disabled={i === chosen.length - 1} onClick={() => move(i, 1)}><ArrowDown size={13} /></button>
                        <button className="btn btn-ghost btn-icon btn-sm" aria-label={`Remove ${f.name}`} onClick={() => set({ fields: chosen.filter((_, j) => j !== i) })}><X size={14} /></button>
                      </>
                    )}
                  </div>
                  <input className="input input-sm" placeholder="Help text (optional)" aria-label={`Help text for ${f.name}`} value={c.help ?? ""} onChange={(e) => setField(i, { help: e.target.value })} readOnly={!canEditSchema} />
                  {f.type === "link" && <LinkFieldSettings link={f} item={c} tables={base.tables} formTable={table} readOnly={!canEditSchema} onChange={(patch) => setField(i, patch)} />}
                  {!isPublicType(f) && <p className="hint">People without an account cannot fill in {typeInfo(f.type).label.toLowerCase()} fields; remove this one from the form.</p>}
                </div>
              );
            })}
            <div className="row" style={{ marginTop: 16 }}>
              <input className="input input-sm" style={{ maxWidth: 200 }} aria-label="Submit button label" value={form.submit_label ?? ""} onChange={(e) => set({ submit_label: e.target.value })} readOnly={!canEditSchema} />
              <input className="input input-sm" aria-label="Message after submitting" value={form.success_message ?? ""} onChange={(e) => set({ success_message: e.target.value })} readOnly={!canEditSchema} />
            </div>
          </div>
        </div>
        {canEditSchema && (
          <aside className="form-palette">
            <h3>Fields</h3>
            <p className="small muted">Click to add to the form.</p>
            {unused.map((f) => {
              const Icon = typeInfo(f.type).icon;
              return (
                <button key={f.id} className="option-row" onClick={() => set({ fields: [...chosen, { field_id: f.id, required: !!f.required }] })}>
                  <Icon size={14} /> <span className="truncate" style={{ flex: 1 }}>{f.name}</span> <Plus size={14} />
                </button>
              );
            })}
            {unused.length === 0 && <p className="small faint">All fields are on the form.</p>}
          </aside>
        )}
      </div>
      {share && <ShareDialog viewId={view.id} link={share} kind="form" onClose={() => setShare(null)} />}
    </>
  );
}
