// Server paging for the grid's infinite row model over keyset cursors.
//
// Pages are read after a cursor (index-friendly), so we remember the cursor of every block
// we have seen and walk forward from the nearest known one (up to 10 blocks per request).
// A jump further than that (dragging the scrollbar of a million rows) asks for the block by
// `offset` in one request instead of walking hundreds of pages, and pages on from there
// with its cursor. Rows of recently fetched blocks are kept so follow-up requests are free.
import type { Row, RowPage } from "../api/types";

export type PageFetcher = (cursor: string | null, limit: number, offset?: number) => Promise<RowPage>;

export interface GroupHeader {
  __group: { level: number; label: string; fieldKey: string };
  id: string;
}
export type GridItem = Row | GroupHeader;
export const isGroupHeader = (item: GridItem | undefined): item is GroupHeader =>
  !!item && "__group" in item;

export interface Block {
  items: GridItem[];
  /** Total number of items when known (end reached), else undefined. */
  lastRow?: number;
}

export interface Pager {
  getBlock(index: number): Promise<Block>;
  /** Replace a cached row after an edit so a re-read block shows the new value. */
  patchRow(row: Row): void;
  readonly blockSize: number;
}

const MAX_LIMIT = 1000;
const KEEP_BLOCKS = 60;
/** Walking further than this many blocks from a known cursor takes more than one request. */
const WALK_BLOCKS = MAX_LIMIT / 100;

export class CursorPager implements Pager {
  /** cursors[i]: the cursor that starts block i (null for block 0); undefined = unknown. */
  private cursors: (string | null | undefined)[] = [null];
  private rows = new Map<number, Row[]>();
  private total: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  requests = 0;

  constructor(private readonly fetchPage: PageFetcher, readonly blockSize = 100) {}

  /** Rows of block `index`; calls are serialised so each page is fetched once. */
  getBlock(index: number): Promise<Block> {
    const run = this.queue.then(() => this.load(index));
    this.queue = run.catch(() => undefined);
    return run;
  }

  patchRow(row: Row): void {
    for (const rows of this.rows.values()) {
      const i = rows.findIndex((r) => r.id === row.id);
      if (i >= 0) rows[i] = row;
    }
  }

  knownCursor(index: number): string | null | undefined {
    return this.cursors[index];
  }

  private answer(index: number): Block {
    return { items: this.rows.get(index) ?? [], lastRow: this.total };
  }

  private async load(index: number): Promise<Block> {
    if (this.rows.has(index)) return this.answer(index);
    if (this.total !== undefined && index * this.blockSize >= this.total) return this.answer(index);
    let from = index;
    while (from > 0 && this.cursors[from] === undefined) from--;
    if (index - from > WALK_BLOCKS) return this.jump(index);
    while (!this.rows.has(index)) {
      const span = Math.min(index - from + 1, MAX_LIMIT / this.blockSize);
      this.requests++;
      const page = await this.fetchPage(this.cursors[from] ?? null, span * this.blockSize);
      for (let i = 0; i < span; i++) {
        const slice = page.rows.slice(i * this.blockSize, (i + 1) * this.blockSize);
        if (slice.length || i === 0) this.remember(from + i, slice);
      }
      if (page.next_cursor === null) {
        this.total = from * this.blockSize + page.rows.length;
        for (let i = from; i <= index; i++) if (!this.rows.has(i)) this.remember(i, []);
        break;
      }
      from += span;
      this.cursors[from] = page.next_cursor;
    }
    return this.answer(index);
  }

  /** One request by offset for a block far from every known cursor. */
  private async jump(index: number): Promise<Block> {
    this.requests++;
    const page = await this.fetchPage(null, this.blockSize, index * this.blockSize);
    this.remember(index, page.rows);
    if (page.next_cursor === null) this.total = index * this.blockSize + page.rows.length;
    else this.cursors[index + 1] = page.next_cursor;
    return this.answer(index);
  }

  private remember(index: number, rows: Row[]) {
    this.rows.set(index, rows);
    if (this.rows.size > KEEP_BLOCKS) {
      const oldest = this.rows.keys().next().value as number;
      this.rows.delete(oldest);
    }
  }
}

/**
 * Paging with group headers: rows come sorted by the group fields, and a header item is
 * inserted whenever a group value changes. Items are kept in one list (grouped views are
 * for tables a person reads through, not for a million rows).
 */
export class GroupedPager implements Pager {
  private items: GridItem[] = [];
  private cursor: string | null = null;
  private done = false;
  private last: string[] | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fetchPage: PageFetcher,
    private readonly groupFields: { key: string; label: (row: Row) => string }[],
    readonly blockSize = 100,
  ) {}

  getBlock(index: number): Promise<Block> {
    const run = this.queue.then(() => this.load(index));
    this.queue = run.catch(() => undefined);
    return run;
  }

  patchRow(row: Row): void {
    const i = this.items.findIndex((r) => !isGroupHeader(r) && r.id === row.id);
    if (i >= 0) this.items[i] = row;
  }

  private async load(index: number): Promise<Block> {
    const need = (index + 1) * this.blockSize;
    while (!this.done && this.items.length < need) {
      const page = await this.fetchPage(this.cursor, 500);
      for (const row of page.rows) this.push(row);
      this.cursor = page.next_cursor;
      if (!page.next_cursor || page.rows.length === 0) this.done = true;
    }
    return {
      items: this.items.slice(index * this.blockSize, need),
      lastRow: this.done ? this.items.length : undefined,
    };
  }

  private push(row: Row) {
    const labels = this.groupFields.map((g) => g.label(row));
    let changedAt = this.last ? labels.findIndex((l, i) => l !== this.last?.[i]) : 0;
    if (changedAt >= 0) {
      for (let level = changedAt; level < labels.length; level++) {
        this.items.push({
          __group: { level, label: labels[level], fieldKey: this.groupFields[level].key },
          id: `group-${this.items.length}`,
        });
      }
      changedAt = -1;
    }
    this.last = labels;
    this.items.push(row);
  }
}
