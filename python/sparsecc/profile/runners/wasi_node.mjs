// Runs a WASI command module (sparsecc-run.wasm) under node with one preopened folder.
//   node wasi_node.mjs TOOL.wasm DIR [args...]
// DIR is visible inside the module under the same absolute path, so the model
// path can be passed unchanged. Exit code: the module's.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [wasmPath, dir, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: ['sparsecc-run', ...args], env: {},
                        preopens: { [dir]: dir }, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
