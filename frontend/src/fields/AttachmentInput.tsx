import { useRef, useState } from "react";
import { FileText, Upload, X } from "lucide-react";
import { endpoints } from "../api/endpoints";
import type { Attachment, Id } from "../api/types";
import { errorMessage } from "../api/client";
import { Spinner } from "../ui/States";
import { attachmentUrl, isImage } from "./CellValue";
import { formatBytes } from "./format";

/** Upload files (drop or pick), preview images, remove attachments. */
export function AttachmentInput(props: { baseId: Id; value: unknown; onChange: (v: Attachment[]) => void; readOnly?: boolean }) {
  const files = (props.value as Attachment[] | null) ?? [];
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(0);
  const [over, setOver] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const upload = async (list: FileList | null) => {
    if (!list?.length) return;
    setError(null);
    setBusy((b) => b + list.length);
    const added: Attachment[] = [];
    for (const file of Array.from(list)) {
      try {
        added.push(await endpoints.uploadFile(file, props.baseId));
      } catch (e) {
        setError(`${file.name}: ${errorMessage(e)}`);
      } finally {
        setBusy((b) => b - 1);
      }
    }
    if (added.length) props.onChange([...files, ...added]);
  };

  return (
    <div className="col">
      {files.length > 0 && (
        <div className="attachment-list">
          {files.map((a) => {
            const url = attachmentUrl(a);
            return (
              <div key={a.id} className="attachment-tile">
                <a className="preview" href={url ?? undefined} target="_blank" rel="noopener noreferrer" title={`Open ${a.name}`}>
                  {isImage(a) && url ? <img src={url} alt={a.name} /> : <FileText size={24} />}
                </a>
                <div className="meta">
                  <div className="truncate" title={a.name}>{a.name}</div>
                  <div className="faint">{formatBytes(a.size)}</div>
                </div>
                {!props.readOnly && (
                  <button type="button" className="remove" aria-label={`Remove ${a.name}`} onClick={() => props.onChange(files.filter((x) => x.id !== a.id))}>
                    <X size={12} />
                  </button>
                )}
              </div>
            );
          })}
        </div>
      )}
      {!props.readOnly && (
        <div
          className={`dropzone${over ? " over" : ""}`}
          role="button"
          tabIndex={0}
          onClick={() => input.current?.click()}
          onKeyDown={(e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.current?.click(); } }}
          onDragOver={(e) => { e.preventDefault(); setOver(true); }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => { e.preventDefault(); setOver(false); void upload(e.dataTransfer.files); }}
        >
          {busy > 0 ? <span className="row" style={{ justifyContent: "center" }}><Spinner /> Uploading…</span> : <span className="row" style={{ justifyContent: "center" }}><Upload size={16} /> Drop files or click to upload</span>}
          <input ref={input} type="file" multiple hidden onChange={(e) => { void upload(e.target.files); e.target.value = ""; }} />
        </div>
      )}
      {error && <p className="error-text" role="alert">{error}</p>}
    </div>
  );
}
