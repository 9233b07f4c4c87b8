import { useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router-dom";
import { CheckCircle2 } from "lucide-react";
import { ApiError } from "../api/client";
import { FieldInput } from "../fields/FieldInput";
import { Logo } from "../shell/Logo";
import { ErrorState, Loading } from "../ui/States";
import { LineItems, type LineEdit } from "./LineItems";
import { LinkPicker } from "./LinkPicker";
import { PublicViewPage } from "./PublicViewPage";
import {
  buildBody, fieldKind, initialValues, linePath, pruneForm, serverErrors, shiftLineErrors, validate,
  withoutErrors, type FormErrors, type FormValues, type Line,
} from "./publicForm";
import { publicFormApi, type PickedRow, type PublicFormDef, type PublicFormField } from "./publicFormApi";
import "./forms.css";

/** The public form at /s/{token}: no account, no access to other rows. */
export default function PublicFormPage() {
  const token = useParams().token ?? "";
  const form = useQuery({ queryKey: ["public-form", token], queryFn: () => publicFormApi.form(token), retry: false });

  if (form.isPending) return <Loading label="Loading form…" />;
  if (form.isError) {
    // The same /s/{token} address serves read-only views.
    if (form.error instanceof ApiError && form.error.status === 404) return <PublicViewPage token={token} />;
    return <div className="public-form-page"><ErrorState error={form.error} onRetry={() => form.refetch()} /></div>;
  }
  return <FilledForm token={token} def={form.data} />;
}

function FilledForm({ token, def }: { token: string; def: PublicFormDef }) {
  const fields = def.fields.filter((f) => fieldKind(f) !== "unsupported");
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  // Enter in a text box commits its value and submits in the same tick: read the latest here.
  const latest = useRef(values);
  const [errors, setErrors] = useState<FormErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const put = (next: FormValues) => {
    latest.current = next;
    setValues(next);
  };
  const setValue = (f: PublicFormField, v: unknown) => {
    put({ ...latest.current, [f.id]: v });
    setErrors((e) => withoutErrors(e, f.name));
  };
  const setLines = (f: PublicFormField, lines: Line[], edit: LineEdit) => {
    put({ ...latest.current, [f.id]: lines });
    setErrors((e) => {
      if (edit.kind === "remove") return withoutErrors(shiftLineErrors(e, f.name, edit.index), f.name);
      if (edit.kind === "add") return withoutErrors(e, f.name);
      return withoutErrors(e, linePath(f.name, edit.index, edit.sub), linePath(f.name, edit.index));
    });
  };
  const focusFirstError = () =>
    window.requestAnimationFrame(() => {
      const bad = formRef.current?.querySelector(".has-error");
      bad?.querySelector<HTMLElement>("input, select, textarea, button:not(:disabled)")?.focus();
    });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const pruned = pruneForm(fields, latest.current);
    if (pruned !== latest.current) put(pruned);
    const found = validate(fields, pruned);
    setErrors(found);
    if (Object.keys(found).length) {
      setGeneral(["Please check the highlighted fields."]);
      focusFirstError();
      return;
    }
    setBusy(true);
    setGeneral([]);
    try {
      await publicFormApi.submit(token, buildBody(fields, pruned));
      setDone(true);
    } catch (err) {
      const placed = serverErrors(err, fields);
      setErrors(placed.byPath);
      const some = Object.keys(placed.byPath).length > 0;
      setGeneral(placed.general.length ? placed.general : some ? ["Please check the highlighted fields."] : []);
      if (some) focusFirstError();
    } finally {
      setBusy(false);
    }
  };
  const again = () => {
    put(initialValues(fields));
    setErrors({});
    setGeneral([]);
    setDone(false);
  };

  return (
    <div className="public-form-page">
      <div className="card public-form">
        {done ? (
          <div className="state" role="status">
            <div className="state-icon" style={{ background: "#dcfce7", color: "#15803d" }}><CheckCircle2 size={22} /></div>
            <h2>{def.success_message || "Thank you! Your answer was recorded."}</h2>
            <button className="btn" onClick={again}>Submit another answer</button>
          </div>
        ) : (
          <form onSubmit={submit} noValidate ref={formRef}>
            <h1>{def.title}</h1>
            {def.description && <p className="muted pre-wrap" style={{ marginBottom: 24 }}>{def.description}</p>}
            {fields.map((f) => (
              <FormField key={f.id} token={token} field={f} value={values[f.id]} error={errors[f.name]} errors={errors} onValue={(v) => setValue(f, v)} onLines={(lines, edit) => setLines(f, lines, edit)} />
            ))}
            {general.map((m) => <p key={m} className="error-text" role="alert" style={{ marginBottom: 12 }}>{m}</p>)}
            <button className="btn btn-primary" type="submit" disabled={busy} style={{ height: 38 }}>{def.submit_label || "Submit"}</button>
          </form>
        )}
      </div>
      <p className="powered small faint row" style={{ justifyContent: "center" }}><Logo size={16} /> Made with TableKit</p>
    </div>
  );
}

interface FormFieldProps {
  token: string;
  field: PublicFormField;
  value: unknown;
  /** The error of the field itself. */
  error: string | undefined;
  /** All errors (a sub-form shows those of its lines). */
  errors: FormErrors;
  onValue: (v: unknown) => void;
  onLines: (lines: Line[], edit: LineEdit) => void;
}

/** One question of the form: its label, input, help text and error. */
function FormField({ token, field: f, value, error, errors, onValue, onLines }: FormFieldProps) {
  const kind = fieldKind(f);
  const id = `pf-${f.id}`;
  const label = (
    <>
      {f.name}
      {f.required && <span className="error-text" aria-hidden> *</span>}
      {f.required && <span className="sr-only"> (required)</span>}
    </>
  );
  return (
    <div className={`form-row${error ? " has-error" : ""}`}>
      {kind === "subform" ? <span className="label" id={`${id}-label`}>{label}</span> : <label className="label" htmlFor={id}>{label}</label>}
      {kind === "subform" ? (
        <LineItems token={token} field={f} lines={(value as Line[] | undefined) ?? []} errors={errors} onChange={onLines} labelledBy={`${id}-label`} />
      ) : kind === "picker" ? (
        <LinkPicker token={token} field={f} value={(value as PickedRow[] | undefined) ?? []} onChange={onValue} id={id} invalid={!!error} />
      ) : (
        <FieldInput id={id} field={f} value={value} onChange={onValue} baseId={0} workspaceId={0} tables={[]} />
      )}
      {(f.help || f.description) && <p className="hint">{f.help || f.description}</p>}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}
