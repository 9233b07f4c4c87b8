// The run log: each run's trigger, status, duration and steps, newest first.
import { useInfiniteQuery } from "@tanstack/react-query";
import { History, RefreshCw } from "lucide-react";
import { formatRelative } from "../fields/format";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { akeys, automations } from "./api";
import { useBuilder } from "./context";
import { fieldNamer } from "./draft";
import { StatusBadge } from "./RuleList";
import { StepList } from "./StepList";
import type { Rule, RuleRun } from "./types";

const EVENT: Record<string, string> = {
  row_created: "row created",
  row_updated: "row updated",
  row_matches: "row started matching",
  row_deleted: "row deleted",
  schedule: "schedule",
  schedule_matching_rows: "schedule",
  date_relative: "date reached",
  button: "button clicked",
  form_submitted: "form submitted",
  webhook: "webhook received",
};

/** What started a run, in words: "Manual run · row 12", "row updated · row 3 · Status". */
export function describeTrigger(t: Record<string, unknown>, fieldName: (id: number) => string | undefined = () => undefined): string {
  const parts: string[] = [];
  if (t.manual) parts.push("Manual run");
  else parts.push(EVENT[String(t.type)] ?? String(t.type ?? "event"));
  if (t.row_id !== undefined && t.row_id !== null) parts.push(`row ${t.row_id}`);
  if (t.slot) parts.push(`slot ${String(t.slot)}`);
  const changes = t.changes;
  if (changes && typeof changes === "object") {
    // `changes` is {f_26: [old, new]}: show field names.
    const names = Object.keys(changes).map((k) => (/^f_\d+$/.test(k) && fieldName(Number(k.slice(2)))) || k);
    if (names.length) parts.push(`changed ${names.slice(0, 4).join(", ")}${names.length > 4 ? "…" : ""}`);
  }
  return parts.join(" · ");
}

function RunItem({ run, actionCount }: { run: RuleRun; actionCount: number }) {
  const { base } = useBuilder();
  return (
    <li>
      <details className="run-item">
        <summary>
          <StatusBadge status={run.status} />
          <span className="run-trigger truncate">{describeTrigger(run.trigger, fieldNamer(base))}</span>
          <span className="spacer" />
          {run.duration_ms !== null && <span className="small faint">{run.duration_ms} ms</span>}
          <span className="small muted" title={run.created_at}>{formatRelative(run.created_at)}</span>
        </summary>
        <div className="run-body">
          {run.error && <p className="error-text">{run.error}</p>}
          {run.attempts > 1 && <p className="small muted">{run.attempts} attempts</p>}
          {run.steps.length ? <StepList steps={run.steps} count={run.status === "ok" ? undefined : actionCount} /> : <p className="small muted">No step ran.</p>}
        </div>
      </details>
    </li>
  );
}

export function RunLog({ rule }: { rule: Rule }) {
  const runs = useInfiniteQuery({
    queryKey: akeys.runs(rule.id),
    queryFn: ({ pageParam }) => automations.runs(rule.id, 30, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // Poll while a run is still going.
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.items.some((r) => r.status === "pending" || r.status === "running")) ? 2000 : false,
  });
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="run-log" role="tabpanel" aria-label="Run log">
      <div className="row">
        <span className="small muted">Newest first</span>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" onClick={() => runs.refetch()} disabled={runs.isFetching}>
          <RefreshCw size={14} /> Refresh
        </button>
      </div>
      {runs.isPending && <Loading label="Loading runs…" />}
      {runs.isError && <ErrorState error={runs.error} onRetry={() => runs.refetch()} />}
      {runs.data && items.length === 0 && (
        <EmptyState icon={<History size={22} />} title="No runs yet">It runs when its trigger happens, or when you run it.</EmptyState>
      )}
      <ul className="run-items">
        {items.map((r) => <RunItem key={r.id} run={r} actionCount={rule.actions.length} />)}
      </ul>
      {runs.hasNextPage && (
        <button type="button" className="btn btn-sm" onClick={() => runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
          Load older runs
        </button>
      )}
    </div>
  );
}
