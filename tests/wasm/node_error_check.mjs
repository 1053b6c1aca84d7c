// Error path of the JS wrapper, for tests/wasm/test_wasm_errors.py:
//
//   node node_error_check.mjs RUNTIME.wasm GOOD.scc BAD_FILE
//
// Runs GOOD once, then tries to load BAD_FILE (expected to fail), then runs the
// first session again and a new session of GOOD, on the same seeded input.
// Prints JSON: {error, errorName, isError, generationBefore, generationAfter,
//               before: [first outputs], again: [...], fresh: [...]}.
import { readFileSync } from 'node:fs';
import { Runtime } from '../../web/js/sparsecc.mjs';

const [wasmPath, goodPath, badPath] = process.argv.slice(2);
const rt = await Runtime.load(wasmPath);
const good = readFileSync(goodPath);
const session = rt.createSession(good);
const feeds = session.inputInfo.map((t) => {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; ++i) { s = (s * 1103515245 + 12345) % 2147483648; x[i] = s / 2147483648 - 0.5; }
  return x;
});
const first = (r) => Array.from(Object.values(r)[0].slice(0, 8));
const before = first(session.run(feeds));
const generationBefore = rt.generation;
let error = null, errorName = null, isError = false;
try {
  rt.createSession(readFileSync(badPath));
} catch (e) {
  error = e.message; errorName = e.name; isError = e instanceof Error;
}
const again = first(session.run(feeds));
const fresh = first(rt.createSession(good).run(feeds));
console.log(JSON.stringify({ error, errorName, isError, generationBefore, generationAfter: rt.generation, before, again, fresh }));
