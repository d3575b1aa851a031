/**
 * Builds the visualizer's HTML with a strict Content-Security-Policy. Pure (URIs arrive as strings),
 * so the policy is unit-tested without VS Code.
 */

export interface HtmlParts {
  /** webview.cspSource */
  cspSource: string;
  /** Fresh per render. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** Mermaid bundle, loaded by the webview only when a diagram is shown. */
  mermaidUri: string;
  /** Localised "Loading…" shown before the script runs. */
  loadingText: string;
  /** BCP-47 language of the UI (vscode.env.language). */
  lang: string;
}

/** 128 bits of randomness as base64url-ish characters valid in a CSP nonce. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(16)).toString('base64').replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The policy. Mermaid writes `style` attributes and a <style> element into its SVG, which
 * CSP treats as inline styles: that is the one reason for 'unsafe-inline' in style-src (scripts stay nonce-only).
 */
export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function buildHtml(p: HtmlParts): string {
  const csp = buildCsp(p.cspSource, p.nonce);
  return `<!DOCTYPE html>
<html lang="${escapeAttr(p.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(p.styleUri)}">
<title>Unroll</title>
</head>
<body>
<main id="app" data-mermaid-src="${escapeAttr(p.mermaidUri)}" data-nonce="${escapeAttr(p.nonce)}"><p class="loading">${escapeAttr(p.loadingText)}</p></main>
<script nonce="${escapeAttr(p.nonce)}" src="${escapeAttr(p.scriptUri)}"></script>
</body>
</html>`;
}
