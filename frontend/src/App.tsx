import { lazy, Suspense } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter, Link, Route, Routes } from "react-router-dom";
import { ApiError } from "./api/client";
import { endpoints } from "./api/endpoints";
import { qk } from "./api/queries";
import { RequireAuth } from "./shell/auth";
import { HomePage } from "./shell/HomePage";
import { LoginPage } from "./shell/LoginPage";
import { MembersPage } from "./shell/MembersPage";
import { TokensPage } from "./shell/TokensPage";
import { EmptyState, Loading } from "./ui/States";
import { ToastProvider } from "./ui/toast";

// Heavy screens load on demand so the first paint only needs the shell.
const BasePage = lazy(() => import("./base/BasePage"));
const PublicFormPage = lazy(() => import("./forms/PublicFormPage"));

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
    },
  },
});

/** Opening a base by its address: fetch its schema and code while sign-in is checked. */
function warmUp(path: string) {
  const match = /^\/bases\/(\d+)/.exec(path);
  if (!match) return;
  const id = Number(match[1]);
  void import("./base/BasePage");
  void queryClient.prefetchQuery({ queryKey: qk.schema(id), queryFn: () => endpoints.schema(id) });
}
if (typeof window !== "undefined") warmUp(window.location.pathname);

function NotFound() {
  return (
    <EmptyState title="Page not found" action={<Link className="btn" to="/">Go home</Link>}>
      The address may be mistyped, or you do not have access.
    </EmptyState>
  );
}

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/s/:token" element={<PublicFormPage />} />
        <Route path="/" element={<RequireAuth><HomePage /></RequireAuth>} />
        <Route path="/tokens" element={<RequireAuth><TokensPage /></RequireAuth>} />
        <Route path="/workspaces/:wsId/members" element={<RequireAuth><MembersPage /></RequireAuth>} />
        <Route path="/bases/:baseId/*" element={<RequireAuth><BasePage /></RequireAuth>} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>
  );
}
