import { useCallback, useState } from "react";
import { FileUp, Upload } from "lucide-react";
import { errorMessage } from "../api/client";
import { endpoints } from "../api/endpoints";
import type { BaseSchema, Table } from "../api/types";
import { Modal } from "../ui/Modal";
import { Spinner } from "../ui/States";
import { interchangeApi, type ImportPreview, type ImportTarget, type Job } from "./api";
import { ImportProgress } from "./ImportProgress";
import { buildRequest, initialSetup, keyCandidates, setupProblems, type ImportSetup } from "./mapping";
import { MappingTable } from "./MappingTable";
import { useImportJob } from "./useImportJob";
import "./interchange.css";

const ACCEPT = ".csv,.tsv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * Import a CSV or XLSX file: choose it, check the detected columns and where each goes,
 * start, follow the progress, read the result. `table` null imports into a new table.
 */
export function ImportDialog(props: {
  base: BaseSchema;
  table: Table | null;
  onClose: () => void;
  /** After a successful import (refresh the grid, or open the new table). */
  onImported: (job: Job) => void | Promise<void>;
  /** After new fields were created for the import (refresh the schema). */
  onSchemaChanged?: () => void | Promise<void>;
}) {
  const { base, table, onImported } = props;
  const target: ImportTarget = table ? { kind: "table", tableId: table.id } : { kind: "base", baseId: base.id };
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [setup, setSetup] = useState<ImportSetup | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const finished = useCallback((job: Job) => {
    if (job.status === "succeeded") void onImported(job);
  }, [onImported]);
  const importJob = useImportJob(finished);
  const job = importJob.job;

  const choose = async (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    setPreview(null);
    setError(null);
    setBusy(true);
    try {
      const p = await interchangeApi.preview(target, f);
      setPreview(p);
      setSetup(initialSetup(p, table, f.name));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const problems = preview && setup ? setupProblems(setup, preview.columns, table) : [];
  const start = async () => {
    if (!file || !preview || !setup || problems.length) return;
    setBusy(true);
    setError(null);
    try {
      const request = buildRequest(setup, preview.columns, table);
      if (table && request.newFields.length) {
        for (const f of request.newFields) await endpoints.createField(table.id, f);
        await props.onSchemaChanged?.();
      }
      const { job_id } = await interchangeApi.start(target, file, request.options);
      importJob.follow(job_id);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const patch = (p: Partial<ImportSetup>) => setSetup((s) => (s ? { ...s, ...p } : s));
  const running = job !== null && (job.status === "queued" || job.status === "running");
  const title = table ? `Import into ${table.name}` : "Import into a new table";

  const footer = job ? (
    <>
      {job.status === "failed" && <button className="btn" onClick={importJob.reset}>Back to the options</button>}
      <button className={`btn${running ? "" : " btn-primary"}`} onClick={props.onClose}>{running ? "Close (keeps running)" : "Done"}</button>
    </>
  ) : (
    <>
      {preview && <button className="btn" onClick={() => { setPreview(null); setFile(null); }} disabled={busy}>Choose another file</button>}
      <button className="btn" onClick={props.onClose}>Cancel</button>
      <button className="btn btn-primary" onClick={() => void start()} disabled={!preview || busy || problems.length > 0}>
        <Upload size={14} /> Start import
      </button>
    </>
  );

  return (
    <Modal title={title} onClose={props.onClose} wide footer={footer}>
      {job ? (
        <>
          <ImportProgress job={job} fileName={file?.name ?? "import"} />
          {importJob.error !== null && <p className="error-text" role="alert">Lost track of the import: {errorMessage(importJob.error)}</p>}
        </>
      ) : !preview ? (
        <label
          className={`import-drop${dragging ? " dragging" : ""}`}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => { e.preventDefault(); setDragging(false); void choose(e.dataTransfer.files[0]); }}
        >
          {busy ? <Spinner label="Reading the file" /> : <FileUp size={26} />}
          <strong>{busy ? `Reading ${file?.name ?? "the file"}…` : "Choose a CSV or XLSX file"}</strong>
          <span className="small muted">or drop it here. The first rows are shown before anything is imported.</span>
          <input type="file" accept={ACCEPT} className="sr-only" aria-label="File to import" onChange={(e) => void choose(e.target.files?.[0])} disabled={busy} />
        </label>
      ) : (
        setup && (
          <div className="col" style={{ gap: 14 }}>
            <p className="small muted">
              <strong>{file?.name}</strong>: {preview.format.toUpperCase()}
              {preview.encoding && `, ${preview.encoding}`}
              {preview.delimiter && `, separated by "${preview.delimiter === "\t" ? "tab" : preview.delimiter}"`}
              {preview.sheet && `, sheet "${preview.sheet}"`} · {preview.columns.length} columns, {preview.sampled_rows} rows checked
            </p>
            {!table && (
              <div>
                <label className="label" htmlFor="import-table-name">Name of the new table</label>
                <input id="import-table-name" className="input" value={setup.tableName} onChange={(e) => patch({ tableName: e.target.value })} />
              </div>
            )}
            <MappingTable columns={preview.columns} table={table} choices={setup.choices} onChange={(col, choice) => patch({ choices: { ...setup.choices, [col]: choice } })} />
            {table && (
              <fieldset className="import-mode">
                <legend className="label">Rows</legend>
                <label className="row"><input type="radio" name="import-mode" checked={setup.mode === "append"} onChange={() => patch({ mode: "append" })} /> Add every row as a new row</label>
                <label className="row">
                  <input type="radio" name="import-mode" checked={setup.mode === "upsert"} onChange={() => patch({ mode: "upsert" })} />
                  Update rows whose key matches, add the others
                </label>
                {setup.mode === "upsert" && (
                  <label className="row import-key">
                    Key field
                    <select className="select select-sm" value={setup.keyFields[0] ?? ""} onChange={(e) => patch({ keyFields: e.target.value ? [e.target.value] : [] })}>
                      <option value="">Choose…</option>
                      {keyCandidates(table).map((f) => <option key={f.id} value={f.name}>{f.name}</option>)}
                    </select>
                  </label>
                )}
              </fieldset>
            )}
            <label className="row">
              <input type="checkbox" className="checkbox" checked={setup.skipBadRows} onChange={(e) => patch({ skipBadRows: e.target.checked })} />
              Skip rows with errors and import the rest (otherwise one bad row stops the import)
            </label>
            {problems.length > 0 && (
              <ul className="import-problems" aria-live="polite">
                {problems.map((p) => <li key={p}>{p}</li>)}
              </ul>
            )}
          </div>
        )
      )}
      {error && <p className="error-text" role="alert" style={{ marginTop: 12 }}>{error}</p>}
    </Modal>
  );
}
