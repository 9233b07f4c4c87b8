import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, api, buildUrl, csrfToken, onUnauthorized, setCsrfToken } from "./client";

function mockFetch(status = 200, body: unknown = {}) {
  const fn = vi.fn(async (..._args: unknown[]) => new Response(JSON.stringify(body), { status }));
  vi.stubGlobal("fetch", fn);
  return fn;
}
const headersOf = (fn: ReturnType<typeof mockFetch>) =>
  (fn.mock.calls[0][1] as RequestInit).headers as Record<string, string>;

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = "tk_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
  setCsrfToken(null);
});

describe("api client", () => {
  it("reads the CSRF token from the tk_csrf cookie", () => {
    expect(csrfToken("a=1; tk_csrf=abc%3D; b=2")).toBe("abc=");
  });

  it("sends X-CSRF-Token on unsafe methods and same-origin credentials", async () => {
    document.cookie = "tk_csrf=tok123";
    const fn = mockFetch(201, { id: 1 });
    await api.post("/api/v1/things", { a: 1 });
    const init = fn.mock.calls[0][1] as RequestInit;
    expect(headersOf(fn)["X-CSRF-Token"]).toBe("tok123");
    expect(init.credentials).toBe("same-origin");
    expect(init.body).toBe('{"a":1}');
  });

  it.each(["patch", "del"] as const)("sends the token on %s", async (m) => {
    document.cookie = "tk_csrf=t2";
    const fn = mockFetch();
    await api[m]("/x", {});
    expect(headersOf(fn)["X-CSRF-Token"]).toBe("t2");
  });

  it("does not send the token on GET", async () => {
    document.cookie = "tk_csrf=tok123";
    const fn = mockFetch(200, { items: [] });
    await api.get("/api/v1/workspaces");
    expect(headersOf(fn)["X-CSRF-Token"]).toBeUndefined();
  });

  it("falls back to the in-memory token from login", async () => {
    setCsrfToken("mem");
    const fn = mockFetch();
    await api.post("/x");
    expect(headersOf(fn)["X-CSRF-Token"]).toBe("mem");
  });

  it("turns error bodies into ApiError and reports 401s", async () => {
    mockFetch(409, { code: "VERSION_CONFLICT", message: "Row changed", details: { version: 3 } });
    const err = await api.patch("/r", {}).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: "VERSION_CONFLICT", message: "Row changed" });

    const seen = vi.fn();
    const off = onUnauthorized(seen);
    mockFetch(401, { code: "UNAUTHENTICATED", message: "Sign in" });
    await api.get("/api/v1/me").catch(() => undefined);
    expect(seen).toHaveBeenCalledOnce();
    off();
  });

  it("builds query strings without empty values", () => {
    expect(buildUrl("/rows", { keys: "id", cursor: undefined, search: "", limit: 100 })).toBe("/rows?keys=id&limit=100");
  });
});
