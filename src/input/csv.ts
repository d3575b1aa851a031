/**
 * CSV (or TSV, ";", "|" or space-aligned columns) → one step per data row.
 * The delimiter is detected from the first lines; quoted fields follow RFC 4180; a first row with text
 * where later rows have numbers is a header. Text columns (labels, dates) are skipped with a note;
 * a bad cell in a numeric column is an error naming its line and column.
 */
import { msg } from '../l10n/format';
import { EncodeOptions, EncodedSequence, HARD_CAP_TOKENS, SpanBuilder, UnrollError, fmtCount, where } from './types';
import { NumberTable, numberInRange, tableToSequence } from './numbers';

/**
 * A parsed CSV block as flat typed arrays (no object per cell: a 5 MB block has over a million cells,
 * and objects made the garbage collector the bottleneck). Offsets are relative to the parsed text.
 */
export interface CsvTable {
  delimiter: string;
  header: string[] | null;
  /** Data rows (the header excluded). */
  rowCount: number;
  /** Fields per row (every data row has exactly this many). */
  width: number;
  rowStart: Uint32Array;
  rowEnd: Uint32Array;
  /** Cell (row r, column k) is index r * width + k; its content spans [cellStart, cellEnd). */
  cellStart: Uint32Array;
  cellEnd: Uint32Array;
  /** Unescaped values of quoted cells ("" → "), by cell index. */
  quoted: Map<number, string>;
  /** Indices of the columns whose data cells are all numbers. */
  numericColumns: number[];
  /** Where reading stopped (< text.length when the hard cap cut it). */
  end: number;
}

const NUMERIC_CELL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const NOT_FINITE_CELL = /^\s*[+-]?(?:nan|inf|infinity|null|none|n\/a|na)\s*$/i;

interface SplitRows {
  rows: number;
  rowStart: Uint32Array;
  rowEnd: Uint32Array;
  /** Index of each row's first cell and its cell count (rows may differ before validation). */
  rowCell: Uint32Array;
  rowCells: Uint32Array;
  cells: SpanBuilder;
  quoted: Map<number, string>;
  end: number;
}

/** Split into rows and cells; quoted fields may hold delimiters and line breaks. */
function splitRows(text: string, delimiter: string, maxRows: number): SplitRows {
  const rowSpans = new SpanBuilder(1024);
  const rowCellSpans = new SpanBuilder(1024);
  const cells = new SpanBuilder(4096);
  const quoted = new Map<number, string>();
  const space = delimiter === ' ';
  const dc = delimiter.charCodeAt(0);
  let i = 0;
  const n = text.length;
  while (i < n && rowSpans.count < maxRows) {
    const rowStart = i;
    const firstCell = cells.count;
    let blank = true;
    for (;;) {
      if (space) while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
      const start = i;
      if (text.charCodeAt(i) === 34) {
        let j = i + 1;
        let v = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw UnrollError.of('{0}: a quoted field is never closed; add the closing ".', where(text, i));
          v += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            v += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        quoted.set(cells.count, v);
        cells.push(start + 1, j - 1 - (start + 1));
        i = j;
        blank = false;
      } else {
        for (;;) {
          const c = text.charCodeAt(i);
          if (i >= n || c === dc || c === 10 || c === 13 || (space && c === 9)) break;
          if (c !== 32 && c !== 9) blank = false;
          i++;
        }
        cells.push(start, i - start);
      }
      if (space) while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
      if (i < n && text.charCodeAt(i) === dc) {
        i++;
        blank = false;
        continue;
      }
      if (space && i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) continue;
      break;
    }
    let rowEnd = i;
    let rowFrom = rowStart;
    if (space) while (text.charCodeAt(rowFrom) === 32 || text.charCodeAt(rowFrom) === 9) rowFrom++;
    if (text.charCodeAt(i) === 13) i++;
    if (text.charCodeAt(i) === 10) i++;
    if (space && cells.count > firstCell + 1 && cells.lengths[cells.count - 1] === 0) cells.count--;
    while (rowEnd > rowFrom && (text.charCodeAt(rowEnd - 1) === 32 || text.charCodeAt(rowEnd - 1) === 9)) rowEnd--;
    // Blank lines separate nothing: skip them.
    if (blank) {
      cells.count = firstCell;
      continue;
    }
    rowSpans.push(rowFrom, rowEnd - rowFrom);
    rowCellSpans.push(firstCell, cells.count - firstCell);
  }
  const rows = rowSpans.count;
  const rowEnds = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) rowEnds[r] = rowSpans.offsets[r] + rowSpans.lengths[r];
  return { rows, rowStart: rowSpans.offsets.slice(0, rows), rowEnd: rowEnds, rowCell: rowCellSpans.offsets, rowCells: rowCellSpans.lengths, cells, quoted, end: i };
}

