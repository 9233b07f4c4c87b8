// "Only if": always, a filter (the view filter builder), a formula, or both.
import { FormulaEditor } from "../fields/FormulaEditor";
import type { FilterGroup } from "../api/types";
import { FilterBuilder } from "../views/FilterBuilder";
import { useBuilder, useErrorAt } from "./context";
import type { ConditionMode } from "./draft";
import { pathId } from "./errors";

const LABELS: Record<ConditionMode, string> = {
  always: "Always",
  filter: "When these conditions match",
  formula: "When a formula is true",
  both: "When the conditions match and the formula is true",
};

/** The condition modes a trigger allows (a filter needs a stored row; row_matches needs a condition). */
export function conditionModes(triggerType: string | undefined, hasTable: boolean): ConditionMode[] {
  if (!hasTable) return ["always", "formula"];
  if (triggerType === "row_deleted") return ["always", "formula"];
  if (triggerType === "row_matches") return ["filter", "formula", "both"];
  return ["always", "filter", "formula", "both"];
}

export function ConditionSection(props: {
  mode: ConditionMode;
  filter: FilterGroup | null;
  formula: string;
  onMode: (m: ConditionMode) => void;
  onFilter: (f: FilterGroup | null) => void;
  onFormula: (f: string) => void;
}) {
  const { triggerType, triggerTable } = useBuilder();
  const modes = conditionModes(triggerType, !!triggerTable);
  const cardError = useErrorAt("condition");
  const filterError = useErrorAt("condition.filter");
  const formulaError = useErrorAt("condition.formula");
  const showFilter = props.mode === "filter" || props.mode === "both";
  const showFormula = props.mode === "formula" || props.mode === "both";
  return (
    <section className="flow-card" aria-labelledby="condition-heading">
      <header className="flow-card-header">
        <span className="flow-badge">Only if</span>
        <h3 id="condition-heading">Condition</h3>
      </header>
      <div className="flow-card-body">
        <div className="col" role="radiogroup" aria-label="Condition" id={pathId("condition")} style={{ gap: 4, marginBottom: 12 }}>
          {modes.map((m) => (
            <label key={m} className="row check-line">
              <input type="radio" name="condition-mode" checked={props.mode === m} onChange={() => props.onMode(m)} />
              {LABELS[m]}
            </label>
          ))}
        </div>
        {triggerType === "row_matches" && (
          <p className="hint" style={{ marginBottom: 12 }}>The automation runs once when a row starts matching, and again only after it stopped matching.</p>
        )}
        {showFilter && triggerTable && (
          <div className="form-row" id={pathId("condition.filter")}>
            <FilterBuilder key={triggerTable.id} value={props.filter} fields={triggerTable.fields} onChange={props.onFilter} />
            {filterError && <p className="error-text" role="alert">{filterError}</p>}
          </div>
        )}
        {showFormula && (
          <div id={pathId("condition.formula")}>
            <FormulaEditor value={props.formula} onChange={props.onFormula} fields={triggerTable?.fields ?? []} error={formulaError} />
            {triggerType === "row_updated" && !formulaError && (
              <p className="hint">OLD({"{Field}"}) is the value before the change; CHANGED({"{Field}"}) is true when the change touched it.</p>
            )}
          </div>
        )}
        {cardError && <p className="error-text" role="alert">{cardError}</p>}
      </div>
    </section>
  );
}
