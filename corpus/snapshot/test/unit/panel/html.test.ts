import * as assert from 'assert';
import { buildCsp, buildHtml, makeNonce } from '../../../src/panel/html';
import { randomBytes } from 'crypto';

const parts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abc123XYZ',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css',
  mermaidUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/mermaid.js',
  loadingText: 'Loading <now> & "soon"',
  lang: 'zh-cn',
};

function cspOf(html: string): Map<string, string[]> {
  const m = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
  assert.ok(m, 'CSP meta tag present');
  const map = new Map<string, string[]>();
  for (const d of m[1].replace(/&#39;|&apos;/g, "'").split(';')) {
    const [name, ...vals] = d.trim().split(/\s+/);
    map.set(name, vals);
  }
  return map;
}

describe('panel HTML and Content-Security-Policy', () => {
  it('denies everything by default and allows scripts only by nonce', () => {
    const csp = cspOf(buildHtml(parts));
    assert.deepStrictEqual(csp.get('default-src'), ["'none'"]);
    assert.deepStrictEqual(csp.get('script-src'), [`'nonce-${parts.nonce}'`]);
    for (const [, vals] of csp) {
      assert.ok(!vals.includes("'unsafe-eval'"), 'no eval');
      assert.ok(!vals.some((v) => v === '*' || v === 'https:' || v === 'http:'), 'no wildcard/remote sources');
    }
    assert.ok(csp.get('style-src')!.includes(parts.cspSource));
    assert.ok(!csp.has('connect-src'), 'no network access from the webview');
  });

  it('every script tag carries the nonce, and nothing loads from outside the extension', () => {
    const html = buildHtml(parts);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.strictEqual(scripts.length, 1);
    for (const s of scripts) assert.ok(s.includes(`nonce="${parts.nonce}"`), s);
    const urls = html.match(/(?:src|href)="([^"]*)"/g) ?? [];
    for (const u of urls) assert.ok(u.includes(parts.cspSource), u);
  });

  it('escapes text put into the page', () => {
    const html = buildHtml(parts);
    assert.ok(html.includes('Loading &lt;now&gt; &amp; &quot;soon&quot;'));
    assert.ok(html.includes('<html lang="zh-cn">'));
  });

  it('nonces are fresh, long and CSP-safe', () => {
    const a = makeNonce((n) => randomBytes(n));
    const b = makeNonce((n) => randomBytes(n));
    assert.notStrictEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{21,}$/);
    assert.strictEqual(buildCsp('x', a).includes(`'nonce-${a}'`), true);
  });
});
