/**
 * Messages from the pure modules (input, model, debug program) in VS Code's display language: the
 * template and arguments `msg` kept go through vscode.l10n.t (zh-cn in l10n/bundle.l10n.zh-cn.json).
 * Log lines stay English; only what a person reads in the UI goes through here.
 */
import * as vscode from 'vscode';
import { UnrollError } from '../engine/types';
import { localizeText, render, type Translate } from '../l10n/format';

/** vscode.l10n.t as a `Translate`, for pure code that takes one (the debug session). */
export const translate: Translate = (template, ...args) => vscode.l10n.t(template, ...args);
const t = translate;

/** An UnrollError's message, localised when it was made by `msg` (else its English message). */
export function localizeError(e: UnrollError): string {
  return e.l10n ? render(e.l10n, t) : e.message;
}

/** A message string from a pure module (a reading plan's problem, a note), localised when `msg` made it. */
export function localizeMessage(text: string): string {
  return localizeText(text, t);
}
