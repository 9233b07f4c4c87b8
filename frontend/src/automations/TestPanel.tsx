// Try a saved automation on a row without effects (a dry run in a rolled-back transaction),
// or run it for real on that row.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, FlaskConical, Play, Search } from "lucide-react";
import { errorMessage } from "../api/client";
import { endpoints } from "../api/endpoints";
import type { Id, Table } from "../api/types";
import { formatCell, fieldKey } from "../fields/format";
import { ConfirmDialog } from "../ui/dialogs";
import { Spinner } from "../ui/States";
import { useToast } from "../ui/toast";
import { akeys, automations } from "./api";
import { StepList } from "./StepList";
import type { DryRunReport, Rule } from "./types";
import { useDebounced } from "../ui/useDebounced";


function RowChooser(props: { table: Table; value: Id | null; onChange: (id: Id | null) => void }) {
  const { table } = props;
  const [search, setSearch] = useState("");
  const q = useDebounced(search);
  const rows = useQuery({ queryKey: ["rule-test-rows", table.id, q], queryFn: () => endpoints.rows(table.id, { search: q, limit: 25 }) });
  const primary = table.fields.find((f) => f.id === table.primary_field_id);
  return (
    <div className="row-chooser">
      <div className="search-box">
        <Search size={14} />
        <input className="input input-sm" placeholder={`Search ${table.name}`} aria-label={`Search ${table.name}`} value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <div className="row-choices" role="radiogroup" aria-label="Row to test with">
        <label className="row check-line">
          <input type="radio" name="test-row" checked={props.value === null} onChange={() => props.onChange(null)} />
          The newest row
        </label>
        {rows.isPending && <Spinner />}
        {rows.isError && <p className="error-text">{errorMessage(rows.error)}</p>}
        {rows.data?.rows.map((r) => {
          const name = (primary && formatCell(primary, r.fields[fieldKey(primary.id)])) || `Row ${r.id}`;
          return (
            <label key={r.id} className="row check-line">
              <input type="radio" name="test-row" checked={props.value === r.id} onChange={() => props.onChange(r.id)} />
              <span className="truncate">{name}</span>
            </label>
          );
        })}
        {rows.data && rows.data.rows.length === 0 && <p className="small muted">No rows match.</p>}
      </div>
    </div>
  );
}

function Report({ report }: { report: DryRunReport }) {
  const c = report.condition;
  return (
    <div className="test-report" aria-live="polite">
      {report.row_id !== null && <p className="small muted">Tested with row {report.row_id}. Nothing was changed or sent.</p>}
      {c && (
        <div className={`banner${c.holds ? " banner-success" : ""}`}>
          {c.holds ? "The condition holds for this row." : "The condition does not hold for this row: the automation would not run for it. The steps below show what it would do if it did."}
          {c.formula_error && <> Formula error: {c.formula_error}</>}
        </div>
      )}
      <StepList steps={report.steps} />
      {report.error && <p className="error-text">{report.error}</p>}
    </div>
  );
}

export function TestPanel(props: { rule: Rule; table: Table | undefined; dirty: boolean; onSave: () => void }) {
  const { rule, table } = props;
  const qc = useQueryClient();
  const toast = useToast();
  const [rowId, setRowId] = useState<Id | null>(null);
  const [report, setReport] = useState<DryRunReport | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmRun, setConfirmRun] = useState(false);

  const test = async () => {
    setBusy(true);
    setFailure(null);
    try {
      setReport(await automations.test(rule.id, rowId ?? undefined));
    } catch (err) {
      setReport(null);
      setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="test-panel" role="tabpanel" aria-label="Test">
      {props.dirty && (
        <div className="banner" role="status">
          <AlertTriangle size={16} /> The test uses the saved automation, without your latest changes.
          <span className="spacer" />
          <button type="button" className="btn btn-sm" onClick={props.onSave}>Save changes</button>
        </div>
      )}
      {table ? <RowChooser table={table} value={rowId} onChange={setRowId} /> : <p className="muted">This automation does not start from a row.</p>}
      <div className="row">
        <button type="button" className="btn btn-primary" onClick={test} disabled={busy}>
          <FlaskConical size={15} /> Test
        </button>
        {table && rowId !== null && (
          <button type="button" className="btn" onClick={() => setConfirmRun(true)}>
            <Play size={15} /> Run for real on this row
          </button>
        )}
        {busy && <Spinner label="Testing" />}
      </div>
      {failure && <p className="error-text" role="alert">{failure}</p>}
      {report && <Report report={report} />}
      {confirmRun && rowId !== null && (
        <ConfirmDialog
          title="Run this automation now?"
          confirmLabel="Run now"
          onClose={() => setConfirmRun(false)}
          onConfirm={async () => {
            await automations.run(rule.id, rowId);
            await qc.invalidateQueries({ queryKey: akeys.runs(rule.id) });
            toast.success("Started; the run log shows the result");
          }}
        >
          The actions run for real on row {rowId}: rows change and messages are sent.
        </ConfirmDialog>
      )}
    </div>
  );
}
