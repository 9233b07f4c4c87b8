// One live-update socket that stays connected: reconnects with backoff, notices a dead
// connection by its missing heartbeats, and asks its listeners to reload after a gap
// (whatever changed while it was away was not delivered).
import { parseMessage, type LiveMessage, type LiveStatus } from "./protocol";

/** What LiveConnection needs of a WebSocket (tests pass a fake). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  url: string;
  onMessage: (message: LiveMessage) => void;
  onStatus: (status: LiveStatus) => void;
  create?: (url: string) => SocketLike;
  random?: () => number;
}

/** Close codes after which retrying cannot help (not signed in, no access, turned off). */
export const FINAL_CODES = new Set([4401, 4403, 4503]);
const BUSY_CODES = new Set([4429, 1013]);
const MAX_DELAY = 30_000;
const DEFAULT_HEARTBEAT = 25;

/** 1 s, 2 s, 4 s … up to 30 s, with jitter so many tabs do not reconnect in step. */
export function backoffDelay(attempt: number, random: () => number = Math.random, busy = false): number {
  const base = Math.min(MAX_DELAY, 1000 * 2 ** Math.min(attempt, 10));
  const delay = busy ? Math.max(base, 10_000) : base;
  return Math.round(delay * (0.5 + random() * 0.5));
}

export class LiveConnection {
  private ws: SocketLike | null = null;
  private attempt = 0;
  private everLive = false;
  private stopped = true;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  private heartbeat = DEFAULT_HEARTBEAT;
  status: LiveStatus = "connecting";
  /** The signed-in user's id, as the server told it (own changes are recognised by it). */
  userId: number | null = null;

  constructor(private readonly opts: LiveOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close(1000, "closed");
    }
  }

  /** Try again now (the browser is back online, the tab is visible again). */
  nudge(): void {
    if (this.stopped || this.ws || this.status === "offline") return;
    this.clearTimers();
    this.connect();
  }

  private setStatus(status: LiveStatus) {
    if (status === this.status) return;
    this.status = status;
    this.opts.onStatus(status);
  }

  private connect() {
    this.setStatus(this.everLive ? "reconnecting" : "connecting");
    let ws: SocketLike;
    try {
      ws = (this.opts.create ?? ((url) => new WebSocket(url) as unknown as SocketLike))(this.opts.url);
    } catch {
      this.scheduleRetry(false);
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => this.received(ev.data);
    ws.onclose = (ev) => this.closed(ev.code);
    ws.onerror = () => undefined; // a close event always follows
    this.armWatchdog();
  }

  private received(data: unknown) {
    this.armWatchdog();
    const message = parseMessage(data);
    if (!message) return;
    if (message.type === "hello") {
      this.heartbeat = message.heartbeat || DEFAULT_HEARTBEAT;
      this.userId = message.user_id;
      this.attempt = 0;
      const missed = this.everLive;
      this.everLive = true;
      this.setStatus("live");
      if (missed) this.opts.onMessage({ type: "resync" });
      return;
    }
    if (message.type === "ping" || message.type === "pong") return;
    this.opts.onMessage(message);
  }

  private closed(code: number) {
    this.ws = null;
    this.clearTimers();
    if (this.stopped) return;
    if (FINAL_CODES.has(code)) {
      this.setStatus("offline");
      return;
    }
    this.scheduleRetry(BUSY_CODES.has(code));
  }

  private scheduleRetry(busy: boolean) {
    this.setStatus(this.everLive ? "reconnecting" : "connecting");
    const delay = backoffDelay(this.attempt++, this.opts.random, busy);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  /** No message (not even a ping) for 2.5 heartbeats: the connection is dead. */
  private armWatchdog() {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      const ws = this.ws;
      if (!ws) return;
      ws.onclose = null;
      ws.close(4000, "no heartbeat");
      this.closed(1006);
    }, this.heartbeat * 2500);
  }

  private clearTimers() {
    if (this.retry) clearTimeout(this.retry);
    if (this.watchdog) clearTimeout(this.watchdog);
    this.retry = this.watchdog = null;
  }
}
