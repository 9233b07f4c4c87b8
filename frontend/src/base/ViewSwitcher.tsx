import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { Check, ChevronDown, Link2, Pencil, Plus, Trash2 } from "lucide-react";
import { endpoints } from "../api/endpoints";
import type { ShareLink, Table, View, ViewType } from "../api/types";
import { ShareDialog } from "../forms/ShareDialog";
import { useToast } from "../ui/toast";
import { ConfirmDialog, PromptDialog } from "../ui/dialogs";
import { Popover, usePopover } from "../ui/Popover";
import { VIEW_TYPES, viewIcon } from "./viewTypes";

export function ViewSwitcher(props: {
  baseId: number;
  table: Table;
  view: View;
  canEdit: boolean;
  refresh: () => Promise<void>;
}) {
  const { baseId, table, view, canEdit, refresh } = props;
  const navigate = useNavigate();
  const menu = usePopover();
  const [dialog, setDialog] = useState<null | { kind: "create"; type: ViewType } | { kind: "rename" | "delete"; view: View }>(null);
  const toast = useToast();
  const [share, setShare] = useState<ShareLink | null>(null);
  const shareRead = async () => {
    menu.close();
    try {
      setShare(await endpoints.shareView(view.id, "read"));
    } catch (e) {
      toast.error(e);
    }
  };
  const Icon = viewIcon(view.type);
  const go = (v: View) => navigate(`/bases/${baseId}/tables/${table.id}/views/${v.id}`);

  return (
    <>
      <button className="btn btn-ghost view-switcher" onClick={menu.toggle} aria-haspopup="menu" aria-expanded={menu.open}>
        <Icon size={16} />
        <strong className="truncate">{view.name}</strong>
        <ChevronDown size={14} />
      </button>
      {menu.open && (
        <Popover anchor={menu.anchor} onClose={menu.close} width={280}>
          <div role="menu" aria-label="Views">
            <div className="menu-label">Views</div>
            {table.views.map((v) => {
              const VIcon = viewIcon(v.type);
              return (
                <div key={v.id} className="row view-menu-row">
                  <button className="menu-item" role="menuitem" onClick={() => { menu.close(); go(v); }}>
                    <VIcon size={15} />
                    <span className="truncate" style={{ flex: 1 }}>{v.name}</span>
                    {v.id === view.id && <Check size={14} />}
                  </button>
                  {canEdit && (
                    <>
                      <button className="btn btn-ghost btn-icon btn-sm" aria-label={`Rename view ${v.name}`} onClick={() => { menu.close(); setDialog({ kind: "rename", view: v }); }}>
                        <Pencil size={13} />
                      </button>
                      <button className="btn btn-ghost btn-icon btn-sm" aria-label={`Delete view ${v.name}`} disabled={table.views.length <= 1} onClick={() => { menu.close(); setDialog({ kind: "delete", view: v }); }}>
                        <Trash2 size={13} />
                      </button>
                    </>
                  )}
                </div>
              );
            })}
            {canEdit && view.type !== "form" && (
              <>
                <div className="menu-sep" />
                <button className="menu-item" role="menuitem" onClick={shareRead}>
                  <Link2 size={14} /> Share "{view.name}" read-only
                </button>
              </>
            )}
            {canEdit && (
              <>
                <div className="menu-sep" />
                <div className="menu-label">Create a view</div>
                {VIEW_TYPES.map((t) => (
                  <button key={t.type} className="menu-item" role="menuitem" title={t.help} onClick={() => { menu.close(); setDialog({ kind: "create", type: t.type }); }}>
                    <Plus size={14} /> <t.icon size={15} /> {t.label}
                  </button>
                ))}
              </>
            )}
          </div>
        </Popover>
      )}
      {share && <ShareDialog viewId={view.id} link={share} kind="read" onClose={() => setShare(null)} />}
      {dialog?.kind === "create" && (
        <PromptDialog
          title={`New ${VIEW_TYPES.find((t) => t.type === dialog.type)?.label.toLowerCase()} view`}
          label="View name"
          initial={VIEW_TYPES.find((t) => t.type === dialog.type)?.label}
          submitLabel="Create view"
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            const v = await endpoints.createView(table.id, name, dialog.type, {});
            await refresh();
            go(v);
          }}
        />
      )}
      {dialog?.kind === "rename" && (
        <PromptDialog
          title="Rename view"
          label="View name"
          initial={dialog.view.name}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            await endpoints.updateView(dialog.view.id, { name });
            await refresh();
          }}
        />
      )}
      {dialog?.kind === "delete" && (
        <ConfirmDialog
          title={`Delete view "${dialog.view.name}"?`}
          danger
          confirmLabel="Delete view"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await endpoints.deleteView(dialog.view.id);
            await refresh();
            if (dialog.view.id === view.id) navigate(`/bases/${baseId}/tables/${table.id}`);
          }}
        >
          Only the view is deleted; the rows stay in the table.
        </ConfirmDialog>
      )}
    </>
  );
}
