import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router-dom";
import { UserPlus, Users } from "lucide-react";
import { errorMessage } from "../api/client";
import { endpoints } from "../api/endpoints";
import { qk, useMembers, useWorkspaces } from "../api/queries";
import type { Role } from "../api/types";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import { Topbar, initials } from "./Topbar";
import "./shell.css";

export const ROLES: { role: Role; help: string }[] = [
  { role: "owner", help: "Everything, including members and deleting the workspace" },
  { role: "admin", help: "Manage members, bases, rules and tokens" },
  { role: "editor", help: "Edit data, tables and views" },
  { role: "commenter", help: "Read and comment" },
  { role: "viewer", help: "Read only" },
];

export function MembersPage() {
  const wsId = Number(useParams().wsId);
  const members = useMembers(wsId);
  const workspaces = useWorkspaces();
  const qc = useQueryClient();
  const toast = useToast();
  const ws = workspaces.data?.items.find((w) => w.id === wsId);
  const canManage = ws ? ws.role === "owner" || ws.role === "admin" : false;
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await endpoints.addMember(wsId, email.trim(), role);
      setEmail("");
      toast.success("Member added");
      await qc.invalidateQueries({ queryKey: qk.members(wsId) });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="app">
      <Topbar>
        <span>{ws?.name ?? "Workspace"}</span>
        <span aria-hidden>/</span>
        <strong>Members</strong>
      </Topbar>
      <main className="app-main">
        <div className="page">
          <div className="page-header">
            <div>
              <h1>Members</h1>
              <p className="muted">People who can open the bases in {ws?.name ?? "this workspace"}.</p>
            </div>
          </div>
          {canManage && (
            <form className="card" onSubmit={add} style={{ padding: 16, marginBottom: 24 }}>
              <div className="row" style={{ alignItems: "flex-end", flexWrap: "wrap" }}>
                <div style={{ flex: "1 1 260px" }}>
                  <label className="label" htmlFor="member-email">Add by e-mail</label>
                  <input id="member-email" type="email" required className="input" placeholder="name@company.com" value={email} onChange={(e) => setEmail(e.target.value)} />
                </div>
                <div style={{ flex: "0 0 160px" }}>
                  <label className="label" htmlFor="member-role">Role</label>
                  <select id="member-role" className="select" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                    {ROLES.map((r) => <option key={r.role} value={r.role}>{r.role}</option>)}
                  </select>
                </div>
                <button className="btn btn-primary" style={{ height: 34 }} disabled={busy || !email.trim()}><UserPlus size={16} /> Add</button>
              </div>
              <p className="hint">{ROLES.find((r) => r.role === role)?.help}. The person needs an account on this server.</p>
              {error && <p className="error-text" role="alert">{error}</p>}
            </form>
          )}
          {members.isPending && <Loading />}
          {members.isError && <ErrorState error={members.error} onRetry={() => members.refetch()} />}
          {members.data?.items.length === 0 && <EmptyState icon={<Users size={22} />} title="No members" />}
          {members.data && members.data.items.length > 0 && (
            <div className="card">
              <table className="table">
                <thead><tr><th>Name</th><th>E-mail</th><th>Role</th></tr></thead>
                <tbody>
                  {members.data.items.map((m) => (
                    <tr key={m.user_id}>
                      <td><div className="row"><span className="avatar avatar-sm">{initials(m.name, m.email)}</span>{m.name || "—"}</div></td>
                      <td className="muted">{m.email}</td>
                      <td><span className="badge">{m.role}</span></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </main>
    </div>
  );
}
