import * as fs from 'fs';
import * as path from 'path';

/** The repository root, found by walking up from the (bundled) test file to package.json. */
function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error('package.json not found above ' + __dirname);
    d = up;
  }
  return d;
}

export const REFERENCE = path.join(repoRoot(), 'test/fixtures/reference');
