import { useEffect, useRef, useState } from "react";
import { FileDown, Loader2, Save, Trash2 } from "lucide-react";
import { errorMessage } from "../api/client";
import type { BaseSchema, Id } from "../api/types";
import { ConfirmDialog } from "../ui/dialogs";
import { useToast } from "../ui/toast";
import { CodeEditor, type CodeEditorHandle } from "./CodeEditor";
import { documentsApi, downloadPdf, type DocumentDraft, type DocumentTemplate } from "./api";
import { InsertFieldMenu } from "./InsertFieldMenu";
import { errorLine, fieldExpression, lineIndent } from "./insert";
import { PreviewPane } from "./PreviewPane";
import { RowPicker } from "./RowPicker";
import { usePreview } from "./usePreview";

export function starterDraft(base: BaseSchema): DocumentDraft {
  const table = base.tables[0];
  const primary = table?.fields.find((f) => f.id === table.primary_field_id);
  const heading = primary ? fieldExpression(primary) : "{{ row.id }}";
  return {
    name: "Untitled document",
    table_id: table?.id ?? 0,
    template: `<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"></head>\n<body>\n  <h1>${heading}</h1>\n</body>\n</html>\n`,
    css: '@page { size: A4; margin: 20mm }\nbody { font-family: "Liberation Sans", sans-serif; font-size: 10pt; }\n',
  };
}

type Tab = "template" | "css";

/**
 * One document template: name, table, the HTML and CSS source, and a live preview for a
 * chosen row. `doc` null means a new, unsaved document.
 */
