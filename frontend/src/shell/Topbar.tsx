import type { ReactNode } from "react";
import { Link, useNavigate } from "react-router-dom";
import { BookOpen, KeyRound, LogOut, Users } from "lucide-react";
import { Logo } from "./Logo";
import { NotificationsBell } from "./NotificationsBell";
import { useLogout, useMe } from "./auth";
import { Popover, usePopover } from "../ui/Popover";

export function initials(name: string, email = ""): string {
  const src = name.trim() || email;
  const parts = src.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

function UserMenu() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const menu = usePopover();
  const ws = me.memberships[0];
  return (
    <>
      <button className="btn btn-ghost" onClick={menu.toggle} aria-haspopup="menu" aria-expanded={menu.open} aria-label="User menu" style={{ padding: "0 4px" }}>
        <span className="avatar">{initials(me.name, me.email)}</span>
      </button>
      {menu.open && (
        <Popover anchor={menu.anchor} onClose={menu.close} align="end" width={240}>
          <div role="menu">
            <div style={{ padding: "8px 10px" }}>
              <div style={{ fontWeight: 600 }} className="truncate">{me.name || me.email}</div>
              <div className="small muted truncate">{me.email}</div>
            </div>
            <div className="menu-sep" />
            <Link className="menu-item" role="menuitem" to="/tokens" onClick={menu.close}>
              <KeyRound size={15} /> API tokens
            </Link>
            {ws && (
              <Link className="menu-item" role="menuitem" to={`/workspaces/${ws.workspace_id}/members`} onClick={menu.close}>
                <Users size={15} /> Members
              </Link>
            )}
            <a className="menu-item" role="menuitem" href="/api/docs" target="_blank" rel="noopener noreferrer">
              <BookOpen size={15} /> API documentation
            </a>
            <div className="menu-sep" />
            <button
              className="menu-item"
              role="menuitem"
              onClick={async () => {
                menu.close();
                await logout();
                navigate("/login");
              }}
            >
              <LogOut size={15} /> Sign out
            </button>
          </div>
        </Popover>
      )}
    </>
  );
}

/** The bar at the top of every signed-in page. */
export function Topbar({ children, actions }: { children?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="TableKit home">
        <Logo />
        <span className="brand-name hide-sm">TableKit</span>
      </Link>
      <nav className="crumbs truncate" aria-label="Breadcrumb">
        {children}
      </nav>
      <span className="spacer" />
      {actions}
      <a className="btn btn-ghost btn-sm hide-sm" href="/api/docs" target="_blank" rel="noopener noreferrer">
        <BookOpen size={15} /> API
      </a>
      <NotificationsBell />
      <UserMenu />
    </header>
  );
}
