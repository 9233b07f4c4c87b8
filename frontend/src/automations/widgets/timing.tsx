// When scheduled rules run: a preset (every day at 08:00...) or a cron expression, a time
// zone and what to do after downtime; and offsets such as "+7d" for date-relative rules.
import type { Params } from "../types";

const PRESETS: [string, string][] = [
  ["hourly", "Every hour"],
  ["daily", "Every day"],
  ["weekly", "Every week"],
  ["monthly", "Every month"],
  ["cron", "Custom (cron expression)"],
];
const WEEKDAYS: [string, string][] = [
  ["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"],
  ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"],
];
const CATCH_UP: [string, string][] = [
  ["last", "Run once for the latest missed time"],
  ["none", "Skip missed times"],
  ["all", "Run every missed time (at most 24)"],
];

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

/** The schedule params after choosing a repeat mode: a preset drops cron and the reverse. */
export function withRepeat(params: Params, mode: string): Params {
  const next = { ...params };
  if (mode === "cron") {
    delete next.preset;
    next.cron = typeof params.cron === "string" && params.cron ? params.cron : "0 8 * * 1-5";
  } else {
    delete next.cron;
    next.preset = mode;
    next.at = next.at ?? "08:00";
  }
  return next;
}

export function ScheduleEditor(props: { id: string; params: Params; onChange: (p: Params) => void; error: string | null }) {
  const { params, id } = props;
  const mode = params.preset ? String(params.preset) : "cron";
  const set = (patch: Params) => props.onChange({ ...params, ...patch });
  const zones = timeZones();
  return (
    <div className="schedule-editor">
      <div className="param-grid">
        <div>
          <label className="label" htmlFor={id}>Repeat</label>
          <select id={id} className="select" aria-invalid={!!props.error} value={mode} onChange={(e) => props.onChange(withRepeat(params, e.target.value))}>
            {PRESETS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </div>
        {mode === "weekly" && (
          <div>
            <label className="label" htmlFor={`${id}-weekday`}>On</label>
            <select id={`${id}-weekday`} className="select" value={String(params.weekday ?? "mon")} onChange={(e) => set({ weekday: e.target.value })}>
              {WEEKDAYS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
            </select>
          </div>
        )}
        {mode === "monthly" && (
          <div>
            <label className="label" htmlFor={`${id}-day`}>On day</label>
            <input id={`${id}-day`} className="input" type="number" min={1} max={28} value={String(params.day ?? 1)} onChange={(e) => set({ day: Number(e.target.value) || 1 })} />
          </div>
        )}
        {mode !== "cron" && (
          <div>
            <label className="label" htmlFor={`${id}-at`}>{mode === "hourly" ? "At minute (of this time)" : "At"}</label>
            <input id={`${id}-at`} className="input" type="time" value={String(params.at ?? "08:00")} onChange={(e) => set({ at: e.target.value })} />
          </div>
        )}
        {mode === "cron" && (
          <div style={{ gridColumn: "span 2" }}>
            <label className="label" htmlFor={`${id}-cron`}>Cron expression</label>
            <input id={`${id}-cron`} className="input mono" value={String(params.cron ?? "")} placeholder="0 8 * * 1-5" onChange={(e) => set({ cron: e.target.value })} />
            <p className="hint">minute hour day-of-month month day-of-week, e.g. 0 8 * * 1-5 = weekdays at 08:00.</p>
          </div>
        )}
      </div>
      <div className="param-grid">
        <div>
          <label className="label" htmlFor={`${id}-tz`}>Time zone</label>
          <input id={`${id}-tz`} className="input" list={zones.length ? `${id}-zones` : undefined} placeholder="The base's time zone" value={String(params.timezone ?? "")} onChange={(e) => set({ timezone: e.target.value || null })} />
          {zones.length > 0 && <datalist id={`${id}-zones`}>{zones.map((z) => <option key={z} value={z} />)}</datalist>}
        </div>
        <div>
          <label className="label" htmlFor={`${id}-catchup`}>After downtime</label>
          <select id={`${id}-catchup`} className="select" value={String(params.catch_up ?? "last")} onChange={(e) => set({ catch_up: e.target.value })}>
            {CATCH_UP.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </div>
      </div>
      {props.error && <p className="error-text" role="alert">{props.error}</p>}
    </div>
  );
}

const OFFSET = /^([+-])?\s*(\d+)\s*([dhm])$/;
const UNITS: [string, string][] = [["m", "minutes"], ["h", "hours"], ["d", "days"]];

/** "+7d" → { sign: "+", amount: 7, unit: "d" }; blank or odd text → 1 day after. */
export function parseOffset(text: unknown): { sign: "+" | "-"; amount: number; unit: string } {
  const m = typeof text === "string" ? OFFSET.exec(text.trim()) : null;
  return m ? { sign: m[1] === "-" ? "-" : "+", amount: Number(m[2]), unit: m[3] } : { sign: "+", amount: 1, unit: "d" };
}

export function OffsetEditor(props: { id: string; value: unknown; onChange: (v: string) => void; invalid?: boolean }) {
  const o = parseOffset(props.value);
  const emit = (patch: Partial<typeof o>) => {
    const n = { ...o, ...patch };
    props.onChange(`${n.sign}${n.amount}${n.unit}`);
  };
  return (
    <div className="row">
      <input id={props.id} className="input" style={{ width: 90 }} type="number" min={0} aria-label="Amount" aria-invalid={props.invalid} value={o.amount} onChange={(e) => emit({ amount: Math.max(0, Number(e.target.value) || 0) })} />
      <select className="select" style={{ width: "auto" }} aria-label="Unit" value={o.unit} onChange={(e) => emit({ unit: e.target.value })}>
        {UNITS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
      <select className="select" style={{ width: "auto" }} aria-label="Before or after" value={o.sign} onChange={(e) => emit({ sign: e.target.value as "+" | "-" })}>
        <option value="+">after the date</option>
        <option value="-">before the date</option>
      </select>
    </div>
  );
}
