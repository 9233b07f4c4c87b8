// A trigger's or action's params as a form generated from its JSON schema: one control per
// param, chosen in widgets.ts, with the server's error shown at the control it names.
import { useMemo } from "react";
import type { FilterGroup } from "../api/types";
import { FilterBuilder } from "../views/FilterBuilder";
import { useBuilder, useErrorAt } from "./context";
import { pathId } from "./errors";
import { paramSpecs } from "./schema";
import type { JsonSchema, Params } from "./types";
import { fieldsOfKind, layoutParams, resolveScope, type ParamControl, type TableScope } from "./widgets";
import { FieldValuesEditor } from "./widgets/FieldValues";
import { CopyLinksEditor, JsonInput, NumberOrFormula, StepsPicker } from "./widgets/more";
import { DocumentSelect, FieldListPicker, FieldSelect, FormViewSelect, TableSelect } from "./widgets/pickers";
import { MembersPicker, RecipientsInput } from "./widgets/recipients";
import { TemplateInput } from "./widgets/TemplateInput";
import { OffsetEditor, ScheduleEditor } from "./widgets/timing";

/** Params whose control lists things of the table or link named by `changed`. */
export function dependents(controls: ParamControl[], changed: string): string[] {
  const out = controls
    .filter((c) => "table" in c.widget && (c.widget.table as TableScope).from !== "trigger" && (c.widget.table as { param: string }).param === changed)
    .map((c) => c.spec.name);
  if (changed === "table_id" && controls.some((c) => c.spec.name === "copy_links")) out.push("copy_links");
  return out;
}

interface RowProps {
  control: ParamControl;
  path: string;
  params: Params;
  index: number;
  set: (name: string, value: unknown) => void;
  replace: (p: Params) => void;
}

