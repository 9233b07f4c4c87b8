// Automation endpoints and their queries; kept here so the shared api/ files stay small.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import type { Id, Items } from "../api/types";
import type {
  AutomationTypes, DocumentInfo, DryRunReport, Rule, RuleBody, RuleRun, RunPage,
} from "./types";

const V1 = "/api/v1";

export const automations = {
  types: () => api.get<AutomationTypes>(`${V1}/automations/types`),
  rules: (base: Id) => api.get<Items<Rule>>(`${V1}/bases/${base}/rules`),
  rule: (rule: Id) => api.get<Rule>(`${V1}/rules/${rule}`),
  create: (base: Id, body: RuleBody) => api.post<Rule>(`${V1}/bases/${base}/rules`, body),
  update: (rule: Id, patch: Partial<RuleBody>) => api.patch<Rule>(`${V1}/rules/${rule}`, patch),
  remove: (rule: Id) => api.del(`${V1}/rules/${rule}`),
  test: (rule: Id, rowId?: Id) =>
    api.post<DryRunReport>(`${V1}/rules/${rule}/test`, rowId ? { row_id: rowId } : {}),
  run: (rule: Id, rowId?: Id) =>
    api.post<{ runs: RuleRun[] }>(`${V1}/rules/${rule}/run`, rowId ? { row_id: rowId } : {}, {
      query: { wait: 5 },
    }),
  runs: (rule: Id, limit = 50, cursor?: string | null) =>
    api.get<RunPage>(`${V1}/rules/${rule}/runs`, { limit, cursor }),
  documents: (base: Id) => api.get<Items<DocumentInfo>>(`${V1}/bases/${base}/documents`),
};

export const akeys = {
  types: ["automation-types"] as const,
  rules: (base: Id) => ["rules", base] as const,
  runs: (rule: Id) => ["rule-runs", rule] as const,
  lastRun: (rule: Id) => ["rule-runs", rule, "last"] as const,
  documents: (base: Id) => ["documents", base] as const,
};

export const useAutomationTypes = () =>
  useQuery({ queryKey: akeys.types, queryFn: automations.types, staleTime: Infinity });

export const useRules = (base: Id) =>
  useQuery({ queryKey: akeys.rules(base), queryFn: () => automations.rules(base) });

export const useDocuments = (base: Id) =>
  useQuery({ queryKey: akeys.documents(base), queryFn: () => automations.documents(base), staleTime: 60_000 });

/** The newest run of a rule (the list's status dot); a failure to load shows nothing. */
export const useLastRun = (rule: Id) =>
  useQuery({
    queryKey: akeys.lastRun(rule),
    queryFn: async () => (await automations.runs(rule, 1)).items[0] ?? null,
    staleTime: 15_000,
  });

export function useInvalidateRules(base: Id): () => Promise<void> {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: akeys.rules(base) });
}
