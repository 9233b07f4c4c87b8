// "Then": the ordered actions, each with its params form; add, remove and reorder them.
import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import { Popover, usePopover } from "../ui/Popover";
import { useBuilder, useErrorAt } from "./context";
import { type DraftAction } from "./draft";
import { pathId } from "./errors";
import { iconOf } from "./icons";
import { ParamsForm } from "./ParamsForm";
import type { Params } from "./types";
import { menuArrows } from "./widgets/menuKeys";

function ActionCard(props: {
  action: DraftAction;
  index: number;
  count: number;
  onParams: (p: Params) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const { types } = useBuilder();
  const { action, index } = props;
  const info = types.actions.find((t) => t.type === action.type);
  const path = `actions[${index}]`;
  const error = useErrorAt(path, `${path}.params`, `${path}.type`);
  const Icon = iconOf(action.type);
  const title = info?.label ?? action.type;
  return (
    <section className="flow-card" aria-label={`Step ${index + 1}: ${title}`} id={pathId(path)}>
      <header className="flow-card-header">
        <span className="flow-badge">{index + 1}</span>
        <Icon size={16} aria-hidden />
        <h3>{title}</h3>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={`Move step ${index + 1} up`} disabled={index === 0} onClick={() => props.onMove(index - 1)}>
          <ArrowUp size={14} />
        </button>
        <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={`Move step ${index + 1} down`} disabled={index === props.count - 1} onClick={() => props.onMove(index + 1)}>
          <ArrowDown size={14} />
        </button>
        <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={`Remove step ${index + 1}`} onClick={props.onRemove}>
          <Trash2 size={14} />
        </button>
      </header>
      <div className="flow-card-body">
        {info ? (
          <ParamsForm path={`${path}.params`} type={action.type} schema={info.params} params={action.params} onChange={props.onParams} index={index} />
        ) : (
          <p className="error-text">This server does not know the action “{action.type}”.</p>
        )}
        {error && <p className="error-text" role="alert">{error}</p>}
      </div>
    </section>
  );
}

export function ActionsSection(props: {
  actions: DraftAction[];
  onAdd: (type: string) => void;
  onParams: (index: number, p: Params) => void;
  onMove: (from: number, to: number) => void;
  onRemove: (index: number) => void;
}) {
  const { types, triggerTable } = useBuilder();
  const menu = usePopover();
  const error = useErrorAt("actions");
  return (
    <>
      {props.actions.map((a, i) => (
        <ActionCard key={a.key} action={a} index={i} count={props.actions.length} onParams={(p) => props.onParams(i, p)} onMove={(to) => props.onMove(i, to)} onRemove={() => props.onRemove(i)} />
      ))}
      <div className="flow-add">
        <button type="button" id={pathId("actions")} className="btn" onClick={menu.toggle} aria-haspopup="menu" aria-expanded={menu.open}>
          <Plus size={15} /> Add action
        </button>
        {error && <p className="error-text" role="alert">{error}</p>}
        {!triggerTable && props.actions.length === 0 && <p className="hint">Actions that work on “the row” need a trigger with a table.</p>}
      </div>
      {menu.open && (
        <Popover anchor={menu.anchor} onClose={menu.close} width={300}>
          <div role="menu" aria-label="Actions" onKeyDown={menuArrows}>
            {types.actions.map((t, i) => {
              const Icon = iconOf(t.type);
              return (
                <button key={t.type} type="button" role="menuitem" className="menu-item" autoFocus={i === 0} onClick={() => { menu.close(); props.onAdd(t.type); }}>
                  <Icon size={14} aria-hidden /> {t.label}
                </button>
              );
            })}
          </div>
        </Popover>
      )}
    </>
  );
}
