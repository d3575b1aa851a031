/**
 * The ONNX schema ships precompiled (onnx.schema.json, for cold start); the vendored official onnx.proto stays
 * the source. The descriptor must be exactly what protobufjs makes of the .proto, so a stale file fails here.
 */
import * as assert from 'assert';
import * as protobuf from 'protobufjs';
import onnxProtoText from '../../../src/model/onnx/onnx.proto';
import onnxSchema from '../../../src/model/onnx/onnx.schema.json';
import { onnxType } from '../../../src/model/onnx/schema';

describe('ONNX schema descriptor', () => {
  it('equals a fresh parse of onnx.proto (run `node scripts/build-onnx-schema.js` after changing the .proto)', () => {
    const fresh = protobuf.parse(onnxProtoText, { keepCase: true }).root.toJSON();
    assert.deepStrictEqual(JSON.parse(JSON.stringify(fresh)), onnxSchema);
  });

  it('keeps the snake_case field names the readers use', () => {
    const t = onnxType('TensorProto');
    for (const f of ['raw_data', 'float_data', 'data_type', 'external_data', 'data_location']) assert.ok(t.fields[f], f);
    assert.strictEqual(onnxType('ModelProto').fields.graph.type, 'GraphProto');
  });
});