export function DocumentEditor(props: {
  base: BaseSchema;
  doc: DocumentTemplate | null;
  canEdit: boolean;
  onSaved: (doc: DocumentTemplate) => void;
  onDeleted: () => void;
  onDirtyChange: (dirty: boolean) => void;
}) {
  const { base, doc, canEdit, onDirtyChange } = props;
  const toast = useToast();
  const saved: DocumentDraft = doc ? { name: doc.name, table_id: doc.table_id, template: doc.template, css: doc.css } : starterDraft(base);
  const [draft, setDraft] = useState<DocumentDraft>(saved);
  const [tab, setTab] = useState<Tab>("template");
  const [rowId, setRowId] = useState<Id | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [downloading, setDownloading] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const editor = useRef<CodeEditorHandle>(null);
  const templateArea = useRef<HTMLDivElement>(null);

  const table = base.tables.find((t) => t.id === draft.table_id);
  const dirty = !doc || draft.name !== saved.name || draft.table_id !== saved.table_id || draft.template !== saved.template || draft.css !== saved.css;
  useEffect(() => onDirtyChange(dirty && canEdit), [dirty, canEdit, onDirtyChange]);
  useEffect(() => () => onDirtyChange(false), [onDirtyChange]);
  useEffect(() => {
    if (!dirty || !canEdit) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, canEdit]);

  const preview = usePreview({
    baseId: base.id,
    docId: doc?.id ?? null,
    draft: canEdit,
    tableId: draft.table_id,
    template: draft.template,
    css: draft.css,
    rowId,
  });
  const shownRow = rowId ?? preview.rowId;
  const set = (patch: Partial<DocumentDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setSaveError(null);
  };

  const save = async () => {
    if (!canEdit || saving || !draft.name.trim()) return;
    setSaving(true);
    setSaveError(null);
    try {
      const body = { ...draft, name: draft.name.trim() };
      const result = doc ? await documentsApi.update(doc.id, body) : await documentsApi.create(base.id, body);
      toast.success(`Saved "${result.name}"`);
      props.onSaved(result);
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const download = async () => {
    if (!doc || shownRow === null) return;
    setDownloading(true);
    try {
      await downloadPdf(doc.id, shownRow, `${doc.name}.pdf`);
    } catch (e) {
      toast.error(e);
    } finally {
      setDownloading(false);
    }
  };

  const saveLine = errorLine(saveError);
  const markedLine = tab === "template" ? (saveLine ?? preview.errorLine) : null;
  const caretIndent = () => {
    const area = templateArea.current?.querySelector("textarea");
    return area ? lineIndent(area.value, area.selectionStart) : "";
  };

  return (
    <div
      className="doc-editor"
      onKeyDown={(e) => {
        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
          e.preventDefault();
          void save();
        }
      }}
    >
      <div className="doc-editor-bar">
        <input
          className="input doc-name"
          aria-label="Document name"
          value={draft.name}
          readOnly={!canEdit}
          onChange={(e) => set({ name: e.target.value })}
        />
        <label className="row small muted" style={{ gap: 6 }}>
          Table
          <select
            className="select select-sm"
            aria-label="Table of the document"
            value={draft.table_id}
            disabled={!canEdit}
            onChange={(e) => {
              set({ table_id: Number(e.target.value) });
              setRowId(null);
            }}
          >
            {base.tables.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </label>
        <span className="spacer" />
        {canEdit && <span className="small faint" aria-live="polite">{dirty ? (doc ? "Unsaved changes" : "Not saved yet") : "All changes saved"}</span>}
        <button
          className="btn btn-sm"
          onClick={download}
          disabled={!doc || dirty || shownRow === null || downloading}
          title={!doc || dirty ? "Save first: the PDF is made from the saved template" : "Download the PDF for the chosen row"}
        >
          {downloading ? <Loader2 size={14} className="spin" /> : <FileDown size={14} />} Download PDF
        </button>
        {canEdit && doc && (
          <button className="btn btn-sm btn-ghost" onClick={() => setConfirmDelete(true)}>
            <Trash2 size={14} /> Delete
          </button>
        )}
        {canEdit && (
          <button className="btn btn-sm btn-primary" onClick={() => void save()} disabled={saving || !dirty || !draft.name.trim()} title="Save (Ctrl+S)">
            <Save size={14} /> {saving ? "Saving…" : "Save"}
          </button>
        )}
      </div>
      {saveError !== null && (
        <div className="banner doc-banner" role="alert">
          Not saved: {errorMessage(saveError)}
        </div>
      )}
      <div className="doc-editor-split">
        <section className="doc-source" aria-label="Template source">
          <div className="doc-pane-bar">
            <div className="segmented" role="group" aria-label="Source">
              <button type="button" aria-pressed={tab === "template"} onClick={() => setTab("template")}>HTML template</button>
              <button type="button" aria-pressed={tab === "css"} onClick={() => setTab("css")}>CSS</button>
            </div>
            <span className="spacer" />
            {table && tab === "template" && canEdit && (
              <InsertFieldMenu table={table} tables={base.tables} indentation={caretIndent} onInsert={(s) => editor.current?.insert(s)} />
            )}
          </div>
          <div className="doc-code" ref={templateArea} hidden={tab !== "template"}>
            <CodeEditor
              ref={editor}
              id="doc-template"
              label="HTML template"
              value={draft.template}
              readOnly={!canEdit}
              errorLine={markedLine}
              onChange={(template) => set({ template })}
            />
          </div>
          <div className="doc-code" hidden={tab !== "css"}>
            <CodeEditor id="doc-css" label="CSS" value={draft.css} readOnly={!canEdit} onChange={(css) => set({ css })} />
          </div>
          <p className="hint doc-hint">
            Jinja2: <code>{"{{ row['Field'] }}"}</code>, <code>{"row.display['Field']"}</code> for formatted values,{" "}
            <code>{"{% for line in row.links['Lines'] %}"}</code>. Tab indents; press Escape, then Tab to move on.
          </p>
        </section>
        <section className="doc-preview" aria-label="Preview">
          <div className="doc-pane-bar">
            <strong className="small">Preview</strong>
            {preview.busy && <Loader2 size={14} className="spin faint" aria-label="Updating preview" />}
            <span className="spacer" />
            {table && <RowPicker key={table.id} table={table} value={shownRow} onChange={setRowId} />}
          </div>
          <PreviewPane html={preview.html} error={preview.error} idle={preview.idle} />
        </section>
      </div>
      {confirmDelete && doc && (
        <ConfirmDialog
          title={`Delete "${doc.name}"?`}
          danger
          confirmLabel="Delete document"
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await documentsApi.remove(doc.id);
            props.onDeleted();
          }}
        >
          Rules that generate this document stop working. PDFs it already made stay on their rows.
        </ConfirmDialog>
      )}
    </div>
  );
}
