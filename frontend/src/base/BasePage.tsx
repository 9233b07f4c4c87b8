import { lazy, Suspense, useMemo, type ComponentType, type ReactNode } from "react";
import { Link, Navigate, Route, Routes, useParams } from "react-router-dom";
import { Sheet } from "lucide-react";
import { useInvalidateSchema, useSchema } from "../api/queries";
import type { BaseSchema, Field, ViewType } from "../api/types";
import { LiveIndicator } from "../live/LiveIndicator";
import { useLiveBase } from "../live/useLiveBase";
import { Topbar } from "../shell/Topbar";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { normalizeViewConfig } from "../views/filter";
import { ViewContext, type ViewContextValue } from "./context";
import { TableTabs } from "./TableTabs";
import { useViewConfigUpdater } from "./useViewConfig";
import { ViewSwitcher } from "./ViewSwitcher";
import { BaseNav } from "../activity/BaseNav";
import "../shell/shell.css";
import "./base.css";

export interface ViewProps {
  switcher: ReactNode;
}

// The grid is what most bases open on: start loading it (and AG Grid) with the schema
// request instead of after it, so opening a table costs one round of waiting, not two.
const loadGrid = () => import("../grid/GridView");
void loadGrid();

const VIEWS: Record<ViewType, ComponentType<ViewProps>> = {
  grid: lazy(loadGrid),
  form: lazy(() => import("../forms/FormView")),
  kanban: lazy(() => import("../kanban/KanbanView")),
  calendar: lazy(() => import("../calendar/CalendarView")),
  gallery: lazy(() => import("../gallery/GalleryView")),
};

// Base-level screens (documents, trash, activity) load on demand too.
const DocumentsPage = lazy(() => import("../documents/DocumentsPage"));
const TrashPage = lazy(() => import("../trash/TrashPage"));
const ActivityPage = lazy(() => import("../activity/ActivityPage"));
const AutomationsPage = lazy(() => import("../automations/AutomationsPage"));

function ViewScreen({ schema }: { schema: BaseSchema }) {
  const params = useParams();
  const tableId = Number(params.tableId);
  const viewId = Number(params.viewId);
  const table = schema.tables.find((t) => t.id === tableId);
  const view = table?.views.find((v) => v.id === viewId);
  const refreshSchema = useInvalidateSchema(schema.id);
  const updateConfig = useViewConfigUpdater(schema.id, viewId);
  const canEditSchema = ["owner", "admin", "editor"].includes(schema.role);
  const canEditData = canEditSchema;
  const config = useMemo(() => normalizeViewConfig(view?.config), [view?.config]);
  const fieldsById = useMemo(() => {
    const m = new Map<number, Field>();
    schema.tables.forEach((t) => t.fields.forEach((f) => m.set(f.id, f)));
    return m;
  }, [schema]);

  const ctx = useMemo<ViewContextValue | null>(
    () =>
      table && view
        ? { base: schema, table, view, config, fieldsById, canEditData, canEditSchema, updateConfig, refreshSchema }
        : null,
    [schema, table, view, config, fieldsById, canEditData, canEditSchema, updateConfig, refreshSchema],
  );

  if (!table) return <EmptyState title="Table not found">It may have been deleted.</EmptyState>;
  if (!view) {
    const first = table.views[0];
    return first ? <Navigate to={`/bases/${schema.id}/tables/${table.id}/views/${first.id}`} replace /> : <EmptyState title="This table has no views" />;
  }
  const Component = VIEWS[view.type] ?? VIEWS.grid;
  return (
    <ViewContext.Provider value={ctx}>
      <Suspense fallback={<Loading />}>
        <Component
          key={view.id}
          switcher={<ViewSwitcher baseId={schema.id} table={table} view={view} canEdit={canEditSchema} refresh={refreshSchema} />}
        />
      </Suspense>
    </ViewContext.Provider>
  );
}

function TableRedirect({ schema }: { schema: BaseSchema }) {
  const tableId = Number(useParams().tableId);
  const table = schema.tables.find((t) => t.id === tableId);
  if (!table) return <EmptyState title="Table not found">It may have been deleted.</EmptyState>;
  const first = table.views[0];
  if (!first) return <EmptyState title="This table has no views" />;
  return <Navigate to={`/bases/${schema.id}/tables/${table.id}/views/${first.id}`} replace />;
}

export default function BasePage() {
  const params = useParams();
  const baseId = Number(params.baseId);
  const schema = useSchema(baseId);
  const refresh = useInvalidateSchema(baseId);
  const live = useLiveBase(baseId);
  const tableMatch = /tables\/(\d+)/.exec(params["*"] ?? "");
  const activeTable = tableMatch ? Number(tableMatch[1]) : undefined;
  const data = schema.data;

  return (
    <div className="app">
      <Topbar actions={<>{data && <BaseNav base={data} />}<LiveIndicator status={live} /></>}>
        <Link to="/">Home</Link>
        <span aria-hidden>/</span>
        <strong className="truncate">{data?.name ?? "…"}</strong>
      </Topbar>
      {schema.isPending && <Loading label="Opening base…" />}
      {schema.isError && <ErrorState error={schema.error} onRetry={() => schema.refetch()} />}
      {data && (
        <>
          <TableTabs base={data} activeId={activeTable} canEdit={["owner", "admin", "editor"].includes(data.role)} refresh={refresh} />
          <div className="view-area">
            <Routes>
              <Route
                index
                element={
                  data.tables[0] ? (
                    <Navigate to={`tables/${data.tables[0].id}`} replace />
                  ) : (
                    <EmptyState icon={<Sheet size={22} />} title="This base has no tables yet">
                      Use "Add table" above to create the first one.
                    </EmptyState>
                  )
                }
              />
              <Route path="tables/:tableId" element={<TableRedirect schema={data} />} />
              <Route path="tables/:tableId/views/:viewId" element={<ViewScreen schema={data} />} />
              <Route path="documents/*" element={<Suspense fallback={<Loading />}><DocumentsPage base={data} /></Suspense>} />
              <Route path="trash" element={<Suspense fallback={<Loading />}><TrashPage base={data} refreshSchema={refresh} /></Suspense>} />
              <Route path="activity" element={<Suspense fallback={<Loading />}><ActivityPage base={data} /></Suspense>} />
              <Route path="automations/*" element={<Suspense fallback={<Loading />}><AutomationsPage base={data} /></Suspense>} />
            </Routes>
          </div>
        </>
      )}
    </div>
  );
}
