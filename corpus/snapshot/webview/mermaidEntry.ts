/**
 * Separate bundle for mermaid (large): loaded by the webview only when a cell diagram is shown.
 * Exposes the library on `window.unrollMermaid` for the diagram view.
 */
import mermaid from 'mermaid';

(window as unknown as { unrollMermaid: typeof mermaid }).unrollMermaid = mermaid;
