import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { LogIn } from "lucide-react";
import { errorMessage, setCsrfToken } from "../api/client";
import { endpoints } from "../api/endpoints";
import { qk } from "../api/queries";
import { Logo } from "./Logo";
import { useMeQuery } from "./auth";
import "./shell.css";

/** Only same-site paths are allowed after login (no open redirects). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const me = useMeQuery();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = safeNext(params.get("next"));

  if (me.data) return <Navigate to={next} replace />;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await endpoints.login(email.trim(), password);
      setCsrfToken(res.csrf_token);
      await qc.invalidateQueries({ queryKey: qk.me });
      navigate(next, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <form className="login-card card" onSubmit={submit} aria-labelledby="login-title">
        <div className="row" style={{ gap: 10, marginBottom: 24 }}>
          <Logo size={32} />
          <span className="brand-name">TableKit</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        <p className="muted" style={{ margin: "4px 0 24px" }}>
          Welcome back. Use the account your admin created for you.
        </p>
        <div className="form-row">
          <label className="label" htmlFor="email">
            E-mail
          </label>
          <input id="email" className="input" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="form-row">
          <label className="label" htmlFor="password">
            Password
          </label>
          <input id="password" className="input" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        {error && (
          <p className="error-text" role="alert" style={{ marginBottom: 12 }}>
            {error}
          </p>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy} style={{ width: "100%", height: 38 }}>
          <LogIn size={16} /> {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