function ParamRow({ control, path, params, index, set, replace }: RowProps) {
  const { base, triggerTable } = useBuilder();
  const { spec, widget, label, hint } = control;
  const own = `${path}.${spec.name}`;
  const error = useErrorAt(own, ...(control.owns ?? []).map((k) => `${path}.${k}`));
  const id = pathId(own);
  const value = params[spec.name];
  const onChange = (v: unknown) => set(spec.name, v);
  const invalid = !!error;
  const table = "table" in widget ? resolveScope(widget.table, params, base, triggerTable) : undefined;

  // The e-mail field of linked rows only matters once a link field is chosen.
  if (widget.kind === "field" && widget.table.from === "link" && !widget.table.fallback && !table) return null;
  if (widget.kind === "schedule") {
    return <div className="form-row"><ScheduleEditor id={id} params={params} onChange={replace} error={error} /></div>;
  }
  if (widget.kind === "checkbox") {
    return (
      <div className="form-row">
        <label className="row check-line">
          <input id={id} type="checkbox" className="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          {label}
        </label>
        {error && <p className="error-text" role="alert">{error}</p>}
        {hint && <p className="hint">{hint}</p>}
      </div>
    );
  }

  let input: React.ReactNode;
  switch (widget.kind) {
    case "table":
      input = <TableSelect id={id} invalid={invalid} value={value} optional={!spec.required} onChange={onChange} />;
      break;
    case "field":
      input = <FieldSelect id={id} invalid={invalid} table={table} fields={fieldsOfKind(table?.fields ?? [], widget.fields)} value={value} onChange={onChange} placeholder={spec.required ? undefined : "None"} />;
      break;
    case "fieldList":
      input = <FieldListPicker id={id} invalid={invalid} table={table} fields={fieldsOfKind(table?.fields ?? [], widget.fields)} value={value} onChange={onChange} />;
      break;
    case "fieldValues":
      input = <FieldValuesEditor id={id} invalid={invalid} table={table} value={value} onChange={onChange} />;
      break;
    case "filter":
      input = table ? (
        <div id={id} className="param-filter">
          <FilterBuilder key={table.id} value={(value as FilterGroup | null) ?? null} fields={table.fields} onChange={(g) => onChange(g)} />
        </div>
      ) : <p className="hint">Choose a table first.</p>;
      break;
    case "template":
      input = <TemplateInput id={id} label={label} invalid={invalid} multiline={widget.multiline} value={value} onChange={onChange} />;
      break;
    case "recipients":
      input = <RecipientsInput id={id} invalid={invalid} value={value} onChange={onChange} />;
      break;
    case "members":
      input = <MembersPicker id={id} invalid={invalid} value={value} onChange={onChange} />;
      break;
    case "document":
      input = <DocumentSelect id={id} invalid={invalid} value={value} onChange={onChange} />;
      break;
    case "formView":
      input = <FormViewSelect id={id} invalid={invalid} value={value} onChange={onChange} />;
      break;
    case "steps":
      input = <StepsPicker id={id} invalid={invalid} index={index} value={value} onChange={onChange} />;
      break;
    case "offset":
      input = <OffsetEditor id={id} invalid={invalid} value={value} onChange={onChange} />;
      break;
    case "time":
      input = <input id={id} className="input" type="time" style={{ width: 140 }} aria-invalid={invalid} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value || null)} />;
      break;
    case "numberOrFormula":
      input = <NumberOrFormula id={id} invalid={invalid} value={value} onChange={onChange} />;
      break;
    case "copyLinks":
      input = <CopyLinksEditor id={id} params={params} value={value} onChange={onChange} />;
      break;
    case "select":
      input = (
        <select id={id} className="select" aria-invalid={invalid} value={value === undefined || value === null ? "" : String(value)} onChange={(e) => onChange(e.target.value || null)}>
          {!spec.required && <option value="">Default</option>}
          {widget.options.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      );
      break;
    case "number":
      input = <input id={id} className="input" type="number" style={{ width: 160 }} aria-invalid={invalid} value={value === undefined || value === null ? "" : String(value)} onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))} />;
      break;
    case "text":
      input = <input id={id} className="input" aria-invalid={invalid} type={spec.name === "secret" ? "password" : "text"} autoComplete="off" value={value === undefined || value === null ? "" : String(value)} onChange={(e) => onChange(e.target.value)} />;
      break;
    default:
      input = <JsonInput id={id} invalid={invalid} value={value} onChange={onChange} />;
  }
  return (
    <div className="form-row">
      <label className="label" id={`${id}-label`} htmlFor={id}>
        {label} {!spec.required && widget.kind !== "fieldValues" && <span className="faint">(optional)</span>}
      </label>
      {input}
      {error && <p className="error-text" role="alert">{error}</p>}
      {hint && !error && <p className="hint">{hint}</p>}
    </div>
  );
}

export function ParamsForm(props: {
  /** `trigger.params` or `actions[i].params`: error paths and control ids start with it. */
  path: string;
  type: string;
  schema: JsonSchema;
  params: Params;
  onChange: (p: Params) => void;
  /** The action's position (earlier steps can be attached). */
  index?: number;
  /** Params edited elsewhere (the trigger's table is picked above its form). */
  exclude?: string[];
}) {
  const { schema, type, exclude } = props;
  const controls = useMemo(() => layoutParams(type, paramSpecs(schema)).filter((c) => !exclude?.includes(c.spec.name)), [schema, type, exclude]);
  const all = useMemo(() => layoutParams(type, paramSpecs(schema)), [schema, type]);
  const set = (name: string, value: unknown) => {
    const next: Params = { ...props.params, [name]: value };
    for (const dep of dependents(all, name)) delete next[dep];
    props.onChange(next);
  };
  if (!controls.length) return null;
  return (
    <div className="params-form">
      {controls.map((c) => (
        <ParamRow key={c.spec.name} control={c} path={props.path} params={props.params} index={props.index ?? 0} set={set} replace={props.onChange} />
      ))}
    </div>
  );
}
