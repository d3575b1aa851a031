/** Width of text in a monospaced font: East Asian wide characters and emoji take two columns. */

export function isWide(c: number): boolean {
  return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff)
    || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
}

/** Columns a label takes in a monospaced font (East Asian wide characters and emoji take two). */
export function labelColumns(label: string): number {
  if (label.length === 1) return isWide(label.charCodeAt(0)) ? 2 : 1;
  let n = 0;
  for (const ch of label) n += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return n;
}
