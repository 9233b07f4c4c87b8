// The automations screen of a base: the list on the left, the selected rule on the right.
// Routes: /bases/:baseId/automations, …/automations/new, …/automations/:ruleId.
import { Component, type ReactNode } from "react";
import { Route, Routes, useNavigate, useParams } from "react-router-dom";
import { Lock, Zap } from "lucide-react";
import type { BaseSchema } from "../api/types";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { useAutomationTypes, useRules } from "./api";
import { RuleEditor } from "./RuleEditor";
import { RuleList } from "./RuleList";
import type { AutomationTypes, Rule } from "./types";
import "./automations.css";

/** A rule the editor cannot show (an unexpected stored shape) must not take the page down. */
class EditorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (this.state.error) {
      return <EmptyState title="This automation could not be shown">{this.state.error.message}</EmptyState>;
    }
    return this.props.children;
  }
}

function SavedRule(props: { base: BaseSchema; types: AutomationTypes; rules: Rule[] }) {
  const id = Number(useParams().ruleId);
  const rule = props.rules.find((r) => r.id === id);
  if (!rule) return <EmptyState title="Automation not found">It may have been deleted.</EmptyState>;
  return (
    <EditorBoundary key={rule.id}>
      <RuleEditor base={props.base} types={props.types} rule={rule} />
    </EditorBoundary>
  );
}

export default function AutomationsPage({ base }: { base: BaseSchema }) {
  const navigate = useNavigate();
  const canManage = base.role === "owner" || base.role === "admin";
  const types = useAutomationTypes();
  const rules = useRules(base.id);
  if (!canManage) {
    return (
      <EmptyState icon={<Lock size={22} />} title="Automations are managed by admins">
        Ask a workspace admin or owner to set up automations for this base.
      </EmptyState>
    );
  }
  if (types.isPending || rules.isPending) return <Loading label="Loading automations…" />;
  if (types.isError) return <ErrorState error={types.error} onRetry={() => types.refetch()} />;
  if (rules.isError) return <ErrorState error={rules.error} onRetry={() => rules.refetch()} />;
  const onNew = () => navigate(`/bases/${base.id}/automations/new`);
  return (
    <div className="automations">
      <RuleList base={base} types={types.data} rules={rules.data.items} onNew={onNew} />
      <main className="automation-main">
        <Routes>
          <Route
            index
            element={
              <EmptyState
                icon={<Zap size={22} />}
                title="Automate the routine"
                action={<button type="button" className="btn btn-primary" onClick={onNew}>New automation</button>}
              >
                When something happens in this base (a row changes, a date comes, a form is sent), TableKit can notify people, send e-mails, update rows and make documents.
              </EmptyState>
            }
          />
          <Route path="new" element={<RuleEditor key="new" base={base} types={types.data} />} />
          <Route path=":ruleId" element={<SavedRule base={base} types={types.data} rules={rules.data.items} />} />
        </Routes>
      </main>
    </div>
  );
}
