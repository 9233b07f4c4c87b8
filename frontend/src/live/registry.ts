// One socket per open base, shared by every component that shows part of it. The socket
// closes a little after the last user lets go, so moving between views of the same base
// (or React's double mount in development) does not reconnect.
import type { Id } from "../api/types";
import { liveUrl, type LiveMessage, type LiveStatus } from "./protocol";
import { LiveConnection, type SocketLike } from "./socket";

type Listener = (message: LiveMessage) => void;

interface Entry {
  conn: LiveConnection;
  refs: number;
  listeners: Set<Listener>;
  watchers: Set<() => void>;
  closing: ReturnType<typeof setTimeout> | null;
}

const LINGER_MS = 3000;
const entries = new Map<Id, Entry>();
let createSocket: ((url: string) => SocketLike) | undefined;

/** Tests swap the WebSocket constructor for a fake. */
export function setSocketFactory(factory: ((url: string) => SocketLike) | undefined): void {
  createSocket = factory;
}

function entryFor(baseId: Id): Entry {
  let entry = entries.get(baseId);
  if (!entry) {
    const listeners = new Set<Listener>();
    const watchers = new Set<() => void>();
    const conn = new LiveConnection({
      url: liveUrl(baseId),
      create: createSocket,
      onMessage: (m) => listeners.forEach((l) => l(m)),
      onStatus: () => watchers.forEach((w) => w()),
    });
    entry = { conn, refs: 0, listeners, watchers, closing: null };
    entries.set(baseId, entry);
  }
  return entry;
}

/** Keep the base's socket open until the returned function is called. */
export function retainBase(baseId: Id): () => void {
  const entry = entryFor(baseId);
  entry.refs++;
  if (entry.closing) clearTimeout(entry.closing);
  entry.closing = null;
  entry.conn.start();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    entry.refs--;
    if (entry.refs > 0) return;
    entry.closing = setTimeout(() => {
      if (entry.refs > 0) return;
      entry.conn.stop();
      entries.delete(baseId);
    }, LINGER_MS);
  };
}

/** Receive the base's messages (keeps its socket open meanwhile). */
export function onLiveMessage(baseId: Id, listener: Listener): () => void {
  const release = retainBase(baseId);
  const entry = entryFor(baseId);
  entry.listeners.add(listener);
  return () => {
    entry.listeners.delete(listener);
    release();
  };
}

export function watchStatus(baseId: Id, watcher: () => void): () => void {
  const entry = entryFor(baseId);
  entry.watchers.add(watcher);
  return () => {
    entry.watchers.delete(watcher);
  };
}

export function liveStatus(baseId: Id): LiveStatus {
  return entries.get(baseId)?.conn.status ?? "connecting";
}

/** The signed-in user as the socket knows them (null before the first hello). */
export function liveUserId(baseId: Id): Id | null {
  return entries.get(baseId)?.conn.userId ?? null;
}

/** Reconnect every waiting socket now: the browser came back online or the tab shows. */
export function nudgeAll(): void {
  entries.forEach((e) => e.conn.nudge());
}

if (typeof window !== "undefined") {
  window.addEventListener("online", nudgeAll);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") nudgeAll();
  });
}
