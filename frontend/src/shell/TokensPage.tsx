import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, Copy, KeyRound, Plus, Trash2 } from "lucide-react";
import { errorMessage } from "../api/client";
import { endpoints } from "../api/endpoints";
import { qk, useBases, useWorkspaces } from "../api/queries";
import type { ApiToken, CreatedToken } from "../api/types";
import { formatRelative } from "../fields/format";
import { ConfirmDialog } from "../ui/dialogs";
import { Modal } from "../ui/Modal";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import { Topbar } from "./Topbar";
import "./shell.css";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const ta = document.createElement("textarea");
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    setCopied(true);
    window.setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" className="btn btn-sm" onClick={copy} aria-live="polite">
      {copied ? <Check size={14} /> : <Copy size={14} />} {copied ? "Copied" : label}
    </button>
  );
}

const SCOPES = ["read", "write", "admin"] as const;

function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const workspaces = useWorkspaces();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["read"]);
  const [wsChoice, setWsChoice] = useState("");
  const [baseChoice, setBaseChoice] = useState("");
  const wsId = wsChoice ? Number(wsChoice) : workspaces.data?.items[0]?.id;
  const bases = useBases(wsId);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e?: React.FormEvent) => {
    e?.preventDefault();
    if (!name.trim()) return setError("Give the token a name, e.g. the integration that uses it.");
    setBusy(true);
    setError(null);
    try {
      const token = await endpoints.createToken(
        baseChoice ? { name: name.trim(), scopes, base_id: Number(baseChoice) } : { name: name.trim(), scopes, workspace_id: wsId },
      );
      setCreated(token);
      await qc.invalidateQueries({ queryKey: qk.tokens });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Modal title="Token created" onClose={onClose} footer={<button className="btn btn-primary" onClick={onClose}>Done</button>}>
        <div className="col" style={{ gap: 12 }}>
          <div className="banner">Copy this token now. It will not be shown again.</div>
          <div className="token-box">
            <span style={{ flex: 1 }} data-testid="new-token">{created.token}</span>
            <CopyButton text={created.token} />
          </div>
          <p className="small muted">Use it as <span className="mono">Authorization: Bearer &lt;token&gt;</span>.</p>
        </div>
      </Modal>
    );
  }
  return (
    <Modal
      title="New API token"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>Cancel</button>
          <button className="btn btn-primary" onClick={() => submit()} disabled={busy || scopes.length === 0 || !wsId}>Create token</button>
        </>
      }
    >
      <form onSubmit={submit}>
        <div className="form-row">
          <label className="label" htmlFor="token-name">Name</label>
          <input id="token-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="Webshop sync" autoFocus />
        </div>
        <div className="row form-row" style={{ alignItems: "flex-start" }}>
          <div style={{ flex: 1 }}>
            <label className="label" htmlFor="token-ws">Workspace</label>
            <select id="token-ws" className="select" value={wsId ?? ""} onChange={(e) => { setWsChoice(e.target.value); setBaseChoice(""); }}>
              {workspaces.data?.items.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
            </select>
          </div>
          <div style={{ flex: 1 }}>
            <label className="label" htmlFor="token-base">Base</label>
            <select id="token-base" className="select" value={baseChoice} onChange={(e) => setBaseChoice(e.target.value)}>
              <option value="">All bases of the workspace</option>
              {bases.data?.items.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
            </select>
          </div>
        </div>
        <fieldset className="form-row" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="label">Permissions</legend>
          <div className="row" style={{ gap: 16 }}>
            {SCOPES.map((s) => (
              <label key={s} className="row" style={{ gap: 6 }}>
                <input type="checkbox" className="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
                {s}
              </label>
            ))}
          </div>
        </fieldset>
        {error && <p className="error-text" role="alert">{error}</p>}
      </form>
    </Modal>
  );
}

export function TokensPage() {
  const qc = useQueryClient();
  const toast = useToast();
  const tokens = useQuery({ queryKey: qk.tokens, queryFn: endpoints.tokens });
  const workspaces = useWorkspaces();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const wsName = (id: number | null) => (id ? workspaces.data?.items.find((w) => w.id === id)?.name ?? `#${id}` : null);

  return (
    <div className="app">
      <Topbar><strong>API tokens</strong></Topbar>
      <main className="app-main">
        <div className="page">
          <div className="page-header">
            <div>
              <h1>API tokens</h1>
              <p className="muted">Tokens let scripts and integrations use the <a href="/api/docs" target="_blank" rel="noopener noreferrer">TableKit API</a> as you.</p>
            </div>
            <span className="spacer" />
            <button className="btn btn-primary" onClick={() => setCreating(true)}><Plus size={16} /> New token</button>
          </div>
          {tokens.isPending && <Loading />}
          {tokens.isError && <ErrorState error={tokens.error} onRetry={() => tokens.refetch()} />}
          {tokens.data && tokens.data.items.length === 0 && (
            <div className="card">
              <EmptyState icon={<KeyRound size={22} />} title="No tokens yet" action={<button className="btn btn-primary" onClick={() => setCreating(true)}><Plus size={16} /> New token</button>}>
                Create one for each integration so you can revoke it on its own.
              </EmptyState>
            </div>
          )}
          {tokens.data && tokens.data.items.length > 0 && (
            <div className="card" style={{ overflow: "auto" }}>
              <table className="table">
                <thead><tr><th>Name</th><th>Scopes</th><th>Access</th><th>Created</th><th>Last used</th><th aria-label="Actions" /></tr></thead>
                <tbody>
                  {tokens.data.items.map((t) => (
                    <tr key={t.id}>
                      <td><strong>{t.name}</strong></td>
                      <td><div className="chips">{t.scopes.map((s) => <span key={s} className="chip">{s}</span>)}</div></td>
                      <td className="muted">{t.base_id ? `Base #${t.base_id}` : `Workspace ${wsName(t.workspace_id) ?? ""}`}</td>
                      <td className="muted">{formatRelative(t.created_at)}</td>
                      <td className="muted">{t.last_used_at ? formatRelative(t.last_used_at) : "Never"}</td>
                      <td style={{ textAlign: "right" }}>
                        <button className="btn btn-ghost btn-sm" onClick={() => setRevoking(t)}><Trash2 size={14} /> Revoke</button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </main>
      {creating && <CreateTokenDialog onClose={() => setCreating(false)} />}
      {revoking && (
        <ConfirmDialog
          title="Revoke token?"
          danger
          confirmLabel="Revoke"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await endpoints.revokeToken(revoking.id);
            await qc.invalidateQueries({ queryKey: qk.tokens });
            toast.success(`Token "${revoking.name}" revoked`);
          }}
        >
          Integrations using <strong>{revoking.name}</strong> stop working at once.
        </ConfirmDialog>
      )}
    </div>
  );
}
