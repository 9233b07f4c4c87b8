import { AlertTriangle, CheckCircle2, Download } from "lucide-react";
import { saveBlob } from "../documents/api";
import type { Job } from "./api";
import { describeJob, rejectedCsv } from "./jobs";

const SHOWN_REJECTIONS = 100;

/** The progress bar while an import runs, then what it did and which rows it refused. */
export function ImportProgress({ job, fileName }: { job: Job; fileName: string }) {
  const view = describeJob(job);
  const r = job.result;
  const rejected = view.rejectedRows;
  return (
    <div className="col import-progress" data-testid="import-progress" data-state={view.state}>
      {(view.state === "queued" || view.state === "running") && (
        <>
          <p>{view.label}</p>
          <div className="progress" role="progressbar" aria-label="Import progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={view.percent}>
            <div className="progress-bar" style={{ width: `${Math.max(view.percent, 3)}%` }} />
          </div>
          <p className="small muted">You can close this dialog: the import goes on in the background.</p>
        </>
      )}
      {view.state === "succeeded" && (
        <div className="banner banner-success" role="status">
          <CheckCircle2 size={16} /> <span>{view.label}.</span>
        </div>
      )}
      {view.state === "succeeded" && r && (
        <dl className="import-stats">
          <div><dt>Created</dt><dd>{r.created}</dd></div>
          <div><dt>Updated</dt><dd>{r.updated}</dd></div>
          <div><dt>Rejected</dt><dd>{r.rejected}</dd></div>
          <div><dt>Rows read</dt><dd>{r.rows_read}</dd></div>
        </dl>
      )}
      {view.state === "failed" && (
        <div className="banner import-failed" role="alert">
          <AlertTriangle size={16} /> <span>{view.label}</span>
        </div>
      )}
      {rejected.length > 0 && (
        <section className="col">
          <div className="row">
            <strong className="small">Rejected rows</strong>
            <span className="spacer" />
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => saveBlob(new Blob([rejectedCsv(rejected)], { type: "text/csv" }), `${fileName.replace(/\.[^.]+$/, "")} rejected rows.csv`)}
            >
              <Download size={14} /> Download report
            </button>
          </div>
          <div className="card import-rejections">
            <table className="table">
              <thead><tr><th>Row</th><th>Column</th><th>Problem</th></tr></thead>
              <tbody>
                {rejected.slice(0, SHOWN_REJECTIONS).map((x, i) => (
                  <tr key={`${x.row}-${i}`}><td>{x.row}</td><td>{x.column ?? x.field ?? ""}</td><td>{x.message}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
          {rejected.length > SHOWN_REJECTIONS && <p className="hint">The first {SHOWN_REJECTIONS} of {rejected.length} are shown; the report has them all.</p>}
        </section>
      )}
    </div>
  );
}
