import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { liveUrl, parseMessage, type LiveMessage, type LiveStatus } from "./protocol";
import { backoffDelay, LiveConnection, type SocketLike } from "./socket";

class FakeSocket implements SocketLike {
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  closed: number | null = null;
  constructor(readonly url: string) {}
  close(code = 1000) {
    this.closed = code;
  }
  say(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

const HELLO = { type: "hello", base_id: 3, user_id: 7, heartbeat: 25 };

function setup() {
  const sockets: FakeSocket[] = [];
  const messages: LiveMessage[] = [];
  const statuses: LiveStatus[] = [];
  const conn = new LiveConnection({
    url: "ws://host/api/v1/bases/3/live",
    create: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    random: () => 1,
  });
  return { conn, sockets, messages, statuses };
}

describe("LiveConnection", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("passes changes on, hides heartbeats, and learns who the user is", () => {
    const { conn, sockets, messages, statuses } = setup();
    conn.start();
    sockets[0].say(HELLO);
    sockets[0].say({ type: "ping" });
    sockets[0].say({ type: "rows", table_id: 5, changes: [{ op: "updated", row_id: 1, actor_id: 2 }] });
    sockets[0].onmessage?.({ data: "not json" });
    expect(statuses).toEqual(["live"]);
    expect(conn.userId).toBe(7);
    expect(messages).toEqual([{ type: "rows", table_id: 5, changes: [{ op: "updated", row_id: 1, actor_id: 2 }] }]);
  });

  it("reconnects with growing delays and asks for a reload after a gap", () => {
    const { conn, sockets, messages, statuses } = setup();
    conn.start();
    sockets[0].say(HELLO);
    sockets[0].drop();
    expect(statuses.at(-1)).toBe("reconnecting");
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1].drop();
    vi.advanceTimersByTime(1999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    sockets[2].say(HELLO);
    expect(statuses.at(-1)).toBe("live");
    expect(messages).toEqual([{ type: "resync" }]);
  });

  it("gives up when refused and stops cleanly", () => {
    const { conn, sockets, statuses } = setup();
    conn.start();
    sockets[0].drop(4403);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toBe("offline");

    const other = setup();
    other.conn.start();
    other.sockets[0].say(HELLO);
    other.conn.stop();
    expect(other.sockets[0].closed).toBe(1000);
    vi.advanceTimersByTime(120_000);
    expect(other.sockets).toHaveLength(1);
  });

  it("treats a silent connection as dead", () => {
    const { conn, sockets } = setup();
    conn.start();
    sockets[0].say(HELLO);
    vi.advanceTimersByTime(25 * 2500);
    expect(sockets[0].closed).toBe(4000);
    vi.advanceTimersByTime(1000);
    expect(sockets).toHaveLength(2);
  });
});

describe("protocol", () => {
  it("builds the socket address from the page's origin", () => {
    expect(liveUrl(4, { protocol: "https:", host: "tk.example.com" })).toBe("wss://tk.example.com/api/v1/bases/4/live");
    expect(liveUrl(4, { protocol: "http:", host: "127.0.0.1:8000" })).toBe("ws://127.0.0.1:8000/api/v1/bases/4/live");
  });

  it("ignores what it does not understand", () => {
    expect(parseMessage('{"type":"schema_changed"}')).toEqual({ type: "schema_changed" });
    expect(parseMessage('{"type":"evil"}')).toBeNull();
    expect(parseMessage("[1]")).toBeNull();
    expect(parseMessage(new ArrayBuffer(2))).toBeNull();
  });

  it("backs off up to 30 s, longer when the server is busy", () => {
    expect([0, 1, 2, 5, 12].map((a) => backoffDelay(a, () => 1))).toEqual([1000, 2000, 4000, 30000, 30000]);
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1, true)).toBe(10000);
  });
});
