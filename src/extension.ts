/** Entry point: creates the output channel and calls one register…() per feature. Nothing else lives here. */
import * as vscode from 'vscode';
import { registerVisualizer } from './panel/register';
import { registerAnalysis } from './panel/exportHost';
import { registerEditor } from './editor/register';
import { registerDebugger } from './debug/register';
import { registerModelView } from './modelView/register';

export function activate(context: vscode.ExtensionContext) {
  const output = vscode.window.createOutputChannel('Unroll');
  context.subscriptions.push(output);
  const visualizer = registerVisualizer(context, output);
  registerAnalysis(context, output);
  const editor = registerEditor(context, output);
  registerDebugger(context, output, visualizer);
  const models = registerModelView(context, output);
  visualizer.useModels(models.modelChoice);
  return { ...visualizer, ...editor, ...models };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
