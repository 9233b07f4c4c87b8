/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const backend = process.env.TABLEKIT_DEV_BACKEND ?? "http://127.0.0.1:8000";
const proxied = ["/api", "/hooks", "/healthz"];
// The same policy as the server sends (live updates: WebSockets to this host only), so
// `vite preview` catches CSP mistakes early.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:4173 ws://localhost:4173";

export default defineConfig({
  plugins: [react()],
  server: {
    // `/s/{token}` (public forms) is a client route of this app, so it is not proxied.
    // `ws` also forwards the live-updates WebSocket (`/api/v1/bases/{id}/live`).
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: backend, changeOrigin: false, ws: p === "/api" }])),
  },
  preview: { headers: { "Content-Security-Policy": CSP } },
  build: {
    outDir: "dist",
    // The server's CSP forbids inline scripts: keep everything in external files.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1600,
    rollupOptions: {
      output: {
        manualChunks: {
          react: ["react", "react-dom", "react-router-dom", "@tanstack/react-query"],
          aggrid: ["ag-grid-community", "ag-grid-react"],
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
  },
});
