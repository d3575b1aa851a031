/** Entry point: creates the output channel and calls one register…() per feature. Nothing else lives here. */
import * as vscode from 'vscode';
import { registerVisualizer } from './panel/register';
import { registerEditor } from './editor/register';
import { registerDebugger } from './debug/register';

export function activate(context: vscode.ExtensionContext) {
  const output = vscode.window.createOutputChannel('Unroll');
  context.subscriptions.push(output);
  const visualizer = registerVisualizer(context, output);
  const editor = registerEditor(context, output);
  registerDebugger(context, output, visualizer);
  return { ...visualizer, ...editor };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
