// A lightweight cell-range selection for the grid (AG Grid Community has none): an anchor
// cell and a moving end, both as (row index, column id). Pure functions, unit-tested.

export interface CellPos {
  row: number;
  col: string;
}

export interface CellRange {
  anchor: CellPos;
  end: CellPos;
}

export interface Bounds {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The rectangle a range covers, as row indexes and positions in `columns` (the data
 * columns in display order); null when one of its columns is not shown any more. */
export function rangeBounds(range: CellRange | null, columns: string[]): Bounds | null {
  if (!range) return null;
  const a = columns.indexOf(range.anchor.col);
  const b = columns.indexOf(range.end.col);
  if (a < 0 || b < 0) return null;
  return {
    top: Math.min(range.anchor.row, range.end.row),
    bottom: Math.max(range.anchor.row, range.end.row),
    left: Math.min(a, b),
    right: Math.max(a, b),
  };
}

export function inBounds(b: Bounds | null, row: number, colIndex: number): boolean {
  return !!b && row >= b.top && row <= b.bottom && colIndex >= b.left && colIndex <= b.right;
}

export function isMultiCell(b: Bounds | null): boolean {
  return !!b && (b.bottom > b.top || b.right > b.left);
}

/** A new range after focus moved to `pos`: extended from the anchor, or started afresh. */
export function moveFocus(range: CellRange | null, pos: CellPos, extend: boolean): CellRange {
  return extend && range ? { anchor: range.anchor, end: pos } : { anchor: pos, end: pos };
}

export function describeSize(b: Bounds): string {
  const rows = b.bottom - b.top + 1;
  const cols = b.right - b.left + 1;
  return `${rows} × ${cols}`;
}
