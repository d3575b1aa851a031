/**
 * What text a command reads: the selection, or — without one — the current line, and it says so.
 * Pure: the editor glue passes offsets and the document text in.
 */
export interface SelectionInput {
  text: string;
  /** Document offset of text[0]. */
  baseOffset: number;
  /** Set when the current line was used instead of a selection. */
  note?: string;
  usedCurrentLine: boolean;
}

/**
 * @param docText the whole document text (EOLs as in the document, so offsets match `offsetAt`)
 * @param selStart / selEnd selection offsets (equal when nothing is selected)
 * @param cursor cursor offset (used when the selection is empty)
 */
export function resolveSelection(docText: string, selStart: number, selEnd: number, cursor: number): SelectionInput {
  if (selEnd > selStart) return { text: docText.slice(selStart, selEnd), baseOffset: selStart, usedCurrentLine: false };
  let start = Math.min(cursor, docText.length);
  while (start > 0 && docText[start - 1] !== '\n' && docText[start - 1] !== '\r') start--;
  let end = Math.min(cursor, docText.length);
  while (end < docText.length && docText[end] !== '\n' && docText[end] !== '\r') end++;
  let line = 1;
  for (let i = 0; i < start; i++) {
    if (docText[i] === '\n' || (docText[i] === '\r' && docText[i + 1] !== '\n')) line++;
  }
  return {
    text: docText.slice(start, end),
    baseOffset: start,
    usedCurrentLine: true,
    note: `No selection: using line ${line}.`,
  };
}
