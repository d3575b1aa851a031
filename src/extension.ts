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
  // The model view first: the editor plans readings for the model the visualizer will run.
  const models = registerModelView(context, output);
  visualizer.useModels(models.modelChoice);
  const editor = registerEditor(context, output, models.modelChoice);
  registerDebugger(context, output, visualizer);
  return { ...visualizer, ...editor, ...models };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
