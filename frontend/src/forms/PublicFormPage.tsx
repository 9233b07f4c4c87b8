import { useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router-dom";
import { CheckCircle2 } from "lucide-react";
import { ApiError, errorMessage } from "../api/client";
import { endpoints } from "../api/endpoints";
import type { Field } from "../api/types";
import { FieldInput } from "../fields/FieldInput";
import { toWriteValue } from "../fields/write";
import { Logo } from "../shell/Logo";
import { ErrorState, Loading } from "../ui/States";
import { PublicViewPage } from "./PublicViewPage";
import "./forms.css";

const PUBLIC_TYPES = new Set(["text", "long_text", "email", "url", "phone", "number", "currency", "percent", "rating", "duration", "checkbox", "date", "datetime", "single_select", "multiple_select"]);

const isEmpty = (v: unknown) => v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);

/** The public form at /s/{token}: no account, no access to other rows. */
export default function PublicFormPage() {
  const token = useParams().token ?? "";
  const form = useQuery({ queryKey: ["public-form", token], queryFn: () => endpoints.publicForm(token), retry: false });
  const [values, setValues] = useState<Record<number, unknown>>({});
  // Enter in a text box commits its value and submits in the same tick: read the latest here.
  const latest = useRef<Record<number, unknown>>({});
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  if (form.isPending) return <Loading label="Loading form…" />;
  if (form.isError) {
    const gone = form.error instanceof ApiError && form.error.status === 404;
    // The same /s/{token} address serves read-only views.
    if (gone) return <PublicViewPage token={token} />;
    return <div className="public-form-page">{gone ? <ErrorState error={new Error("This form does not exist or is no longer shared.")} /> : <ErrorState error={form.error} onRetry={() => form.refetch()} />}</div>;
  }
  const def = form.data;
  const fields = def.fields.filter((f) => PUBLIC_TYPES.has(f.type));
  const isRequired = (f: Field) => !!f.required;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const values = latest.current;
    const missing: Record<number, string> = {};
    for (const f of fields) if (isRequired(f) && isEmpty(values[f.id]) && f.type !== "checkbox") missing[f.id] = "Please fill this in.";
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    setSubmitError(null);
    try {
      const body: Record<string, unknown> = {};
      for (const f of fields) if (values[f.id] !== undefined) body[f.name] = toWriteValue(f, values[f.id]);
      await endpoints.submitPublicForm(token, body);
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setSubmitError("Too many submissions right now. Please wait a minute and try again.");
      else setSubmitError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="public-form-page">
      <div className="card public-form">
        {done ? (
          <div className="state" role="status">
            <div className="state-icon" style={{ background: "#dcfce7", color: "#15803d" }}><CheckCircle2 size={22} /></div>
            <h2>{def.success_message || "Thank you! Your answer was recorded."}</h2>
            <button className="btn" onClick={() => { latest.current = {}; setValues({}); setDone(false); }}>Submit another answer</button>
          </div>
        ) : (
          <form onSubmit={submit} noValidate>
            <h1>{def.title}</h1>
            {def.description && <p className="muted pre-wrap" style={{ marginBottom: 24 }}>{def.description}</p>}
            {fields.map((f) => (
              <div key={f.id} className="form-row">
                <label className="label" htmlFor={`pf-${f.id}`}>{f.name}{isRequired(f) && <span className="error-text"> *</span>}</label>
                <FieldInput id={`pf-${f.id}`} field={f} value={values[f.id]} onChange={(v) => { latest.current = { ...latest.current, [f.id]: v }; setValues(latest.current); }} baseId={0} workspaceId={0} tables={[]} />
                {(f.help || f.description) && <p className="hint">{f.help || f.description}</p>}
                {errors[f.id] && <p className="field-error" role="alert">{errors[f.id]}</p>}
              </div>
            ))}
            {submitError && <p className="error-text" role="alert" style={{ marginBottom: 12 }}>{submitError}</p>}
            <button className="btn btn-primary" type="submit" disabled={busy} style={{ height: 38 }}>{def.submit_label || "Submit"}</button>
          </form>
        )}
      </div>
      <p className="powered small faint row" style={{ justifyContent: "center" }}><Logo size={16} /> Made with TableKit</p>
    </div>
  );
}
