import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../../../..');
const read = (p: string) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8')) as Record<string, string>;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('localisation', () => {
  it('package.nls.json and package.nls.zh-cn.json have the same keys, all non-empty', () => {
    const en = read('package.nls.json');
    const zh = read('package.nls.zh-cn.json');
    assert.deepStrictEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    for (const [k, v] of Object.entries(zh)) assert.ok(v.trim(), `zh-cn ${k} is empty`);
  });

  it('every %key% in package.json is defined', () => {
    const pkg = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
    const en = read('package.nls.json');
    const keys = [...pkg.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.includes('command.visualizeLstm'));
    for (const k of keys) assert.ok(k in en, `missing nls key ${k}`);
  });

  it('every vscode.l10n.t message in the panel code has a Chinese translation with the same placeholders', () => {
    const zh = read('l10n/bundle.l10n.zh-cn.json');
    const files = walk(path.join(root, 'src/panel'));
    const msgs = new Set<string>();
    for (const f of files) {
      const src = fs.readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) msgs.add(m[1].replace(/\\'/g, "'"));
    }
    assert.ok(msgs.size > 20, `found ${msgs.size} messages`);
    for (const m of msgs) {
      assert.ok(m in zh, `no zh-cn translation for: ${m}`);
      const ph = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
      assert.strictEqual(ph(zh[m]), ph(m), `placeholders differ for: ${m}`);
    }
  });
});
