/**
 * CSV (or TSV, ";", "|" or space-aligned columns) → one step per data row.
 * The delimiter is detected from the first lines; quoted fields follow RFC 4180; a first row with text
 * where later rows have numbers is a header. Text columns (labels, dates) are skipped with a note;
 * a bad cell in a numeric column is an error naming its line and column.
 */
import { EncodeOptions, EncodedSequence, HARD_CAP_TOKENS, UnrollError, fmtCount, where } from './types';
import { NumberTable, tableToSequence } from './numbers';

interface Cell {
  start: number;
  end: number;
  text: string;
}
interface Row {
  start: number;
  end: number;
  cells: Cell[];
}

export interface CsvTable {
  delimiter: string;
  header: string[] | null;
  rows: Row[];
  /** Indices of the columns whose data cells are all numbers. */
  numericColumns: number[];
  /** Where reading stopped (< text.length when the hard cap cut it). */
  end: number;
}

const NUMERIC_CELL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const NOT_FINITE_CELL = /^\s*[+-]?(?:nan|inf|infinity|null|none|n\/a|na)\s*$/i;

/** Split into rows and cells; quoted fields may hold delimiters and line breaks. */
function splitRows(text: string, delimiter: string, maxRows: number): { rows: Row[]; end: number } {
  const rows: Row[] = [];
  let i = 0;
  const n = text.length;
  while (i < n && rows.length < maxRows) {
    const rowStart = i;
    const cells: Cell[] = [];
    for (;;) {
      if (delimiter === ' ') while (text[i] === ' ' || text[i] === '\t') i++;
      let start = i;
      let value: string;
      if (text[i] === '"') {
        let j = i + 1;
        let v = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new UnrollError(`${where(text, i)}: a quoted field is never closed; add the closing ".`);
          v += text.slice(j, q);
          if (text[q + 1] === '"') {
            v += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        value = v;
        i = j;
        start = start + 1;
      } else {
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r' && !(delimiter === ' ' && text[i] === '\t')) i++;
        value = text.slice(start, i);
      }
      cells.push({ start, end: start + value.length, text: value });
      if (delimiter === ' ') while (text[i] === ' ' || text[i] === '\t') i++;
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      if (delimiter === ' ' && i < n && text[i] !== '\n' && text[i] !== '\r') continue;
      break;
    }
    let rowEnd = i;
    let rowFrom = rowStart;
    if (delimiter === ' ') while (text[rowFrom] === ' ' || text[rowFrom] === '\t') rowFrom++;
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    if (delimiter === ' ' && cells.length && cells[cells.length - 1].text === '') cells.pop();
    while (rowEnd > rowFrom && /\s/.test(text[rowEnd - 1])) rowEnd--;
    // Blank lines separate nothing: skip them.
    if (cells.length === 1 && cells[0].text.trim() === '') continue;
    rows.push({ start: rowFrom, end: rowEnd, cells });
  }
  return { rows, end: i };
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
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim()).slice(0, 20);
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
  if (!d) throw new UnrollError('The selection is not CSV: its lines do not have the same number of fields.');
  const first = splitRows(text, d, 2).rows;
  const headerLikely = first.length === 2 && first[0].cells.some((c) => !NUMERIC_CELL.test(c.text)) && first[1].cells.some((c) => NUMERIC_CELL.test(c.text));
  const { rows, end } = splitRows(text, d, maxRows + (headerLikely ? 1 : 0));
  const header = headerLikely ? rows.shift()!.cells.map((c, k) => c.text.trim() || `column ${k + 1}`) : null;
  if (rows.length === 0) throw new UnrollError('The CSV has a header but no data rows.');
  const width = header ? header.length : rows[0].cells.length;
  for (const r of rows) {
    if (r.cells.length !== width) {
      throw new UnrollError(`${where(text, r.start)}: this row has ${r.cells.length} fields but the ${header ? 'header' : 'first row'} has ${width}; fix the row or select fewer lines.`);
    }
  }
  // A column is numeric when its first data cell is; later bad cells in it are then errors, not a reason to skip it.
  const numericColumns: number[] = [];
  for (let k = 0; k < width; k++) {
    const c = rows[0].cells[k];
    if (NUMERIC_CELL.test(c.text) || NOT_FINITE_CELL.test(c.text)) numericColumns.push(k);
  }
  return { delimiter: d, header, rows, numericColumns, end };
}

/** Column name for messages. */
export function columnName(table: CsvTable, k: number): string {
  return table.header ? table.header[k] : `column ${k + 1}`;
}

/** Values of the chosen columns as a T × columns table; one step per row (span = the row, or the cell for one column). */
export function csvColumnsToTable(text: string, table: CsvTable, columns: number[]): NumberTable {
  if (columns.length === 0) throw new UnrollError('The CSV has no numeric columns; select numbers or choose the "characters" reading.');
  const T = table.rows.length;
  const values = new Float32Array(T * columns.length);
  const starts: number[] = [];
  const ends: number[] = [];
  table.rows.forEach((r, t) => {
    columns.forEach((k, j) => {
      const c = r.cells[k];
      if (!NUMERIC_CELL.test(c.text)) {
        const what = c.text.trim() === '' ? 'is empty' : `"${c.text.trim()}" is not a ${NOT_FINITE_CELL.test(c.text) ? 'finite number' : 'number'}`;
        throw new UnrollError(`${where(text, c.start + (c.text.length - c.text.trimStart().length))}: ${columnName(table, k)} ${what}; fix that cell or delete the row.`);
      }
      values[t * columns.length + j] = Number(c.text);
    });
    const one = columns.length === 1 ? r.cells[columns[0]] : null;
    starts.push(one ? one.start : r.start);
    ends.push(one ? one.end : r.end);
  });
  const notes: string[] = [];
  const skipped = table.rows[0].cells.map((_, k) => k).filter((k) => !table.numericColumns.includes(k));
  if (skipped.length && columns.length === table.numericColumns.length) {
    notes.push(`Skipped text column(s): ${skipped.map((k) => columnName(table, k)).join(', ')}.`);
  }
  return { rows: T, cols: columns.length, values, starts, ends, form: 'list', notes, end: table.end };
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe', ' ': 'space' };

/** CSV → sequence over the given columns (default: every numeric column → multivariate). */
export function encodeCsv(text: string, opts: EncodeOptions & { columns?: number[]; table?: CsvTable } = {}): EncodedSequence {
  const table = opts.table ?? parseCsv(text, undefined, opts.maxTokens);
  const columns = opts.columns ?? table.numericColumns;
  const nt = csvColumnsToTable(text, table, columns);
  const names = columns.map((k) => columnName(table, k));
  const what = columns.length === 1 ? `column ${names[0]}` : `${columns.length} columns (${names.join(', ')})`;
  const desc = `CSV (${DELIMITER_NAMES[table.delimiter]}-separated${table.header ? ', header' : ''}), ${what}, ${fmtCount(nt.rows)} rows`;
  return tableToSequence(text, nt, 'csv', desc, { ...opts, featureNames: names });
}
