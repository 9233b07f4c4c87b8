import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { ChevronDown, Pencil, Plus, Trash2 } from "lucide-react";
import { endpoints } from "../api/endpoints";
import type { BaseSchema, Table } from "../api/types";
import { ConfirmDialog, PromptDialog } from "../ui/dialogs";
import { Popover, usePopover } from "../ui/Popover";
import { ImportTableButton } from "../interchange/ImportTableButton";

export function TableTabs(props: {
  base: BaseSchema;
  activeId: number | undefined;
  canEdit: boolean;
  refresh: () => Promise<void>;
}) {
  const { base, activeId, canEdit, refresh } = props;
  const navigate = useNavigate();
  const menu = usePopover();
  const [dialog, setDialog] = useState<null | "create" | "rename" | "delete">(null);
  const active = base.tables.find((t) => t.id === activeId);
  const open = (t: Table) => navigate(`/bases/${base.id}/tables/${t.id}`);

  return (
    <div className="table-tabs" role="tablist" aria-label="Tables">
      {base.tables.map((t) => {
        const isActive = t.id === activeId;
        return (
          <div key={t.id} className={`table-tab${isActive ? " active" : ""}`}>
            <button role="tab" aria-selected={isActive} className="table-tab-btn" onClick={() => open(t)}>
              {t.name}
            </button>
            {isActive && canEdit && (
              <button className="table-tab-menu" aria-label={`Table ${t.name} options`} onClick={menu.toggle}>
                <ChevronDown size={14} />
              </button>
            )}
          </div>
        );
      })}
      {canEdit && (
        <button className="btn btn-ghost btn-sm add-table" onClick={() => setDialog("create")}>
          <Plus size={15} /> Add table
        </button>
      )}
      <ImportTableButton base={base} refresh={refresh} />
      {menu.open && active && (
        <Popover anchor={menu.anchor} onClose={menu.close}>
          <div role="menu">
            <button className="menu-item" role="menuitem" onClick={() => { menu.close(); setDialog("rename"); }}>
              <Pencil size={14} /> Rename table
            </button>
            <button className="menu-item danger" role="menuitem" onClick={() => { menu.close(); setDialog("delete"); }}>
              <Trash2 size={14} /> Delete table
            </button>
          </div>
        </Popover>
      )}
      {dialog === "create" && (
        <PromptDialog
          title="New table"
          label="Table name"
          submitLabel="Create table"
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            const t = await endpoints.createTable(base.id, name, [{ name: "Name", type: "text" }]);
            await refresh();
            open(t);
          }}
        />
      )}
      {dialog === "rename" && active && (
        <PromptDialog
          title="Rename table"
          label="Table name"
          initial={active.name}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            await endpoints.renameTable(active.id, name);
            await refresh();
          }}
        />
      )}
      {dialog === "delete" && active && (
        <ConfirmDialog
          title={`Delete "${active.name}"?`}
          danger
          confirmLabel="Delete table"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await endpoints.deleteTable(active.id);
            await refresh();
            navigate(`/bases/${base.id}`);
          }}
        >
          The table, its fields, views and rows are deleted. Links from other tables to it are removed.
        </ConfirmDialog>
      )}
    </div>
  );
}
