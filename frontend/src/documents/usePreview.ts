import { useRef } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Id } from "../api/types";
import { useDebounced } from "../ui/useDebounced";
import { documentsApi, type Preview } from "./api";
import { errorLine } from "./insert";

export const PREVIEW_DELAY = 500;

export interface PreviewInput {
  baseId: Id;
  /** The saved document; null while creating a new one. */
  docId: Id | null;
  /** Admins preview the text being edited; readers the saved template. */
  draft: boolean;
  tableId: Id;
  template: string;
  css: string;
  rowId: Id | null;
}

/**
 * The live preview: the server renders the template as the user types, at most every
 * PREVIEW_DELAY ms of quiet; the last good HTML stays up while a new one loads or fails.
 */
export function usePreview(input: PreviewInput) {
  // Debounce a string: the input object is new on every render.
  const key = JSON.stringify(input);
  const settledKey = useDebounced(key, PREVIEW_DELAY);
  const { baseId, docId, draft, tableId, template, css, rowId } = JSON.parse(settledKey) as PreviewInput;
  const enabled = draft ? template.trim() !== "" : docId !== null;
  const query = useQuery({
    queryKey: ["doc-preview", baseId, docId, draft, tableId, template, css, rowId],
    queryFn: ({ signal }) =>
      draft
        ? documentsApi.preview(baseId, { table_id: tableId, template, css, row_id: rowId }, signal)
        : documentsApi.previewSaved(docId as Id, rowId, signal),
    enabled,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 0,
  });
  const lastGood = useRef<Preview | null>(null);
  if (query.data) lastGood.current = query.data;
  return {
    html: lastGood.current?.html ?? null,
    rowId: lastGood.current?.row_id ?? null,
    error: query.error,
    errorLine: errorLine(query.error),
    /** Nothing to render yet (an empty template). */
    idle: !enabled,
    // True while the user is still typing or the server is still rendering.
    busy: query.isFetching || settledKey !== key,
  };
}
