import { useState } from "react";
import { Download, FileSpreadsheet, FileText, Upload } from "lucide-react";
import { useView } from "../base/context";
import { Popover, usePopover } from "../ui/Popover";
import { useToast } from "../ui/toast";
import { exportUrl, type Job } from "./api";
import { describeJob } from "./jobs";
import { ImportDialog } from "./ImportDialog";

/** The grid toolbar's "Import" (editors) and "Export" (everyone) buttons for the current view. */
export function TableDataButtons() {
  const { base, table, view, canEditData, refreshSchema } = useView();
  const toast = useToast();
  const exportMenu = usePopover();
  const [importing, setImporting] = useState(false);
  // Closed after the click has started the download: a link removed during its own
  // click event does not navigate.
  const closeSoon = () => window.setTimeout(exportMenu.close, 0);
  const imported = (job: Job) => {
    toast.success(describeJob(job).label);
    // The grid reloads on the server's live "resync" for the table; the schema may have
    // new fields from the mapping.
    void refreshSchema();
  };
  return (
    <>
      {canEditData && (
        <button className="btn btn-ghost btn-sm" onClick={() => setImporting(true)} title="Import rows from a CSV or XLSX file" aria-label="Import">
          <Upload size={15} /> <span className="label-text">Import</span>
        </button>
      )}
      <button className="btn btn-ghost btn-sm" onClick={exportMenu.toggle} aria-haspopup="menu" aria-expanded={exportMenu.open} title="Download this view" aria-label="Export">
        <Download size={15} /> <span className="label-text">Export</span>
      </button>
      {exportMenu.open && (
        <Popover anchor={exportMenu.anchor} onClose={exportMenu.close} width={240}>
          <div role="menu" aria-label="Export">
            <div className="menu-label">{view.name}: filter, sort and visible fields</div>
            <a className="menu-item" role="menuitem" href={exportUrl(table.id, "csv", view.id)} download onClick={closeSoon}>
              <FileText size={14} /> CSV
            </a>
            <a className="menu-item" role="menuitem" href={exportUrl(table.id, "csv", view.id, true)} download onClick={closeSoon}>
              <FileText size={14} /> CSV for Excel (UTF-8 BOM)
            </a>
            <a className="menu-item" role="menuitem" href={exportUrl(table.id, "xlsx", view.id)} download onClick={closeSoon}>
              <FileSpreadsheet size={14} /> Excel workbook (XLSX)
            </a>
          </div>
        </Popover>
      )}
      {importing && (
        <ImportDialog base={base} table={table} onClose={() => setImporting(false)} onImported={imported} onSchemaChanged={refreshSchema} />
      )}
    </>
  );
}
