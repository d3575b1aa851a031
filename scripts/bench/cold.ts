/**
 * Cold-start probe, run in a fresh process by the bench: `node cold.js engine|ort DIR`. Reads DIR/model.onnx
 * and DIR/x.f32 and prints "first trace" once the first full run is done.
 */
import * as fs from 'fs';
import * as path from 'path';

async function main(): Promise<void> {
  const [who, dir] = process.argv.slice(2);
  const bytes = fs.readFileSync(path.join(dir, 'model.onnx'));
  const raw = fs.readFileSync(path.join(dir, 'x.f32'));
  const x = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  if (who === 'engine') {
    const { loadOnnxNetwork } = await import('../../src/model/onnx/graph');
    const { runNetwork } = await import('../../src/engine/trace');
    const { network } = loadOnnxNetwork(new Uint8Array(bytes), 'model.onnx');
    const trace = runNetwork(network, x); // the default kernel: wasm SIMD, one thread
    console.log(`first trace: ${trace.steps} steps`);
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const In = x.length / 1000;
    const out = await session.run({ X: new ort.Tensor('float32', x, [1000, 1, In]) });
    console.log(`first trace: ${out.Y.dims[0]} steps`);
  }
}

main().catch((e) => {
  console.error(`cold start failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
