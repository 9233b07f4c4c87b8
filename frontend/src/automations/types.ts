// Shapes of the automation endpoints (docs/automations.md, tablekit/api/automations.py).
import type { FilterGroup, Id } from "../api/types";

/** The subset of JSON Schema that msgspec emits for params (GET /automations/types). */
export interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  title?: string;
  description?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
}

export interface AutomationType {
  type: string;
  label: string;
  params: JsonSchema;
}

export interface AutomationTypes {
  triggers: AutomationType[];
  actions: AutomationType[];
}

export type Params = Record<string, unknown>;

export interface RuleTrigger {
  type: string;
  table_id?: Id | null;
  params: Params;
}

export interface RuleCondition {
  filter?: FilterGroup | null;
  formula?: string | null;
}

export interface RuleAction {
  type: string;
  params: Params;
}

/** What POST /bases/{base}/rules and PATCH /rules/{rule} take. */
export interface RuleBody {
  name: string;
  enabled: boolean;
  trigger: RuleTrigger;
  condition: RuleCondition | null;
  actions: RuleAction[];
}

export interface Rule extends RuleBody {
  id: Id;
  base_id: Id;
  owner_id: Id | null;
  next_run_at: string | null;
  failure_count: number;
  disabled_reason: string;
  created_at: string;
  updated_at: string;
  /** Webhook rules only: the secret address that starts the rule. */
  hook_url?: string;
}

export type RunStatus = "pending" | "running" | "ok" | "failed" | "refused" | "stopped";

export interface RunStep {
  index: number;
  type: string;
  status: string;
  at?: string;
  duration_ms?: number;
  line?: string;
  output?: Record<string, unknown>;
  error?: string;
}

export interface RuleRun {
  id: Id;
  rule_id: Id;
  status: RunStatus;
  trigger: Record<string, unknown>;
  steps: RunStep[];
  error: string;
  attempts: number;
  depth: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface RunPage {
  items: RuleRun[];
  next_cursor: string | null;
}

export interface DryRunReport {
  dry_run: true;
  row_id: Id | null;
  condition: { filter?: boolean; formula?: boolean; formula_error?: string; holds: boolean } | null;
  status: string;
  error: string;
  steps: RunStep[];
}

export interface DocumentInfo {
  id: Id;
  base_id: Id;
  table_id: Id;
  name: string;
}
