import { AlertTriangle, FileText } from "lucide-react";
import { ApiError, errorMessage } from "../api/client";
import { EmptyState, Loading } from "../ui/States";

/**
 * The rendered HTML in an iframe with an empty `sandbox`: no scripts, no forms, no
 * same-origin access, whatever the template contains. The last good render stays visible
 * (dimmed) under a template error so the page does not jump while typing.
 */
export function PreviewPane({ html, error, idle }: { html: string | null; error: unknown; idle: boolean }) {
  const noRows = error instanceof ApiError && error.code === "NO_ROWS";
  return (
    <div className="doc-preview-body">
      {error !== null && !noRows && (
        <div className="doc-error" role="alert">
          <AlertTriangle size={15} />
          <span>{errorMessage(error)}</span>
        </div>
      )}
      {noRows && (
        <EmptyState icon={<FileText size={22} />} title="No row to preview">
          Add a row to this table to see the document with real data.
        </EmptyState>
      )}
      {idle && html === null && <EmptyState icon={<FileText size={22} />} title="Nothing to preview">Write a template to see it here.</EmptyState>}
      {!idle && !noRows && html === null && error === null && <Loading label="Rendering preview…" />}
      {!noRows && html !== null && (
        <iframe
          className={`doc-frame${error !== null ? " stale" : ""}`}
          title="Document preview"
          sandbox=""
          referrerPolicy="no-referrer"
          srcDoc={html}
        />
      )}
    </div>
  );
}
