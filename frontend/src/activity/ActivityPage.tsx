import { useMemo, useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Activity, Lock } from "lucide-react";
import { ApiError } from "../api/client";
import { useMembers } from "../api/queries";
import type { BaseSchema, Field, Id } from "../api/types";
import { formatDateTime, formatRelative } from "../fields/format";
import { changeText } from "../grid/RowHistory";
import { EmptyState, ErrorState, Loading, Spinner } from "../ui/States";
import { activityApi, type ActivityItem } from "./api";
import { isBaseAdmin } from "./BaseNav";
import "./feed.css";

const PAGE = 50;
const ACTION_LABELS: Record<string, string> = { created: "Created", updated: "Updated", deleted: "Deleted", restored: "Restored", imported: "Imported" };

/** An import is one entry for all its rows, with the job's counts as its summary. */
function importSummary(it: ActivityItem): string {
  const count = (key: string) => {
    const v = it.summary?.[key];
    return typeof v === "number" ? v : null;
  };
  const created = count("created");
  const updated = count("updated");
  return [created !== null && `${created} ${created === 1 ? "row" : "rows"} created`, updated ? `${updated} updated` : null].filter(Boolean).join(", ") || "Rows imported";
}

/** Base screen "Activity" (admins): every row change in the base, newest first, by table. */
export default function ActivityPage({ base }: { base: BaseSchema }) {
  const [tableId, setTableId] = useState<Id | null>(null);
  const [userId, setUserId] = useState<Id | null>(null);
  const members = useMembers(isBaseAdmin(base) ? base.workspace_id : undefined);
  const fieldsById = useMemo(() => {
    const m = new Map<number, Field>();
    base.tables.forEach((t) => t.fields.forEach((f) => m.set(f.id, f)));
    return m;
  }, [base]);
  const log = useInfiniteQuery({
    queryKey: ["activity", base.id, tableId, userId],
    queryFn: ({ pageParam, signal }) => activityApi.activity(base.id, { limit: PAGE, cursor: pageParam, table_id: tableId, user_id: userId }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: isBaseAdmin(base),
    retry: false,
  });
  const items: ActivityItem[] = log.data?.pages.flatMap((p) => p.items) ?? [];
  const forbidden = !isBaseAdmin(base) || (log.error instanceof ApiError && log.error.status === 403);

  return (
    <div className="app-main">
      <div className="page">
        <div className="page-header">
          <div>
            <h1>Activity</h1>
            <p className="muted">Who created, changed, deleted and restored rows in {base.name}.</p>
          </div>
        </div>
        {forbidden ? (
          <EmptyState icon={<Lock size={22} />} title="Only admins can see the activity log">
            Ask an owner or admin of this workspace. You can still see each row's history in its panel.
          </EmptyState>
        ) : (
          <>
            <div className="log-filters">
              <label className="row small muted" style={{ gap: 6 }}>
                Table
                <select className="select select-sm" aria-label="Filter by table" value={tableId ?? ""} onChange={(e) => setTableId(e.target.value ? Number(e.target.value) : null)}>
                  <option value="">All tables</option>
                  {base.tables.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
                </select>
              </label>
              <label className="row small muted" style={{ gap: 6 }}>
                Person
                <select className="select select-sm" aria-label="Filter by person" value={userId ?? ""} onChange={(e) => setUserId(e.target.value ? Number(e.target.value) : null)}>
                  <option value="">Everyone</option>
                  {members.data?.items.map((m) => <option key={m.user_id} value={m.user_id}>{m.name || m.email}</option>)}
                </select>
              </label>
              {log.isFetching && !log.isFetchingNextPage && <Spinner label="Refreshing" />}
            </div>
            {log.isPending && <Loading />}
            {log.isError && <ErrorState error={log.error} onRetry={() => log.refetch()} />}
            {log.data && items.length === 0 && <EmptyState icon={<Activity size={22} />} title="No activity yet">Changes to rows appear here.</EmptyState>}
            {items.length > 0 && (
              <div className="card">
                <table className="table log-table" aria-label="Activity">
                  <thead><tr><th>When</th><th>Who</th><th>Table</th><th>Row</th><th>What</th></tr></thead>
                  <tbody>
                    {items.map((it) => (
                      <tr key={it.id} data-testid="activity-item">
                        <td className="log-when muted"><time dateTime={it.at} title={formatDateTime(it.at)}>{formatRelative(it.at)}</time></td>
                        <td>{it.user ? it.user.name || it.user.email : <span className="muted">Automation</span>}</td>
                        <td className="muted">{it.table ?? base.tables.find((t) => t.id === it.table_id)?.name ?? `Table ${it.table_id}`}</td>
                        <td className="muted">{it.row_id ? `#${it.row_id}` : ""}</td>
                        <td>
                          <span className={`badge action-${it.action}`}>{ACTION_LABELS[it.action] ?? it.action}</span>
                          {it.action === "imported" ? (
                            <p className="small muted">{importSummary(it)}</p>
                          ) : it.changes.length > 0 && (
                            <ul className="log-changes small">
                              {it.changes.map((c, i) => <li key={i}>{changeText(c, fieldsById)}</li>)}
                            </ul>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {log.hasNextPage && (
                  <div className="log-more">
                    <button className="btn" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
                      {log.isFetchingNextPage ? "Loading…" : "Show older changes"}
                    </button>
                  </div>
                )}
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}
