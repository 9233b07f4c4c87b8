import { useState } from "react";
import { Link } from "react-router-dom";
import { Database, Plus, Users } from "lucide-react";
import { useBases, useWorkspaces } from "../api/queries";
import type { Workspace } from "../api/types";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { CreateBaseDialog } from "./CreateBaseDialog";
import { Topbar } from "./Topbar";
import "./shell.css";

const PALETTE = ["#4f46e5", "#0e9f6e", "#d97706", "#db2777", "#0891b2", "#7c3aed", "#dc2626", "#2563eb"];
export const baseColor = (id: number) => PALETTE[id % PALETTE.length];

function WorkspaceSection({ ws }: { ws: Workspace }) {
  const bases = useBases(ws.id);
  const [creating, setCreating] = useState(false);
  const canCreate = ws.role === "owner" || ws.role === "admin" || ws.role === "editor";
  return (
    <section className="section" aria-labelledby={`ws-${ws.id}`}>
      <div className="section-header">
        <h2 id={`ws-${ws.id}`}>{ws.name}</h2>
        <span className="badge">{ws.role}</span>
        <span className="spacer" />
        <Link className="btn btn-ghost btn-sm" to={`/workspaces/${ws.id}/members`}>
          <Users size={15} /> Members
        </Link>
        {canCreate && (
          <button className="btn btn-primary btn-sm" onClick={() => setCreating(true)}>
            <Plus size={15} /> New base
          </button>
        )}
      </div>
      {bases.isPending && (
        <div className="base-grid">
          {[0, 1, 2].map((i) => <div key={i} className="skeleton" style={{ height: 112 }} />)}
        </div>
      )}
      {bases.isError && <ErrorState error={bases.error} onRetry={() => bases.refetch()} />}
      {bases.data && (
        <div className="base-grid">
          {bases.data.items.map((b) => (
            <Link key={b.id} to={`/bases/${b.id}`} className="card base-card">
              <span className="base-icon" style={{ background: baseColor(b.id) }}>
                {b.name.trim().charAt(0).toUpperCase() || "B"}
              </span>
              <strong className="truncate">{b.name}</strong>
            </Link>
          ))}
          {canCreate && (
            <button className="card base-card new" onClick={() => setCreating(true)}>
              <Plus size={20} />
              <span>{bases.data.items.length ? "New base" : "Create your first base"}</span>
            </button>
          )}
        </div>
      )}
      {creating && <CreateBaseDialog workspace={ws} onClose={() => setCreating(false)} />}
    </section>
  );
}

export function HomePage() {
  const workspaces = useWorkspaces();
  return (
    <div className="app">
      <Topbar>
        <strong>Home</strong>
      </Topbar>
      <main className="app-main">
        <div className="page">
          <div className="page-header">
            <h1>Your bases</h1>
          </div>
          {workspaces.isPending && <Loading />}
          {workspaces.isError && <ErrorState error={workspaces.error} onRetry={() => workspaces.refetch()} />}
          {workspaces.data?.items.length === 0 && (
            <EmptyState icon={<Database size={22} />} title="No workspaces yet">
              Ask an administrator to add you to a workspace.
            </EmptyState>
          )}
          {workspaces.data?.items.map((ws) => <WorkspaceSection key={ws.id} ws={ws} />)}
        </div>
      </main>
    </div>
  );
}
