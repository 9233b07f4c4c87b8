import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Bell, BellOff } from "lucide-react";
import { isNotFound } from "../api/client";
import { endpoints } from "../api/endpoints";
import { qk } from "../api/queries";
import type { Notification } from "../api/types";
import { Popover, usePopover } from "../ui/Popover";
import { formatRelative } from "../fields/format";

/** The bell: unread count, a list, and "mark all read". A missing endpoint shows as empty. */
export function NotificationsBell() {
  const qc = useQueryClient();
  const menu = usePopover();
  const q = useQuery({
    queryKey: qk.notifications,
    queryFn: async (): Promise<Notification[] | null> => {
      try {
        return (await endpoints.notifications()).items;
      } catch (e) {
        if (isNotFound(e)) return null; // not implemented on this server yet
        throw e;
      }
    },
    refetchInterval: 30_000,
    retry: false,
  });
  const items = q.data ?? [];
  const unread = items.filter((n) => !n.read).length;
  const markRead = async () => {
    try {
      await endpoints.markNotificationsRead();
    } catch {
      /* best effort */
    }
    qc.setQueryData<Notification[] | null>(qk.notifications, (old) =>
      old ? old.map((n) => ({ ...n, read: true })) : old,
    );
  };
  return (
    <>
      <button
        className="btn btn-ghost btn-icon"
        style={{ position: "relative" }}
        onClick={menu.toggle}
        aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
        aria-expanded={menu.open}
      >
        <Bell size={18} />
        {unread > 0 && <span className="bell-dot">{unread > 99 ? "99+" : unread}</span>}
      </button>
      {menu.open && (
        <Popover anchor={menu.anchor} onClose={menu.close} align="end" width={340}>
          <div className="row" style={{ padding: "8px 10px" }}>
            <h3>Notifications</h3>
            <span className="spacer" />
            {unread > 0 && (
              <button className="btn btn-ghost btn-sm" onClick={markRead}>
                Mark all read
              </button>
            )}
          </div>
          <div className="menu-sep" />
          {q.isError && <p className="error-text" style={{ padding: 12 }}>Could not load notifications.</p>}
          {q.data === null && (
            <div className="state" style={{ padding: 24 }}>
              <BellOff size={20} />
              <span className="small">Notifications are not available on this server yet.</span>
            </div>
          )}
          {q.data && items.length === 0 && (
            <div className="state" style={{ padding: 24 }}>
              <Bell size={20} />
              <span className="small">You're all caught up.</span>
            </div>
          )}
          {items.map((n) => (
            <div key={n.id} className={`notif-item${n.read ? "" : " unread"}`}>
              <div style={{ whiteSpace: "pre-wrap" }}>{n.message}</div>
              <div className="small faint">{formatRelative(n.created_at)}</div>
            </div>
          ))}
        </Popover>
      )}
    </>
  );
}