/** The content of a cell (unescaped when quoted). */
export function cellText(text: string, table: CsvTable, row: number, k: number): string {
  const idx = row * table.width + k;
  return table.quoted.get(idx) ?? text.slice(table.cellStart[idx], table.cellEnd[idx]);
}

/** Fields in one line for delimiter d, ignoring delimiters inside double quotes. */
function fieldCount(line: string, d: string): number {
  if (d === ' ') return line.trim() ? line.trim().split(/[ \t]+/).length : 0;
  let n = 1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (!quoted && line[i] === d) n++;
  }
  return n;
}

/**
 * Pick the delimiter that splits every one of the first lines into ≥ 2 fields, with the first line's
 * count shared by at least half of them (so a ragged row is reported by the parser, not taken for prose).
 * Space-aligned columns count only when the fields after the first line are numbers.
 */
export function detectDelimiter(text: string): string | null {
  const lines = text.slice(0, 65_536).split(/\r\n|\n|\r/, 40).filter((l) => l.trim()).slice(0, 20);
  if (lines.length < 1) return null;
  for (const d of ['\t', ',', ';', '|', ' ']) {
    const counts = lines.map((l) => fieldCount(l, d));
    if (counts[0] < 2 || counts.some((c) => c < 2)) continue;
    if (counts.filter((c) => c === counts[0]).length * 2 < counts.length) continue;
    if (d === ' ' && !lines.slice(lines.length > 1 ? 1 : 0).every((l) => l.trim().split(/[ \t]+/).every((f) => NUMERIC_CELL.test(f)))) continue;
    return d;
  }
  return null;
}

export function parseCsv(text: string, delimiter?: string, maxRows = HARD_CAP_TOKENS): CsvTable {
  const d = delimiter ?? detectDelimiter(text);
  if (!d) throw UnrollError.of('The selection is not CSV: its lines do not have the same number of fields.');
  const cellOf = (sp: SplitRows, r: number, k: number) => {
    const idx = sp.rowCell[r] + k;
    return sp.quoted.get(idx) ?? text.slice(sp.cells.offsets[idx], sp.cells.offsets[idx] + sp.cells.lengths[idx]);
  };
  const rowTexts = (sp: SplitRows, r: number) => Array.from({ length: sp.rowCells[r] }, (_, k) => cellOf(sp, r, k));
  const first = splitRows(text, d, 2);
  const headerLikely = first.rows === 2 && rowTexts(first, 0).some((c) => !NUMERIC_CELL.test(c)) && rowTexts(first, 1).some((c) => NUMERIC_CELL.test(c));
  const sp = splitRows(text, d, maxRows + (headerLikely ? 1 : 0));
  const skip = headerLikely ? 1 : 0;
  const header = headerLikely ? rowTexts(sp, 0).map((c, k) => c.trim() || `column ${k + 1}`) : null;
  const rowCount = sp.rows - skip;
  if (rowCount <= 0) throw UnrollError.of('The CSV has a header but no data rows.');
  const width = header ? header.length : sp.rowCells[0];
  for (let r = skip; r < sp.rows; r++) {
    if (sp.rowCells[r] !== width) {
      throw header
        ? UnrollError.of('{0}: this row has {1} fields but the header has {2}; fix the row or select fewer lines.', where(text, sp.rowStart[r]), sp.rowCells[r], width)
        : UnrollError.of('{0}: this row has {1} fields but the first row has {2}; fix the row or select fewer lines.', where(text, sp.rowStart[r]), sp.rowCells[r], width);
    }
  }
  // Data cells are contiguous once every row has `width` fields: one offset per cell.
  const base = sp.rowCell[skip];
  const cellStart = sp.cells.offsets.slice(base, base + rowCount * width);
  const cellEnd = new Uint32Array(rowCount * width);
  for (let i = 0; i < cellEnd.length; i++) cellEnd[i] = cellStart[i] + sp.cells.lengths[base + i];
  const quoted = new Map<number, string>();
  for (const [idx, v] of sp.quoted) if (idx >= base) quoted.set(idx - base, v);
  const table: CsvTable = {
    delimiter: d, header, rowCount, width, rowStart: sp.rowStart.slice(skip), rowEnd: sp.rowEnd.slice(skip),
    cellStart, cellEnd, quoted, numericColumns: [], end: sp.end,
  };
  // A column is numeric when its first data cell is; later bad cells in it are then errors, not a reason to skip it.
  for (let k = 0; k < width; k++) {
    const c = cellText(text, table, 0, k);
    if (NUMERIC_CELL.test(c) || NOT_FINITE_CELL.test(c)) table.numericColumns.push(k);
  }
  return table;
}

/** Column name for messages. */
export function columnName(table: CsvTable, k: number): string {
  return table.header ? table.header[k] : msg('column {0}', k + 1);
}

