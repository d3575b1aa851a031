// Precompiles the vendored official ONNX schema (src/model/onnx/onnx.proto, the source) to a protobufjs JSON
// descriptor, src/model/onnx/onnx.schema.json: Root.fromJSON at first use is cheaper than parsing .proto
// text (engine cold start). Deterministic; a unit test checks the committed file equals a fresh parse.
// Usage: node scripts/build-onnx-schema.js
const fs = require('fs');
const path = require('path');

const DIR = path.join(__dirname, '..', 'src', 'model', 'onnx');
const OUT = path.join(DIR, 'onnx.schema.json');

function schemaJson() {
  const protobuf = require('protobufjs');
  const root = protobuf.parse(fs.readFileSync(path.join(DIR, 'onnx.proto'), 'utf8'), { keepCase: true }).root;
  return `${JSON.stringify(root.toJSON())}\n`;
}

/** Writes onnx.schema.json if it changed; returns true when it was (re)written. */
function writeOnnxSchema() {
  const text = schemaJson();
  if (fs.existsSync(OUT) && fs.readFileSync(OUT, 'utf8') === text) return false;
  fs.writeFileSync(OUT, text);
  return true;
}

module.exports = { writeOnnxSchema, schemaJson };

if (require.main === module) console.log(writeOnnxSchema() ? `wrote ${path.relative(process.cwd(), OUT)}` : 'onnx.schema.json is up to date');
