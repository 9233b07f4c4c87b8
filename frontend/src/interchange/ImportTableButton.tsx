import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { FileUp } from "lucide-react";
import type { BaseSchema } from "../api/types";
import { useToast } from "../ui/toast";
import { ImportDialog } from "./ImportDialog";

/** "Import" next to "Add table": a CSV or XLSX file becomes a new table (admins). */
export function ImportTableButton({ base, refresh }: { base: BaseSchema; refresh: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const toast = useToast();
  if (base.role !== "owner" && base.role !== "admin") return null;
  return (
    <>
      <button className="btn btn-ghost btn-sm add-table" onClick={() => setOpen(true)} title="Import a CSV or XLSX file as a new table">
        <FileUp size={15} /> Import table
      </button>
      {open && (
        <ImportDialog
          base={base}
          table={null}
          onClose={() => setOpen(false)}
          onImported={async (job) => {
            await refresh();
            const id = job.result?.table_id;
            if (!id) return;
            toast.success(`Imported ${job.result?.created ?? 0} rows into a new table`);
            navigate(`/bases/${base.id}/tables/${id}`);
            // Rejected rows stay on screen until the user has read them.
            if (!job.result?.rejected) setOpen(false);
          }}
        />
      )}
    </>
  );
}
