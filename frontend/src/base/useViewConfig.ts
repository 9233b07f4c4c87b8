import { useCallback, useEffect, useRef } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { endpoints } from "../api/endpoints";
import { qk } from "../api/queries";
import type { BaseSchema, Id, ViewConfig } from "../api/types";
import { useToast } from "../ui/toast";

/**
 * Change a view's config optimistically in the schema cache and save it with
 * PATCH /views/{id}. Saves are coalesced (resizing a column fires many events).
 */
export function useViewConfigUpdater(baseId: Id, viewId: Id) {
  const qc = useQueryClient();
  const toast = useToast();
  const pending = useRef<Partial<ViewConfig>>({});
  const timer = useRef<number | undefined>(undefined);

  const flush = useCallback(async () => {
    const schema = qc.getQueryData<BaseSchema>(qk.schema(baseId));
    const view = schema?.tables.flatMap((t) => t.views).find((v) => v.id === viewId);
    pending.current = {};
    if (!view) return;
    try {
      await endpoints.updateView(viewId, { config: view.config ?? {} });
    } catch (e) {
      toast.error(e);
      await qc.invalidateQueries({ queryKey: qk.schema(baseId) });
    }
  }, [qc, baseId, viewId, toast]);

  useEffect(
    () => () => {
      if (timer.current !== undefined) {
        window.clearTimeout(timer.current);
        void flush();
      }
    },
    [flush],
  );

  return useCallback(
    (patch: Partial<ViewConfig>) => {
      qc.setQueryData<BaseSchema>(qk.schema(baseId), (old) =>
        old && {
          ...old,
          tables: old.tables.map((t) => ({
            ...t,
            views: t.views.map((v) => (v.id === viewId ? { ...v, config: { ...(v.config ?? {}), ...patch } } : v)),
          })),
        },
      );
      pending.current = { ...pending.current, ...patch };
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => {
        timer.current = undefined;
        void flush();
      }, 400);
    },
    [qc, baseId, viewId, flush],
  );
}
