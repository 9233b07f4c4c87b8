import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { endpoints } from "../api/endpoints";
import { CellValue } from "../fields/CellValue";
import { fieldKey } from "../fields/format";
import { Logo } from "../shell/Logo";
import { ErrorState, Loading } from "../ui/States";
import "./forms.css";

/** A read-only shared view: its visible fields and rows, paged with "Load more". */
export function PublicViewPage({ token }: { token: string }) {
  const view = useQuery({ queryKey: ["public-view", token], queryFn: () => endpoints.publicView(token), retry: false });
  const rows = useInfiniteQuery({
    queryKey: ["public-view-rows", token],
    queryFn: ({ pageParam }) => endpoints.publicViewRows(token, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: view.isSuccess,
  });
  if (view.isPending) return <Loading />;
  if (view.isError) return <ErrorState error={new Error("This link does not exist or is no longer shared.")} />;
  const fields = view.data.fields;
  const all = rows.data?.pages.flatMap((p) => p.rows) ?? [];
  return (
    <div className="public-form-page">
      <div className="card" style={{ maxWidth: 1200, margin: "0 auto", overflow: "hidden" }}>
        <div style={{ padding: "20px 24px" }}>
          <h1>{view.data.name}</h1>
          <p className="muted small">{view.data.table} · read-only</p>
        </div>
        <div style={{ overflow: "auto" }}>
          <table className="table">
            <thead><tr>{fields.map((f) => <th key={f.id}>{f.name}</th>)}</tr></thead>
            <tbody>
              {all.map((r) => (
                <tr key={r.id}>{fields.map((f) => <td key={f.id} style={{ maxWidth: 280 }}><CellValue field={f} value={r.fields[fieldKey(f.id)]} /></td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
        {rows.isPending && <Loading />}
        {rows.isError && <ErrorState error={rows.error} onRetry={() => rows.refetch()} />}
        {rows.hasNextPage && (
          <div style={{ padding: 16, textAlign: "center" }}>
            <button className="btn" onClick={() => rows.fetchNextPage()} disabled={rows.isFetchingNextPage}>Load more</button>
          </div>
        )}
      </div>
      <p className="powered small faint row" style={{ justifyContent: "center" }}><Logo size={16} /> Made with TableKit</p>
    </div>
  );
}
