import * as assert from 'assert';
import { WasmKernel } from '../../../src/engine/wasm/wasmKernel';
import { fixtureNames, runFixture } from './fixtures';

describe('wasm SIMD kernel: every reference fixture', () => {
  const kernel = new WasmKernel();
  const names = fixtureNames();
  it('finds the fixtures', () => assert.ok(names.length >= 50, `only ${names.length} fixtures`));
  for (const name of names) {
    it(name, function () {
      this.timeout(10000);
      const { mismatches, compared } = runFixture(name, kernel);
      assert.ok(compared > 0);
      assert.deepStrictEqual(mismatches, []);
    });
  }
});