interface ColumnCheck {
  values: Float32Array;
  /** Row of the first bad cell (Infinity when every cell is a number). */
  badRow: number;
  message?: string;
}
const columnChecks = new WeakMap<CsvTable, Map<number, ColumnCheck>>();

/** Reads one column once (memoised per table): its values, or the first bad cell with its place. */
export function checkColumn(text: string, table: CsvTable, k: number): ColumnCheck {
  let cache = columnChecks.get(table);
  if (!cache) columnChecks.set(table, (cache = new Map()));
  const hit = cache.get(k);
  if (hit) return hit;
  const values = new Float32Array(table.rowCount);
  const check: ColumnCheck = { values, badRow: Infinity };
  for (let t = 0; t < table.rowCount; t++) {
    const idx = t * table.width + k;
    // Fast path: parse the cell in place; only a quoted or bad cell is looked at as a string.
    const v = table.quoted.has(idx) ? undefined : numberInRange(text, table.cellStart[idx], table.cellEnd[idx]);
    if (v !== undefined) {
      values[t] = v;
      continue;
    }
    const c = cellText(text, table, t, k);
    if (!NUMERIC_CELL.test(c)) {
      const at = where(text, table.cellStart[t * table.width + k] + (c.length - c.trimStart().length));
      check.badRow = t;
      check.message =
        c.trim() === ''
          ? msg('{0}: {1} is empty; fix that cell or delete the row.', at, columnName(table, k))
          : NOT_FINITE_CELL.test(c)
            ? msg('{0}: {1} "{2}" is not a finite number; fix that cell or delete the row.', at, columnName(table, k), c.trim())
            : msg('{0}: {1} "{2}" is not a number; fix that cell or delete the row.', at, columnName(table, k), c.trim());
      break;
    }
    values[t] = Number(c);
  }
  cache.set(k, check);
  return check;
}

/** Values of the chosen columns as a T × columns table; one step per row (span = the row, or the cell for one column). */
export function csvColumnsToTable(text: string, table: CsvTable, columns: number[]): NumberTable {
  if (columns.length === 0) throw UnrollError.of('The CSV has no numeric columns; select numbers or choose the "characters" reading.');
  const checks = columns.map((k) => checkColumn(text, table, k));
  const bad = checks.filter((c) => c.message).sort((x, y) => x.badRow - y.badRow)[0];
  if (bad) throw new UnrollError(bad.message!);
  const T = table.rowCount;
  const n = columns.length;
  const values = new Float32Array(T * n);
  checks.forEach((c, j) => {
    for (let t = 0; t < T; t++) values[t * n + j] = c.values[t];
  });
  const starts = new Array<number>(T);
  const ends = new Array<number>(T);
  for (let t = 0; t < T; t++) {
    const one = n === 1 ? t * table.width + columns[0] : -1;
    starts[t] = one >= 0 ? table.cellStart[one] : table.rowStart[t];
    ends[t] = one >= 0 ? table.cellEnd[one] : table.rowEnd[t];
  }
  const notes: string[] = [];
  const skipped = Array.from({ length: table.width }, (_, k) => k).filter((k) => !table.numericColumns.includes(k));
  if (skipped.length && columns.length === table.numericColumns.length) {
    notes.push(msg('Skipped text column(s): {0}.', skipped.map((k) => columnName(table, k)).join(', ')));
  }
  return { rows: T, cols: columns.length, values, starts, ends, form: 'list', notes, end: table.end };
}

/** "comma-separated" …, each one template so it is translated whole. */
function separatedBy(delimiter: string): string {
  switch (delimiter) {
    case ',': return msg('comma-separated');
    case '\t': return msg('tab-separated');
    case ';': return msg('semicolon-separated');
    case '|': return msg('pipe-separated');
    default: return msg('space-separated');
  }
}

/** CSV → sequence over the given columns (default: every numeric column → multivariate). */
export function encodeCsv(text: string, opts: EncodeOptions & { columns?: number[]; table?: CsvTable } = {}): EncodedSequence {
  const table = opts.table ?? parseCsv(text, undefined, opts.maxTokens);
  const columns = opts.columns ?? table.numericColumns;
  const nt = csvColumnsToTable(text, table, columns);
  const names = columns.map((k) => columnName(table, k));
  const what = columns.length === 1 ? msg('column {0}', names[0]) : msg('{0} columns ({1})', columns.length, names.join(', '));
  const desc = table.header
    ? msg('CSV ({0}, header), {1}, {2} rows', separatedBy(table.delimiter), what, fmtCount(nt.rows))
    : msg('CSV ({0}), {1}, {2} rows', separatedBy(table.delimiter), what, fmtCount(nt.rows));
  return tableToSequence(text, nt, 'csv', desc, { ...opts, featureNames: names });
}
