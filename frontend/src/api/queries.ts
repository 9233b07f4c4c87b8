import { useQuery, useQueryClient } from "@tanstack/react-query";
import { endpoints } from "./endpoints";
import type { Id } from "./types";

export const qk = {
  me: ["me"] as const,
  workspaces: ["workspaces"] as const,
  bases: (ws: Id) => ["bases", ws] as const,
  templates: ["templates"] as const,
  schema: (base: Id) => ["schema", base] as const,
  members: (ws: Id) => ["members", ws] as const,
  tokens: ["tokens"] as const,
  notifications: ["notifications"] as const,
  history: (table: Id, row: Id) => ["history", table, row] as const,
};

export const useWorkspaces = () =>
  useQuery({ queryKey: qk.workspaces, queryFn: endpoints.workspaces });

export const useBases = (ws: Id | undefined) =>
  useQuery({
    queryKey: qk.bases(ws ?? 0),
    queryFn: () => endpoints.bases(ws as Id),
    enabled: ws !== undefined,
  });

export const useTemplates = () =>
  useQuery({ queryKey: qk.templates, queryFn: endpoints.templates, retry: false });

export const useSchema = (base: Id) =>
  useQuery({ queryKey: qk.schema(base), queryFn: () => endpoints.schema(base) });

export const useMembers = (ws: Id | undefined) =>
  useQuery({
    queryKey: qk.members(ws ?? 0),
    queryFn: () => endpoints.members(ws as Id),
    enabled: ws !== undefined,
    staleTime: 60_000,
  });

/** Re-read the base schema after a schema change (tables, fields, views). */
export function useInvalidateSchema(base: Id): () => Promise<void> {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: qk.schema(base) });
}
