import { createContext, useContext, useEffect, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Navigate, useLocation } from "react-router-dom";
import { ApiError, onUnauthorized, request, setCsrfToken } from "../api/client";
import { endpoints } from "../api/endpoints";
import { qk } from "../api/queries";
import type { Me } from "../api/types";
import { ErrorState, Loading } from "../ui/States";

const MeContext = createContext<Me | null>(null);

/** The signed-in user; only valid below <RequireAuth>. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe outside RequireAuth");
  return me;
}

const fetchMe = () => request<Me | null>("/api/v1/me", { quiet401: true }).catch((e) => {
  if (e instanceof ApiError && e.status === 401) return null;
  throw e;
});

export function useMeQuery() {
  return useQuery({ queryKey: qk.me, queryFn: fetchMe, staleTime: 5 * 60_000, retry: false });
}

/** Shows the login page (keeping the wanted address) when there is no session. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMeQuery();
  const qc = useQueryClient();
  const location = useLocation();
  useEffect(
    () =>
      onUnauthorized(() => {
        qc.setQueryData(qk.me, null);
      }),
    [qc],
  );
  if (me.isPending) return <Loading label="Signing in…" />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <MeContext.Provider value={me.data}>{children}</MeContext.Provider>;
}

export function useLogout() {
  const qc = useQueryClient();
  return async () => {
    try {
      await endpoints.logout();
    } finally {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(qk.me, null);
    }
  };
}
