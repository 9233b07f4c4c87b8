import type { LiveStatus } from "./protocol";
import "./live.css";

const TEXT: Record<LiveStatus, { label: string; title: string }> = {
  live: { label: "Live", title: "Changes by others appear as they happen" },
  connecting: { label: "Connecting", title: "Connecting to live updates…" },
  reconnecting: { label: "Reconnecting", title: "The live connection dropped; retrying. Changes by others show once it is back." },
  offline: { label: "Offline", title: "Live updates are unavailable; reload the page to see changes by others" },
};

/** A small dot and word in the top bar saying whether live updates are flowing. */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  const t = TEXT[status];
  return (
    <span className={`live-indicator live-${status}`} role="status" title={t.title} data-testid="live-indicator" data-status={status}>
      <span className="live-dot" aria-hidden />
      <span className="hide-sm">{t.label}</span>
    </span>
  );
}
