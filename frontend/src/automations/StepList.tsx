// The steps of a run or a dry run: what each action did (or would do), or why it failed.
import { CheckCircle2, CircleSlash, XCircle } from "lucide-react";
import { useBuilder } from "./context";
import type { RunStep } from "./types";

function StepIcon({ status }: { status: string }) {
  if (status === "ok") return <CheckCircle2 size={16} className="step-icon-ok" aria-label="Succeeded" />;
  if (status === "refused") return <CircleSlash size={16} className="step-icon-refused" aria-label="Refused" />;
  return <XCircle size={16} className="step-icon-failed" aria-label={status === "retry" ? "Will be retried" : "Failed"} />;
}

export function StepList({ steps, count }: { steps: RunStep[]; count?: number }) {
  const { types } = useBuilder();
  const label = (type: string) => types.actions.find((t) => t.type === type)?.label ?? type;
  const done = new Set(steps.map((s) => s.index));
  const skipped = count ? Array.from({ length: count }, (_, i) => i).filter((i) => !done.has(i) && i > Math.max(-1, ...done)) : [];
  return (
    <ol className="step-list">
      {steps.map((s) => (
        <li key={s.index} className={`step step-${s.status}`}>
          <StepIcon status={s.status} />
          <div className="step-body">
            <div className="row" style={{ gap: 6 }}>
              <strong>Step {s.index + 1}: {label(s.type)}</strong>
              {s.duration_ms !== undefined && <span className="small faint">{Math.round(s.duration_ms)} ms</span>}
            </div>
            {s.line && <div className="step-line">{s.line}</div>}
            {s.error && <div className="error-text">{s.error}</div>}
            {s.output && Object.keys(s.output).length > 0 && (
              <details className="step-output">
                <summary className="small muted">Output</summary>
                <pre className="mono small">{JSON.stringify(s.output, null, 2)}</pre>
              </details>
            )}
          </div>
        </li>
      ))}
      {skipped.map((i) => (
        <li key={`skip-${i}`} className="step step-skipped">
          <CircleSlash size={16} aria-hidden />
          <div className="step-body faint">Step {i + 1}: not run</div>
        </li>
      ))}
    </ol>
  );
}
