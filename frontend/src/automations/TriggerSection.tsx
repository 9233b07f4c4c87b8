// "When": the trigger cards, then the chosen trigger's params form.
import { useState } from "react";
import { Copy, RefreshCw } from "lucide-react";
import { useToast } from "../ui/toast";
import { useBuilder, useErrorAt } from "./context";
import { pathId } from "./errors";
import { iconOf } from "./icons";
import { ParamsForm } from "./ParamsForm";
import { menuArrows } from "./widgets/menuKeys";
import type { Params } from "./types";

function TriggerCards(props: { current: string | undefined; onPick: (type: string) => void }) {
  const { types } = useBuilder();
  return (
    <div className="trigger-cards" role="radiogroup" aria-label="What starts the automation" id={pathId("trigger")} onKeyDown={(e) => menuArrows(e, "radio")}>
      {types.triggers.map((t) => {
        const Icon = iconOf(t.type);
        const on = t.type === props.current;
        // One tab stop for the group (the chosen card, or the first); arrows move within it.
        const tabbable = on || (!props.current && t === types.triggers[0]);
        return (
          <button key={t.type} type="button" role="radio" aria-checked={on} tabIndex={tabbable ? 0 : -1} className={`trigger-card${on ? " on" : ""}`} onClick={() => props.onPick(t.type)}>
            <Icon size={18} aria-hidden />
            <span>{t.label}</span>
          </button>
        );
      })}
    </div>
  );
}

function HookUrl({ url }: { url: string | undefined }) {
  const toast = useToast();
  if (!url) return <p className="hint">The address to call appears here once the automation is saved.</p>;
  return (
    <div className="form-row">
      <span className="label">POST JSON to this address</span>
      <div className="token-box">
        <span style={{ flex: 1 }} data-testid="hook-url">{url}</span>
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => navigator.clipboard?.writeText(url).then(() => toast.success("Copied"), () => undefined)}>
          <Copy size={14} /> Copy
        </button>
      </div>
      <p className="hint">Keep it secret: anyone with it can start this automation. The JSON body is available as payload.</p>
    </div>
  );
}

export function TriggerSection(props: {
  trigger: { type: string; params: Params } | null;
  onPick: (type: string) => void;
  onParams: (p: Params) => void;
  hookUrl?: string;
}) {
  const { types } = useBuilder();
  const [choosing, setChoosing] = useState(!props.trigger);
  const error = useErrorAt("trigger", "trigger.type", "trigger.params");
  const info = props.trigger ? types.triggers.find((t) => t.type === props.trigger?.type) : undefined;
  const Icon = iconOf(props.trigger?.type ?? "");
  return (
    <section className="flow-card" aria-labelledby="trigger-heading">
      <header className="flow-card-header">
        <span className="flow-badge">When</span>
        {info && <Icon size={16} aria-hidden />}
        <h3 id="trigger-heading">{info ? info.label : "Choose a trigger"}</h3>
        <span className="spacer" />
        {props.trigger && !choosing && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setChoosing(true)}>
            <RefreshCw size={14} /> Change trigger
          </button>
        )}
      </header>
      <div className="flow-card-body">
        {(choosing || !props.trigger) ? (
          <TriggerCards
            current={props.trigger?.type}
            onPick={(t) => {
              // Picking the current trigger again keeps its settings.
              if (t !== props.trigger?.type) props.onPick(t);
              setChoosing(false);
            }}
          />
        ) : info ? (
          <>
            <ParamsForm path="trigger.params" type={info.type} schema={info.params} params={props.trigger.params} onChange={props.onParams} />
            {info.type === "webhook" && <HookUrl url={props.hookUrl} />}
          </>
        ) : (
          <p className="error-text">This server does not know the trigger “{props.trigger.type}”.</p>
        )}
        {error && <p className="error-text" role="alert">{error}</p>}
      </div>
    </section>
  );
}
