import { useCallback, useEffect, useRef, useState } from "react";
import type { Id } from "../api/types";
import { interchangeApi, type Job } from "./api";
import { pollJob } from "./jobs";

/** Follows one import job while the dialog is open; closing the dialog stops polling only. */
export function useImportJob(onFinished: (job: Job) => void) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<unknown>(null);
  const controller = useRef<AbortController | null>(null);
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  }, [onFinished]);
  useEffect(() => () => controller.current?.abort(), []);

  const follow = useCallback((jobId: Id) => {
    controller.current?.abort();
    const ctl = new AbortController();
    controller.current = ctl;
    setError(null);
    setJob({ id: jobId, status: "queued", progress: 0, result: null, error: null });
    pollJob(jobId, { get: interchangeApi.job, onUpdate: setJob, signal: ctl.signal })
      .then((last) => finished.current(last))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setError(e);
      });
  }, []);

  const reset = useCallback(() => {
    controller.current?.abort();
    setJob(null);
    setError(null);
  }, []);

  return { job, error, follow, reset };
}
