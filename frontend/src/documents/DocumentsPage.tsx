import { useCallback, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Navigate, NavLink, Route, Routes, useNavigate, useParams } from "react-router-dom";
import { FileText, Plus } from "lucide-react";
import type { BaseSchema, Id } from "../api/types";
import { ConfirmDialog } from "../ui/dialogs";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { documentsApi, type DocumentTemplate } from "./api";
import { DocumentEditor } from "./DocumentEditor";
import "./documents.css";

const docsKey = (base: Id) => ["documents", base] as const;

/** Base screen "Documents": the base's document templates and the editor for one. */
export default function DocumentsPage({ base }: { base: BaseSchema }) {
  const docs = useQuery({ queryKey: docsKey(base.id), queryFn: () => documentsApi.list(base.id) });
  const canEdit = base.role === "owner" || base.role === "admin";
  const navigate = useNavigate();
  const [dirty, setDirty] = useState(false);
  const [leaving, setLeaving] = useState<string | null>(null);
  const root = `/bases/${base.id}/documents`;
  // Leaving an edited document asks first; the editor reports whether it has changes.
  const go = (to: string) => (dirty ? setLeaving(to) : navigate(to));
  const items = docs.data?.items ?? [];
  const tableName = (id: Id) => base.tables.find((t) => t.id === id)?.name ?? "Deleted table";

  return (
    <div className="docs-screen">
      <nav className="docs-list" aria-label="Documents">
        <div className="docs-list-head">
          <h2>Documents</h2>
          {canEdit && (
            <button className="btn btn-sm" onClick={() => go(`${root}/new`)} disabled={base.tables.length === 0}>
              <Plus size={14} /> New
            </button>
          )}
        </div>
        {docs.isPending && <Loading />}
        {docs.isError && <ErrorState error={docs.error} onRetry={() => docs.refetch()} />}
        {docs.data && items.length === 0 && <p className="small muted docs-empty">No documents yet.</p>}
        <ul>
          {items.map((d) => (
            <li key={d.id}>
              <NavLink
                to={`${root}/${d.id}`}
                className={({ isActive }) => `docs-item${isActive ? " active" : ""}`}
                onClick={(e) => {
                  if (dirty) {
                    e.preventDefault();
                    setLeaving(`${root}/${d.id}`);
                  }
                }}
              >
                <FileText size={15} />
                <span className="col" style={{ gap: 0, minWidth: 0 }}>
                  <span className="truncate">{d.name}</span>
                  <span className="small faint truncate">{tableName(d.table_id)}</span>
                </span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="docs-main">
        {docs.data && (
          <Routes>
            <Route
              index
              element={
                items[0] ? (
                  <Navigate to={`${root}/${items[0].id}`} replace />
                ) : (
                  <EmptyState
                    icon={<FileText size={22} />}
                    title="No document templates"
                    action={canEdit && base.tables.length > 0 ? <button className="btn btn-primary" onClick={() => navigate(`${root}/new`)}><Plus size={15} /> New document</button> : undefined}
                  >
                    Documents turn a row into a PDF: order confirmations, delivery notes, invoices.
                  </EmptyState>
                )
              }
            />
            <Route path=":docId" element={<DocumentRoute base={base} docs={items} canEdit={canEdit} onDirtyChange={setDirty} />} />
          </Routes>
        )}
      </div>
      {leaving && (
        <ConfirmDialog
          title="Discard unsaved changes?"
          danger
          confirmLabel="Discard changes"
          onClose={() => setLeaving(null)}
          onConfirm={() => {
            setDirty(false);
            navigate(leaving);
          }}
        >
          The changes to this document are not saved.
        </ConfirmDialog>
      )}
    </div>
  );
}

function DocumentRoute(props: { base: BaseSchema; docs: DocumentTemplate[]; canEdit: boolean; onDirtyChange: (dirty: boolean) => void }) {
  const { base, docs, canEdit, onDirtyChange } = props;
  const param = useParams().docId;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const root = `/bases/${base.id}/documents`;
  const isNew = param === "new";
  const doc = isNew ? null : docs.find((d) => d.id === Number(param));
  const refresh = useCallback(() => qc.invalidateQueries({ queryKey: docsKey(base.id) }), [qc, base.id]);

  if (!isNew && !doc) return <EmptyState title="Document not found">It may have been deleted.</EmptyState>;
  if (isNew && !canEdit) return <Navigate to={root} replace />;
  return (
    <DocumentEditor
      key={doc?.id ?? "new"}
      base={base}
      doc={doc ?? null}
      canEdit={canEdit}
      onDirtyChange={onDirtyChange}
      onSaved={async (saved) => {
        qc.setQueryData(docsKey(base.id), (old: { items: DocumentTemplate[] } | undefined) =>
          old ? { items: [...old.items.filter((d) => d.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name)) } : old,
        );
        if (isNew) {
          onDirtyChange(false);
          navigate(`${root}/${saved.id}`, { replace: true });
        }
        await refresh();
      }}
      onDeleted={async () => {
        onDirtyChange(false);
        await refresh();
        navigate(root, { replace: true });
      }}
    />
  );
}
