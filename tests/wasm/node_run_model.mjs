// Runs a .scc model with the JS wrapper (web/js/sparsecc.mjs) under node, for tests/wasm.
//
//   node --no-liftoff node_run_model.mjs RUNTIME.wasm MODEL.scc IO_DIR [--arch scalar]
//
// Reads IO_DIR/in<i>.bin (raw float32, input order), writes IO_DIR/out<i>.bin and
// prints JSON: {inputs, outputs: [{name, shape}], layers: [{name, op, kernel, ms}]}.
// A runtime error prints {"error": message, "name": error class} and exits 3.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../web/js/sparsecc.mjs';

const [wasmPath, modelPath, ioDir, ...rest] = process.argv.slice(2);
const arch = rest[0] === '--arch' ? rest[1] : undefined;
const rt = await Runtime.load(wasmPath, { env: arch ? { SPARSECC_ARCH: arch } : {} });
try {
  const session = rt.createSession(readFileSync(modelPath), { profile: true });
  const feeds = session.inputInfo.map((_, i) => {
    const b = readFileSync(join(ioDir, `in${i}.bin`));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
  const out = session.run(feeds);
  session.outputInfo.forEach((t, i) => writeFileSync(join(ioDir, `out${i}.bin`), Buffer.from(out[t.name].buffer)));
  console.log(JSON.stringify({ inputs: session.inputInfo, outputs: session.outputInfo, layers: session.layerTimings() }));
} catch (e) {
  console.log(JSON.stringify({ error: e.message, name: e.name }));
  process.exit(3);
}
