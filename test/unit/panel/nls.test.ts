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

  it('no translation file names a key twice (JSON.parse would silently keep only the last)', () => {
    for (const f of ['package.nls.json', 'package.nls.zh-cn.json', 'l10n/bundle.l10n.zh-cn.json']) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      // Every key of these flat files is a string at the start of a line, followed by a colon.
      const keys = [...text.matchAll(/^\s*("(?:[^"\\]|\\.)*")\s*:/gm)].map((m) => JSON.parse(m[1]) as string);
      assert.strictEqual(keys.length, Object.keys(read(f)).length + (keys.length - new Set(keys).size), `${f}: every key found`);
      const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
      assert.deepStrictEqual(twice, [], `${f} names these keys twice`);
    }
  });

  it('every %key% in package.json is defined', () => {
    const pkg = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
    const en = read('package.nls.json');
    const keys = [...pkg.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.includes('command.visualizeLstm'));
    for (const k of keys) assert.ok(k in en, `missing nls key ${k}`);
  });

  it('every vscode.l10n.t message in the panel, editor and debugger code has a Chinese translation with the same placeholders', () => {
    const zh = read('l10n/bundle.l10n.zh-cn.json');
    const files = ['src/panel', 'src/editor', 'src/debug'].flatMap((d) => walk(path.join(root, d)));
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

  it('a message that tells the person to run "Unroll: …" names a real command, in both languages', () => {
    // A fix that names a command the palette does not have ("Unroll: Choose Reading") leaves the person stuck.
    const zh = read('l10n/bundle.l10n.zh-cn.json');
    const en = read('package.nls.json');
    const zhNls = read('package.nls.zh-cn.json');
    const bare = (title: string) => title.replace(/…$/, '');
    const titles = Object.keys(en).filter((k) => k.startsWith('command.')).map((k) => ({ en: bare(en[k]), zh: bare(zhNls[k]) }));
    let named = 0;
    for (const [message, translation] of Object.entries(zh)) {
      for (const m of message.matchAll(/Unroll: (?=[A-Z])/g)) {
        const rest = message.slice(m.index + m[0].length);
        // Longest title first: "Visualize with a Chosen Reading" before "Visualize LSTM" cannot clash, but keep it exact.
        const title = titles.filter((c) => rest.startsWith(c.en)).sort((a, b) => b.en.length - a.en.length)[0];
        assert.ok(title, `"${message}" names "Unroll: ${rest.slice(0, 40)}", which is no command title in package.nls.json`);
        assert.ok(translation.includes(title.zh), `the zh-cn text of "${message}" should name the command by its Chinese title "${title.zh}": ${translation}`);
        named++;
      }
    }
    assert.ok(named >= 5, `found ${named} command names in messages`);
  });
});
