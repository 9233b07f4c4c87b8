import { useState } from "react";
import { ImageOff, LayoutGrid, Plus } from "lucide-react";
import { endpoints } from "../api/endpoints";
import type { Attachment, Row } from "../api/types";
import type { ViewProps } from "../base/BasePage";
import { useView, visibleFields } from "../base/context";
import { attachmentUrl, isImage } from "../fields/CellValue";
import { fieldKey } from "../fields/format";
import { RowPanel } from "../grid/RowPanel";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import { CardFields, rowTitle } from "../views/CardParts";
import { FilterMenu, SortMenu } from "../views/ToolbarMenus";
import { toSortParam } from "../grid/useGridData";
import { useCardRows } from "../views/useRows";
import "../views/cards.css";

/** The first image of the cover field (or of any attachment field), same-origin only. */
export function coverOf(row: Row, fieldIds: number[]): string | null {
  for (const id of fieldIds) {
    const files = (row.fields[fieldKey(id)] as Attachment[] | null) ?? [];
    const img = files.find(isImage);
    const url = img && attachmentUrl(img);
    if (url) return url;
  }
  return null;
}

export default function GalleryView({ switcher }: ViewProps) {
  const { table, config, updateConfig, canEditData } = useView();
  const toast = useToast();
  const attachments = table.fields.filter((f) => f.type === "attachment");
  const cover = attachments.find((f) => f.id === config.cover_field);
  const coverIds = cover ? [cover.id] : attachments.map((f) => f.id);
  const rows = useCardRows(table.id, config.filter, toSortParam(config.sort ?? []));
  const [open, setOpen] = useState<Row | null>(null);
  const fields = visibleFields(table, config).filter((f) => f.id !== table.primary_field_id && f.type !== "attachment");

  const add = async () => {
    try {
      const res = await endpoints.createRows(table.id, [{ fields: {} }]);
      await rows.refetch();
      if (res.rows[0]) setOpen(res.rows[0]);
    } catch (e) {
      toast.error(e);
    }
  };

  return (
    <>
      <div className="view-toolbar">
        {switcher}
        <span className="toolbar-sep" />
        {attachments.length > 0 && (
          <label className="row small">
            <span className="muted">Cover</span>
            <select className="select select-sm" style={{ width: "auto" }} value={cover?.id ?? ""} onChange={(e) => updateConfig({ cover_field: e.target.value ? Number(e.target.value) : null })}>
              <option value="">First image</option>
              {attachments.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
            </select>
          </label>
        )}
        <FilterMenu config={config} fields={table.fields} update={updateConfig} />
        <SortMenu config={config} fields={table.fields} update={updateConfig} />
        <span className="spacer" />
        {canEditData && <button className="btn btn-sm btn-primary" onClick={add}><Plus size={14} /> Add row</button>}
      </div>
      <div className="view-body">
        {rows.isPending ? <Loading /> : rows.isError ? <ErrorState error={rows.error} onRetry={() => rows.refetch()} /> : rows.data.rows.length === 0 ? (
          <EmptyState icon={<LayoutGrid size={22} />} title="No rows to show">Rows appear here as cards, with the first picture as the cover.</EmptyState>
        ) : (
          <div className="gallery">
            {rows.data.rows.map((r) => {
              const src = coverOf(r, coverIds);
              return (
                <div
                  key={r.id}
                  className="card gallery-card"
                  role="button"
                  tabIndex={0}
                  aria-label={rowTitle(table, r)}
                  onClick={() => setOpen(r)}
                  onKeyDown={(e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); setOpen(r); } }}
                >
                  <div className="gallery-cover">{src ? <img src={src} alt="" loading="lazy" /> : <ImageOff size={26} />}</div>
                  <div className="gallery-body">
                    <strong className="truncate">{rowTitle(table, r)}</strong>
                    <CardFields fields={fields} row={r} max={3} />
                  </div>
                </div>
              );
            })}
          </div>
        )}
      </div>
      {open && <RowPanel key={open.id} initial={open} onClose={() => setOpen(null)} onSaved={rows.setRow} onDeleted={() => rows.refetch()} />}
    </>
  );
}
