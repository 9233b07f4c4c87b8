// Following a background job (`GET /jobs/{id}`) until it ends. Pure enough to test without
// a server: the fetch and the sleep are passed in.
import { ApiError } from "../api/client";
import type { Id } from "../api/types";
import type { Job, RejectedRow } from "./api";

export const isFinished = (job: Job) => job.status === "succeeded" || job.status === "failed";

/** Delay before the n-th poll (0-based): quick at first, then every two seconds. */
export function pollDelay(attempt: number): number {
  return Math.min(2000, 250 * 2 ** Math.min(attempt, 3));
}

function abortError(): Error {
  return new DOMException("The job is no longer followed", "AbortError");
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface PollOptions {
  get: (id: Id, signal?: AbortSignal) => Promise<Job>;
  /** Every answer, in order, including the last. */
  onUpdate?: (job: Job) => void;
  signal?: AbortSignal;
  delay?: (attempt: number) => number;
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Network or server errors in a row that are retried before giving up. */
  maxErrors?: number;
}

/**
 * Poll a job until it succeeds or fails and return its last state. Brief outages (network
 * errors, 5xx, 429) are retried; a 4xx such as 404 is final. Rejects with an AbortError
 * when `signal` aborts (the dialog was closed), which does not stop the job itself.
 */
export async function pollJob(id: Id, opts: PollOptions): Promise<Job> {
  const delay = opts.delay ?? pollDelay;
  const wait = opts.wait ?? sleep;
  const maxErrors = opts.maxErrors ?? 5;
  let errors = 0;
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw abortError();
    try {
      const job = await opts.get(id, opts.signal);
      errors = 0;
      opts.onUpdate?.(job);
      if (isFinished(job)) return job;
    } catch (e) {
      if (opts.signal?.aborted) throw abortError();
      const transient = !(e instanceof ApiError) || e.status >= 500 || e.status === 429;
      if (!transient || ++errors > maxErrors) throw e;
    }
    await wait(delay(attempt), opts.signal);
  }
}

/** What the progress view shows for a job. */
export interface JobView {
  state: "queued" | "running" | "succeeded" | "failed";
  /** 0–100, whole numbers. */
  percent: number;
  label: string;
  rejectedRows: RejectedRow[];
}

export function describeJob(job: Job): JobView {
  const percent = Math.round(Math.max(0, Math.min(1, job.progress || 0)) * 100);
  if (job.status === "succeeded") {
    const r = job.result;
    const parts = r ? [`${r.created} created`, ...(r.updated ? [`${r.updated} updated`] : []), ...(r.rejected ? [`${r.rejected} rejected`] : [])] : [];
    return { state: "succeeded", percent: 100, label: parts.length ? `Import finished: ${parts.join(", ")}` : "Import finished", rejectedRows: r?.rejected_rows ?? [] };
  }
  if (job.status === "failed") {
    return {
      state: "failed",
      percent,
      label: job.error?.message ?? "The import failed",
      rejectedRows: job.error?.details?.rejected_rows ?? [],
    };
  }
  if (job.status === "queued") return { state: "queued", percent: 0, label: "Waiting to start…", rejectedRows: [] };
  return { state: "running", percent, label: `Importing… ${percent}%`, rejectedRows: [] };
}

/** The rejected rows as a CSV the user can download, fix and import again. */
export function rejectedCsv(rows: RejectedRow[]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? "" : String(v);
    // Like the server's export: text a spreadsheet would run as a formula gets an apostrophe.
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [["Row", "Column", "Field", "Problem"], ...rows.map((r) => [r.row, r.column, r.field, r.message])];
  return lines.map((l) => l.map(cell).join(",")).join("\r\n") + "\r\n";
}
