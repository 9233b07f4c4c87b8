import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import type { Job } from "./api";
import { describeJob, pollDelay, pollJob, rejectedCsv } from "./jobs";

const job = (status: Job["status"], progress = 0, extra: Partial<Job> = {}): Job => ({ id: 7, status, progress, result: null, error: null, ...extra });
const noWait = () => Promise.resolve();

/** A fake GET /jobs/{id}: each call takes the next answer (a job, or an error to throw). */
function answers(...seq: (Job | Error)[]) {
  return vi.fn(async () => {
    const next = seq.shift();
    if (!next) throw new Error("polled after the end");
    if (next instanceof Error) throw next;
    return next;
  });
}

describe("pollJob", () => {
  it("reports every state until the job succeeds, then stops", async () => {
    const done = job("succeeded", 1, { result: { table_id: 1, created: 3, updated: 0, rejected: 0, rows_read: 3, blank_rows: 0, rejected_rows: [] } });
    const get = answers(job("queued"), job("running", 0.4), done);
    const seen: string[] = [];
    const delays: number[] = [];
    const last = await pollJob(7, {
      get,
      onUpdate: (j) => seen.push(`${j.status}:${j.progress}`),
      wait: async (ms) => { delays.push(ms); },
    });
    expect(last).toBe(done);
    expect(seen).toEqual(["queued:0", "running:0.4", "succeeded:1"]);
    expect(get).toHaveBeenCalledTimes(3);
    expect(delays).toEqual([pollDelay(0), pollDelay(1)]);
  });

  it("returns a failed job (it is an answer, not an error)", async () => {
    const failed = job("failed", 0.2, { error: { code: "IMPORT_REJECTED", message: "2 rows", details: null } });
    await expect(pollJob(7, { get: answers(failed), wait: noWait })).resolves.toBe(failed);
  });

  it("retries network errors and 5xx answers", async () => {
    const get = answers(new TypeError("Failed to fetch"), new ApiError(503, {}), job("succeeded", 1));
    await expect(pollJob(7, { get, wait: noWait })).resolves.toMatchObject({ status: "succeeded" });
    expect(get).toHaveBeenCalledTimes(3);
  });

  it("gives up after too many errors in a row", async () => {
    const get = answers(new ApiError(500, {}), new ApiError(500, {}), new ApiError(502, {}));
    await expect(pollJob(7, { get, wait: noWait, maxErrors: 2 })).rejects.toMatchObject({ status: 502 });
  });

  it("stops at once on a 4xx such as a job that is not found", async () => {
    const get = answers(new ApiError(404, { code: "JOB_NOT_FOUND" }), job("succeeded"));
    await expect(pollJob(7, { get, wait: noWait })).rejects.toMatchObject({ code: "JOB_NOT_FOUND" });
    expect(get).toHaveBeenCalledTimes(1);
  });

  it("stops polling when aborted", async () => {
    const ctl = new AbortController();
    const get = vi.fn(async () => job("running", 0.1));
    const run = pollJob(7, { get, signal: ctl.signal, delay: () => 50 });
    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(1));
    ctl.abort();
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(get).toHaveBeenCalledTimes(1);
  });

  it("polls quickly first, then every two seconds", () => {
    expect([0, 1, 2, 3, 10].map(pollDelay)).toEqual([250, 500, 1000, 2000, 2000]);
  });
});

describe("describeJob", () => {
  it("shows the percentage while running", () => {
    expect(describeJob(job("running", 0.426))).toMatchObject({ state: "running", percent: 43, label: "Importing… 43%" });
    expect(describeJob(job("queued"))).toMatchObject({ state: "queued", percent: 0 });
  });
  it("sums up a finished import with its rejected rows", () => {
    const rejected_rows = [{ row: 4, column: "Price", field: "Price", message: "'x' is not a number" }];
    const v = describeJob(job("succeeded", 1, { result: { table_id: 1, created: 5, updated: 2, rejected: 1, rows_read: 8, blank_rows: 0, rejected_rows } }));
    expect(v).toMatchObject({ state: "succeeded", percent: 100, label: "Import finished: 5 created, 2 updated, 1 rejected" });
    expect(v.rejectedRows).toBe(rejected_rows);
  });
  it("takes the rejected rows of a failed all-or-nothing import from the error", () => {
    const rows = [{ row: 2, column: "Qty", message: "bad" }];
    const v = describeJob(job("failed", 0.5, { error: { code: "IMPORT_REJECTED", message: "1 row(s) cannot be imported", details: { rejected: 1, rejected_rows: rows } } }));
    expect(v).toMatchObject({ state: "failed", label: "1 row(s) cannot be imported", rejectedRows: rows });
  });
});

describe("rejectedCsv", () => {
  it("quotes cells and neutralizes text a spreadsheet would run", () => {
    const csv = rejectedCsv([{ row: 3, column: "=cmd", field: null, message: 'say "hi", then\nstop' }]);
    expect(csv).toBe('Row,Column,Field,Problem\r\n3,\'=cmd,,"say ""hi"", then\nstop"\r\n');
  });
});
