/**
 * Localisable messages for the PURE modules (no `vscode` import). `msg('… {0} …', x)` returns the English
 * text — so every caller, test and CLI that works with plain strings keeps working — and remembers the
 * template and its arguments, so the extension host can show the same message through vscode.l10n.t
 * (Chinese from l10n/bundle.l10n.zh-cn.json). UnrollError captures that record when it is constructed.
 *
 * Why a side table and not a message object: the texts travel as strings through many fields
 * (`ReadingPlan.problem`, notes, `throw new UnrollError(problem)`); keying on the exact English text lets
 * them keep their `string` types. An argument that is itself a remembered message (e.g. `where()`'s
 * "line 3, column 5") is stored as a nested message, so it is translated too.
 */

export type MessageArg = string | number | boolean;

/** A template with its arguments; an argument may itself be a message. */
export interface Message {
  readonly template: string;
  readonly args: readonly (MessageArg | Message)[];
}

/** Translates one template with already-translated arguments (vscode.l10n.t on the host). */
export type Translate = (template: string, ...args: MessageArg[]) => string;

/**
 * `{0}`, `{1}` … replaced by the arguments with vscode.l10n.t's own rule (its `format2`), so the English
 * here is exactly what VS Code shows in English: a `{…}` naming no argument (JSON in the text) stays, and
 * is skipped as a whole — a placeholder inside it (`{"cell": "{1}"}`) would NOT be replaced, which the
 * l10n unit test rejects; an argument's own text is not re-scanned.
 */
export function format(template: string, args: readonly MessageArg[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{([^}]+)\}/g, (whole, key: string) => (/^\d+$/.test(key) && Number(key) < args.length ? String(args[Number(key)]) : whole));
}

/** Messages made recently, by their English text. Bounded: it only has to outlive the display of an error. */
const recent = new Map<string, Message>();
// A reading plan of a wide CSV makes two labels per column; 10,000 short records are well under 10 MB.
const MAX_REMEMBERED = 10_000;
// …and a few long ones (a note quoting the code around a huge array literal) must not pin megabytes.
const MAX_REMEMBERED_CHARS = 1_000_000;
let rememberedChars = 0;

/** The English text of `template` with `args`; the host can localise it (see `messageOf`). */
export function msg(template: string, ...args: MessageArg[]): string {
  // Anything else that slips past the types (undefined, an object) is text, as in a template literal.
  const arg = (a: unknown): MessageArg | Message => (typeof a === 'string' ? (recent.get(a) ?? a) : typeof a === 'number' || typeof a === 'boolean' ? a : String(a));
  return remember({ template, args: args.map(arg) });
}

/** The English text of a message built from another one (e.g. re-labelled), remembered like `msg`'s. */
export function remember(m: Message): string {
  const text = render(m, english);
  if (text.length > MAX_REMEMBERED_CHARS / 10) return text; // too long to keep: shown in English
  if (recent.delete(text)) rememberedChars -= text.length; // re-insert: the map's order is its age
  recent.set(text, m);
  rememberedChars += text.length;
  while (recent.size > MAX_REMEMBERED || rememberedChars > MAX_REMEMBERED_CHARS) {
    const oldest = recent.keys().next().value as string;
    recent.delete(oldest);
    rememberedChars -= oldest.length;
  }
  return text;
}

/** The template and arguments behind a text made by `msg`, or undefined for any other text. */
export function messageOf(text: string): Message | undefined {
  return recent.get(text);
}

/** A message in the language of `t`; arguments that are messages are translated first. */
export function render(m: Message, t: Translate): string {
  return t(m.template, ...m.args.map((a) => (typeof a === 'object' ? render(a, t) : a)));
}

/** `text` translated by `t` when it was made by `msg`, else unchanged. */
export function localizeText(text: string, t: Translate): string {
  const m = messageOf(text);
  return m ? render(m, t) : text;
}

/** The English text of a message (what `msg` returned for it). */
export const english: Translate = (template, ...args) => format(template, args);
