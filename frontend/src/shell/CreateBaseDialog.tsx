import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { FilePlus2, LayoutTemplate } from "lucide-react";
import { errorMessage } from "../api/client";
import { endpoints } from "../api/endpoints";
import { qk, useTemplates } from "../api/queries";
import type { Workspace } from "../api/types";
import { Modal } from "../ui/Modal";
import { Spinner } from "../ui/States";

/** Picture URLs from the server are used only when they are same-origin or data images. */
function safePicture(src: string | null | undefined): string | null {
  if (!src) return null;
  if (src.startsWith("data:image/")) return src;
  try {
    const url = new URL(src, window.location.origin);
    return url.origin === window.location.origin ? url.href : null;
  } catch {
    return null;
  }
}

export function CreateBaseDialog({ workspace, onClose }: { workspace: Workspace; onClose: () => void }) {
  const templates = useTemplates();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [template, setTemplate] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const items = templates.data?.items ?? [];

  const submit = async (e?: React.FormEvent) => {
    e?.preventDefault();
    const chosen = items.find((t) => t.name === template);
    const finalName = name.trim() || chosen?.title || "";
    if (!finalName) return setError("Give the base a name.");
    setBusy(true);
    setError(null);
    try {
      const base = await endpoints.createBase(workspace.id, finalName, template ?? undefined);
      await qc.invalidateQueries({ queryKey: qk.bases(workspace.id) });
      onClose();
      navigate(`/bases/${base.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Create a base"
      wide
      onClose={onClose}
      footer={
        <>
          {busy && <Spinner />}
          <button className="btn" onClick={onClose}>Cancel</button>
          <button className="btn btn-primary" onClick={() => submit()} disabled={busy}>
            Create base
          </button>
        </>
      }
    >
      <form onSubmit={submit}>
        <div className="form-row">
          <label className="label" htmlFor="base-name">Name</label>
          <input id="base-name" className="input" value={name} autoFocus placeholder={items.find((t) => t.name === template)?.title ?? "My shop"} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="label">Start from</div>
        <div className="template-grid" role="group" aria-label="Templates">
          <button type="button" className="card template-card" aria-pressed={template === null} onClick={() => setTemplate(null)}>
            <div className="pic"><FilePlus2 size={28} /></div>
            <div className="body">
              <strong>Blank base</strong>
              <p className="small muted">Start from scratch with one empty table.</p>
            </div>
          </button>
          {items.map((t) => {
            const pic = safePicture(t.picture);
            return (
              <button type="button" key={t.name} className="card template-card" aria-pressed={template === t.name} onClick={() => setTemplate(t.name)}>
                <div className="pic">{pic ? <img src={pic} alt="" /> : <LayoutTemplate size={28} />}</div>
                <div className="body">
                  <strong>{t.title}</strong>
                  <p className="small muted">{t.description}</p>
                </div>
              </button>
            );
          })}
        </div>
        {templates.isPending && <p className="small muted" style={{ marginTop: 8 }}>Loading templates…</p>}
        {templates.isError && <p className="small muted" style={{ marginTop: 8 }}>Templates are not available right now.</p>}
        {error && <p className="error-text" role="alert" style={{ marginTop: 12 }}>{error}</p>}
      </form>
    </Modal>
  );
}
