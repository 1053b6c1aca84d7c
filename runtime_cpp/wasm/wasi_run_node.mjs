// Runs a WASI command module under node's WASI (preview1):
//   node --no-liftoff wasi_run_node.mjs PROG.wasm [ARGS...]
// "/" is preopened as "/", PWD is the host's directory (wasi_cwd.cc follows it),
// stdio is inherited; exits with the module's exit code.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const [prog, ...args] = process.argv.slice(2);
if (!prog) {
  process.stderr.write('usage: wasi_run_node.mjs PROG.wasm [ARGS...]\n');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [prog, ...args],
  env: { PWD: process.cwd(), ...(process.env.SPARSECC_ARCH ? { SPARSECC_ARCH: process.env.SPARSECC_ARCH } : {}) },
  preopens: { '/': '/' },
  returnOnExit: true,
});
let code;
try {
  const module = await WebAssembly.compile(await readFile(prog));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  code = wasi.start(instance);
} catch (e) {
  process.stderr.write(`wasi-run: ${prog}: ${e && e.message ? e.message : e}\n`);
  code = 134;  // like a native abort
}
process.exit(code ?? 0);
