import { createContext, useContext } from "react";
import type { BaseSchema, Table } from "../api/types";
import type { DraftAction } from "./draft";
import type { AutomationTypes } from "./types";

/** What every control of the rule editor may need to know about the rule around it. */
export interface Builder {
  base: BaseSchema;
  types: AutomationTypes;
  triggerType: string | undefined;
  /** The table of the row that starts the rule (none for schedules and webhooks). */
  triggerTable: Table | undefined;
  actions: DraftAction[];
}

export const BuilderContext = createContext<Builder | null>(null);

export function useBuilder(): Builder {
  const ctx = useContext(BuilderContext);
  if (!ctx) throw new Error("useBuilder outside the rule editor");
  return ctx;
}

/** The server's complaint and the control it belongs to (see errors.ts). */
export interface ShownError {
  target: string | null;
  message: string;
}

export const ErrorContext = createContext<ShownError | null>(null);

/** The error message when it belongs to the control at one of these paths. */
export function useErrorAt(...paths: string[]): string | null {
  const e = useContext(ErrorContext);
  return e && e.target !== null && paths.includes(e.target) ? e.message : null;
}
