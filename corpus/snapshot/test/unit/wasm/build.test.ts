import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';

describe('wasm kernel build', () => {
  it('the committed kernel.wasm is byte-identical to a fresh build from the WAT generator', function () {
    this.timeout(20000);
    const root = path.resolve(__dirname, '../../../..');
    const out = execFileSync(process.execPath, ['scripts/build-wasm.js', '--check'], { cwd: root, encoding: 'utf8' });
    assert.match(out, /kernel\.wasm up to date/);
  });
});
