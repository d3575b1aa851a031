/** Localised strings for the webview (vscode.l10n.t; Chinese in l10n/bundle.l10n.zh-cn.json). */
import * as vscode from 'vscode';
import type { WebviewStrings } from '../protocol/messages';
import { buildStrings } from './stringTable';

export function webviewStrings(): WebviewStrings {
  return buildStrings((m) => vscode.l10n.t(m));
}
